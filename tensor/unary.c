/*
 * unary.c — unary elementwise ops: neg, abs, exp, sigmoid, gelu, round,
 * isnan, logical_not, ...
 *
 * Like the binary ops (elementwise.c), each op is a row of loops indexed by
 * dtype, run through the shared elementwise runner.  What differs between ops
 * is the result dtype, PyTorch's way: "same" ops keep the input's dtype
 * (neg, abs, relu; floor of an integer tensor is a copy), "float" ops turn
 * integer and bool inputs into the default dtype first (exp of int64 is
 * float32), and predicates give bool.  Float loops compute in the input's
 * precision through <tgmath.h> (expf for float32), with constants cast to
 * that type, as PyTorch's kernels do; round is rint, i.e. half to even.
 */
#include "tensor/elementwise.h"

#include <math.h>
#include <tgmath.h>

/* out (type R) = EXPR(x) for x of type T; contiguous or strided. */
#define UNARY_LOOP(NAME, T, R, EXPR)                                                     \
    static void NAME(char **p, const int64_t *st, int64_t n, void *ctx)                  \
    {                                                                                    \
        R *o = (R *)p[0];                                                                \
        const T *a = (const T *)p[1];                                                    \
        if (st[0] == sizeof(R) && st[1] == sizeof(T)) {                                  \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++)                          \
            {                                                                            \
                const T x = a[i];                                                        \
                o[i] = (EXPR);                                                           \
            }                                                                            \
        } else {                                                                         \
            for (int64_t i = 0; i < n; i++) {                                            \
                const T x = *(const T *)(p[1] + i * st[1]);                              \
                *(R *)(p[0] + i * st[0]) = (EXPR);                                       \
            }                                                                            \
        }                                                                                \
    }

#define FLOAT_LOOPS(OP, E) EW_FLOAT_LOOPS(UNARY_LOOP, OP, E)
#define INT_LOOPS(OP, IE, UE)                                                            \
    UNARY_LOOP(OP##_i64, int64_t, int64_t, IE)                                           \
    UNARY_LOOP(OP##_u8, uint8_t, uint8_t, UE)

FLOAT_LOOPS(neg, -x)
FLOAT_LOOPS(abs, fabs(x))
FLOAT_LOOPS(sign, (0 < x) - (x < 0))
FLOAT_LOOPS(exp, exp(x))
FLOAT_LOOPS(log, log(x))
FLOAT_LOOPS(log1p, log1p(x))
FLOAT_LOOPS(expm1, expm1(x))
FLOAT_LOOPS(sqrt, sqrt(x))
FLOAT_LOOPS(rsqrt, 1 / sqrt(x))
FLOAT_LOOPS(sin, sin(x))
FLOAT_LOOPS(cos, cos(x))
FLOAT_LOOPS(tan, tan(x))
FLOAT_LOOPS(tanh, tanh(x))
FLOAT_LOOPS(erf, erf(x))
FLOAT_LOOPS(sigmoid, 1 / (1 + exp(-x)))
/* NaN passes through relu, as with PyTorch's clamp_min. */
FLOAT_LOOPS(relu, x < 0 ? 0 : x)
FLOAT_LOOPS(gelu, x * EW_K(0.5) * (1 + erf(x * EW_K(M_SQRT1_2))))
FLOAT_LOOPS(gelu_tanh, EW_K(0.5) * x *
                           (1 + tanh(EW_K(M_SQRT2 * M_2_SQRTPI * 0.5) * (x + EW_K(0.044715) * x * x * x))))
FLOAT_LOOPS(silu, x / (1 + exp(-x)))
FLOAT_LOOPS(floor, floor(x))
FLOAT_LOOPS(ceil, ceil(x))
FLOAT_LOOPS(round, rint(x))
FLOAT_LOOPS(trunc, trunc(x))
FLOAT_LOOPS(reciprocal, 1 / x)
/* The classification macros may return any nonzero value (isinf(-inf) is
 * -1 in glibc); a bool must hold 0 or 1. */
UNARY_LOOP(isnan_f32, float, uint8_t, isnan(x) != 0)
UNARY_LOOP(isnan_f64, double, uint8_t, isnan(x) != 0)
UNARY_LOOP(isinf_f32, float, uint8_t, isinf(x) != 0)
UNARY_LOOP(isinf_f64, double, uint8_t, isinf(x) != 0)
UNARY_LOOP(isfinite_f32, float, uint8_t, isfinite(x) != 0)
UNARY_LOOP(isfinite_f64, double, uint8_t, isfinite(x) != 0)
UNARY_LOOP(logical_not_f32, float, uint8_t, !x)
UNARY_LOOP(logical_not_f64, double, uint8_t, !x)
UNARY_LOOP(logical_not_i64, int64_t, uint8_t, !x)
UNARY_LOOP(logical_not_u8, uint8_t, uint8_t, !x)

/* Integer forms; negation wraps (computed in uint64_t). */
INT_LOOPS(neg, 0 - (uint64_t)x, 0 - (uint64_t)x)
INT_LOOPS(abs, x < 0 ? 0 - (uint64_t)x : (uint64_t)x, x)
INT_LOOPS(sign, (x > 0) - (x < 0), x != 0)
INT_LOOPS(relu, x < 0 ? 0 : x, x)
INT_LOOPS(copy, x, x)

/* floor, ceil, round and trunc of an integer are the integer. */
#define ROUNDING_ROW(OP) EW_FLOAT_ROW(OP), EW_INT_ROW(copy)

/* SAME keeps the dtype; FLOAT promotes non-floating inputs to the default
 * dtype; PREDICATE gives bool, and for non-floating inputs a constant. */
typedef enum { UNARY_SAME, UNARY_FLOAT, UNARY_PREDICATE } UnaryKind;

static const struct {
    const char *name, *name_;
    UnaryKind kind;
    LoopFn loops[DTYPE_COUNT];   /* by input dtype; NULL: not supported */
    bool constant;               /* a predicate's value on integers */
} unary_ops[UNARY_COUNT] = {
    [UNARY_NEG] = {EW_NAMES("neg"), UNARY_SAME, {EW_NUM_ROW(neg)}},
    [UNARY_ABS] = {EW_NAMES("abs"), UNARY_SAME, {EW_NUM_ROW(abs)}},
    [UNARY_SIGN] = {EW_NAMES("sign"), UNARY_SAME, {EW_NUM_ROW(sign), [DTYPE_BOOL] = copy_u8}},
    [UNARY_EXP] = {EW_NAMES("exp"), UNARY_FLOAT, {EW_FLOAT_ROW(exp)}},
    [UNARY_LOG] = {EW_NAMES("log"), UNARY_FLOAT, {EW_FLOAT_ROW(log)}},
    [UNARY_LOG1P] = {EW_NAMES("log1p"), UNARY_FLOAT, {EW_FLOAT_ROW(log1p)}},
    [UNARY_EXPM1] = {EW_NAMES("expm1"), UNARY_FLOAT, {EW_FLOAT_ROW(expm1)}},
    [UNARY_SQRT] = {EW_NAMES("sqrt"), UNARY_FLOAT, {EW_FLOAT_ROW(sqrt)}},
    [UNARY_RSQRT] = {EW_NAMES("rsqrt"), UNARY_FLOAT, {EW_FLOAT_ROW(rsqrt)}},
    [UNARY_SIN] = {EW_NAMES("sin"), UNARY_FLOAT, {EW_FLOAT_ROW(sin)}},
    [UNARY_COS] = {EW_NAMES("cos"), UNARY_FLOAT, {EW_FLOAT_ROW(cos)}},
    [UNARY_TAN] = {EW_NAMES("tan"), UNARY_FLOAT, {EW_FLOAT_ROW(tan)}},
    [UNARY_TANH] = {EW_NAMES("tanh"), UNARY_FLOAT, {EW_FLOAT_ROW(tanh)}},
    [UNARY_ERF] = {EW_NAMES("erf"), UNARY_FLOAT, {EW_FLOAT_ROW(erf)}},
    [UNARY_SIGMOID] = {EW_NAMES("sigmoid"), UNARY_FLOAT, {EW_FLOAT_ROW(sigmoid)}},
    [UNARY_RELU] = {EW_NAMES("relu"), UNARY_SAME, {EW_NUM_ROW(relu)}},
    /* PyTorch has no integer gelu or silu, and does not promote for them. */
    [UNARY_GELU] = {EW_NAMES("gelu"), UNARY_SAME, {EW_FLOAT_ROW(gelu)}},
    [UNARY_GELU_TANH] = {EW_NAMES("gelu"), UNARY_SAME, {EW_FLOAT_ROW(gelu_tanh)}},
    [UNARY_SILU] = {EW_NAMES("silu"), UNARY_SAME, {EW_FLOAT_ROW(silu)}},
    [UNARY_FLOOR] = {EW_NAMES("floor"), UNARY_SAME, {ROUNDING_ROW(floor)}},
    [UNARY_CEIL] = {EW_NAMES("ceil"), UNARY_SAME, {ROUNDING_ROW(ceil)}},
    [UNARY_ROUND] = {EW_NAMES("round"), UNARY_SAME, {ROUNDING_ROW(round)}},
    [UNARY_TRUNC] = {EW_NAMES("trunc"), UNARY_SAME, {ROUNDING_ROW(trunc)}},
    [UNARY_RECIPROCAL] = {EW_NAMES("reciprocal"), UNARY_FLOAT, {EW_FLOAT_ROW(reciprocal)}},
    [UNARY_ISNAN] = {EW_NAMES("isnan"), UNARY_PREDICATE, {EW_FLOAT_ROW(isnan)}, false},
    [UNARY_ISINF] = {EW_NAMES("isinf"), UNARY_PREDICATE, {EW_FLOAT_ROW(isinf)}, false},
    [UNARY_ISFINITE] = {EW_NAMES("isfinite"), UNARY_PREDICATE, {EW_FLOAT_ROW(isfinite)}, true},
    [UNARY_LOGICAL_NOT] = {EW_NAMES("logical_not"), UNARY_PREDICATE,
                           {EW_NUM_ROW(logical_not), [DTYPE_BOOL] = logical_not_u8}},
};

const char *unary_op_name(UnaryOp op)
{
    return unary_ops[op].name;
}

/* The result of op on x, written into `target` when given (then returned),
 * else into a new tensor; NULL with a message naming fn. */
static Tensor *unary_run(const char *fn, UnaryOp op, Tensor *target, const Tensor *x)
{
    DType dt = x->dtype;
    if (unary_ops[op].kind == UNARY_FLOAT && !dtype_is_floating(dt))
        dt = dtype_default();
    DType out_dt = unary_ops[op].kind == UNARY_PREDICATE ? DTYPE_BOOL : dt;
    LoopFn loop = unary_ops[op].loops[dt];
    if (!loop && unary_ops[op].kind == UNARY_PREDICATE) {
        /* isnan and friends of an integer tensor: known without looking. */
        if (target)
            return tensor_fill_(target, unary_ops[op].constant) < 0 ? NULL : target;
        Tensor *out = tensor_empty(x->ndim, x->shape, DTYPE_BOOL);
        if (out)
            tensor_fill_(out, unary_ops[op].constant);
        return out;
    }
    if (!loop && op == UNARY_NEG && dt == DTYPE_BOOL)
        return tensor_fail("%s: negation of a bool tensor is not supported; use logical_not "
                           "to invert a mask", fn);
    if (!loop)
        return tensor_fail("%s: not supported for %s tensors", fn, dtype_name(dt));
    const Tensor *in[1] = {x};
    return ew_result(fn, target, 1, in, &dt, out_dt, loop, NULL);
}

Tensor *tensor_unary(UnaryOp op, const Tensor *x)
{
    return unary_run(unary_ops[op].name, op, NULL, x);
}

int tensor_unary_(UnaryOp op, Tensor *x)
{
    return unary_run(unary_ops[op].name_, op, x, x) ? 0 : -1;
}
