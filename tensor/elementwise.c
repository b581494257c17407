/*
 * elementwise.c — binary elementwise ops (add ... logical_xor) and the
 * runner every elementwise kernel shares (see elementwise.h).
 *
 * A binary op is one row of a loop table indexed by the compute dtype: the
 * operands are converted to PyTorch's result dtype, so each loop reads two
 * arrays of one C type and writes one (bool for comparisons).  Each loop has
 * three dense variants — both operands contiguous, or one of them a
 * broadcast scalar (stride 0) — written as plain indexed `omp simd` loops the
 * compiler vectorises at -O2, and a strided fallback; iter_run hands every
 * row of a coalesced strided view to them and splits big ones across threads.
 * Integer arithmetic wraps like PyTorch's (done in uint64_t, since signed
 * overflow is undefined in C); integer division by zero is reported instead
 * of trapping.  Float math comes from <tgmath.h>, so the float32 loops call
 * the float functions (powf, fmodf) as PyTorch's do.
 */
#include "tensor/elementwise.h"

#include <math.h>
#include <string.h>
#include <tgmath.h>

/* ---- the shared runner ------------------------------------------------------ */

bool ew_can_cast(DType from, DType to)
{
    return dtype_category(from) <= dtype_category(to);
}

bool ew_broadcast(const char *fn, int n, const Tensor *const *in, int *ndim, int64_t *shape)
{
    *ndim = in[0]->ndim;
    memcpy(shape, in[0]->shape, (size_t)*ndim * sizeof shape[0]);
    for (int k = 1; k < n; k++) {
        if (tensor_same_shape(in[k], in[0]))
            continue;                   /* in[0]'s shape is already in: the common case */
        int64_t acc[TENSOR_MAX_DIMS];   /* broadcast_shapes must not write its input */
        memcpy(acc, shape, (size_t)*ndim * sizeof acc[0]);
        if (!broadcast_shapes(fn, *ndim, acc, in[k]->ndim, in[k]->shape, ndim, shape))
            return false;
    }
    return true;
}

/* A header-only view of t broadcast to `shape`, on the caller's stack: no
 * allocation, no reference (it lives only for one iter_run). */
static void ew_view(Tensor *v, const Tensor *t, int ndim, const int64_t *shape)
{
    int lead = ndim - t->ndim;
    v->storage = t->storage;
    v->offset = t->offset;
    v->dtype = t->dtype;
    v->ndim = ndim;
    v->refcount = 1;
    v->base = NULL;
    v->autograd = NULL;
    for (int d = 0; d < ndim; d++) {
        v->shape[d] = shape[d];
        v->stride[d] = d < lead || t->shape[d - lead] != shape[d] ? 0 : t->stride[d - lead];
    }
}

/* True when t reads memory that writing `out` changes, other than by being
 * exactly out (where element i is read before element i is written). */
static bool ew_overlaps(const Tensor *t, const Tensor *out)
{
    if (t->storage != out->storage || tensor_numel(t) == 0)
        return false;
    return !(tensor_same_shape(t, out) && t->offset == out->offset &&
             memcmp(t->stride, out->stride, (size_t)t->ndim * sizeof t->stride[0]) == 0);
}

/* True when every element of t is the same memory: one element, or one
 * expanded (all strides 0, as the gradient of a sum arrives). */
static bool ew_single_element(const Tensor *t)
{
    for (int d = 0; d < t->ndim; d++)
        if (t->stride[d] != 0 && t->shape[d] != 1)
            return false;
    return true;
}

/* The common small case as one call of the loop, without planning an
 * iteration: out contiguous and small enough for one thread, every input
 * either contiguous of out's shape or a single element (stride 0). */
static bool ew_run_dense(Tensor *out, int n, Tensor *const *src, LoopFn loop, void *ctx)
{
    int64_t numel = tensor_numel(out);
    if (numel == 0 || numel >= PARALLEL_GRAIN || !tensor_is_contiguous(out))
        return false;
    char *ptrs[ITER_MAX_ARGS] = {tensor_data(out)};
    int64_t strides[ITER_MAX_ARGS] = {(int64_t)dtype_size(out->dtype)};
    for (int k = 0; k < n; k++) {
        if (ew_single_element(src[k]))
            strides[k + 1] = 0;
        else if (tensor_same_shape(src[k], out) && tensor_is_contiguous(src[k]))
            strides[k + 1] = (int64_t)dtype_size(src[k]->dtype);
        else
            return false;
        ptrs[k + 1] = tensor_data(src[k]);
    }
    loop(ptrs, strides, numel, ctx);
    return true;
}

int ew_run(Tensor *out, int n, const Tensor *const *in, const DType *dts, LoopFn loop, void *ctx)
{
    Tensor *src[ITER_MAX_ARGS - 1], *owned[ITER_MAX_ARGS - 1] = {NULL};
    for (int k = 0; k < n; k++) {
        src[k] = (Tensor *)in[k];   /* only read */
        if (in[k]->dtype != dts[k] || ew_overlaps(in[k], out)) {
            src[k] = owned[k] = tensor_to_dtype(in[k], dts[k]);
            if (!src[k]) {
                for (int j = 0; j < k; j++)
                    tensor_release(owned[j]);
                return -1;
            }
        }
    }
    if (!ew_run_dense(out, n, src, loop, ctx)) {
        Tensor views[ITER_MAX_ARGS - 1], *args[ITER_MAX_ARGS] = {out};
        for (int k = 0; k < n; k++) {
            ew_view(&views[k], src[k], out->ndim, out->shape);
            args[k + 1] = &views[k];
        }
        iter_run(n + 1, args, out->ndim, out->shape, loop, ctx, true);
    }
    for (int k = 0; k < n; k++)
        tensor_release(owned[k]);
    return 0;
}

Tensor *ew_apply(const char *fn, int n, const Tensor *const *in, const DType *dts, DType out_dt,
                 LoopFn loop, void *ctx)
{
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    if (!ew_broadcast(fn, n, in, &ndim, shape))
        return NULL;
    Tensor *out = tensor_empty(ndim, shape, out_dt);
    if (out && ew_run(out, n, in, dts, loop, ctx) < 0) {
        tensor_release(out);
        return NULL;
    }
    return out;
}

int ew_apply_(const char *fn, Tensor *x, int n, const Tensor *const *in, const DType *dts,
              DType out_dt, LoopFn loop, void *ctx)
{
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    if (!ew_broadcast(fn, n, in, &ndim, shape))
        return -1;
    if (ndim != x->ndim || memcmp(shape, x->shape, (size_t)ndim * sizeof shape[0]) != 0) {
        char xs[128], bs[128];
        tensor_fail("%s: output with shape %s doesn't match the broadcast shape %s", fn,
                    tensor_shape_str(x, xs, sizeof xs), shape_str(ndim, shape, bs, sizeof bs));
        return -1;
    }
    if (!ew_can_cast(out_dt, x->dtype)) {
        tensor_fail("%s: result type %s can't be cast to the desired output type %s", fn,
                    dtype_name(out_dt), dtype_name(x->dtype));
        return -1;
    }
    if (!tensor_begin_write(fn, x))
        return -1;
    if (out_dt == x->dtype)
        return ew_run(x, n, in, dts, loop, ctx);
    Tensor *tmp = tensor_empty(ndim, shape, out_dt);
    int status = tmp && ew_run(tmp, n, in, dts, loop, ctx) == 0 ? tensor_copy_(x, tmp) : -1;
    tensor_release(tmp);
    return status;
}

Tensor *ew_result(const char *fn, Tensor *target, int n, const Tensor *const *in,
                  const DType *dts, DType out_dt, LoopFn loop, void *ctx)
{
    if (!target)
        return ew_apply(fn, n, in, dts, out_dt, loop, ctx);
    return ew_apply_(fn, target, n, in, dts, out_dt, loop, ctx) < 0 ? NULL : target;
}

/* ---- binary loops ------------------------------------------------------------ */

/* `scalar` is the op's parameter (alpha); `fault` is set by a loop that met an
 * integer division by zero (any thread may set it, to the same value). */
typedef struct {
    double scalar;
    int fault;
} BinaryCtx;

#define BINARY_DENSE(T, XV, YV, EXPR)                                                    \
    {                                                                                    \
        _Pragma("omp simd") for (int64_t i = 0; i < n; i++)                              \
        {                                                                                \
            const T x = XV, y = YV;                                                      \
            o[i] = (EXPR);                                                               \
        }                                                                                \
    }

/* out (type R) = EXPR(x, y) for x, y of type T; `k` is the BinaryCtx and `s`
 * its scalar, read once so the loop stays free of memory dependences. */
#define BINARY_LOOP(NAME, T, R, EXPR)                                                    \
    static void NAME(char **p, const int64_t *st, int64_t n, void *ctx)                  \
    {                                                                                    \
        BinaryCtx *k = ctx;                                                              \
        const double s = k->scalar;                                                      \
        (void)s;                                                                         \
        R *o = (R *)p[0];                                                                \
        const T *a = (const T *)p[1], *b = (const T *)p[2];                              \
        if (st[0] == sizeof(R) && st[1] == sizeof(T) && st[2] == sizeof(T)) {            \
            BINARY_DENSE(T, a[i], b[i], EXPR)                                            \
        } else if (st[0] == sizeof(R) && st[1] == sizeof(T) && st[2] == 0) {             \
            const T bs = b[0];                                                           \
            BINARY_DENSE(T, a[i], bs, EXPR)                                              \
        } else if (st[0] == sizeof(R) && st[1] == 0 && st[2] == sizeof(T)) {             \
            const T as = a[0];                                                           \
            BINARY_DENSE(T, as, b[i], EXPR)                                              \
        } else {                                                                         \
            for (int64_t i = 0; i < n; i++) {                                            \
                const T x = *(const T *)(p[1] + i * st[1]);                              \
                const T y = *(const T *)(p[2] + i * st[2]);                              \
                *(R *)(p[0] + i * st[0]) = (EXPR);                                       \
            }                                                                            \
        }                                                                                \
    }

/* Loops per dtype: arithmetic (result of the operands' type) with one
 * expression per kind of type, float-only, and bool-valued. */
#define ARITH_LOOPS(OP, FE, IE, UE)                                                      \
    EW_FLOAT_LOOPS(BINARY_LOOP, OP, FE)                                                  \
    BINARY_LOOP(OP##_i64, int64_t, int64_t, IE)                                          \
    BINARY_LOOP(OP##_u8, uint8_t, uint8_t, UE)
#define FLOAT_LOOPS(OP, FE) EW_FLOAT_LOOPS(BINARY_LOOP, OP, FE)
#define BOOL_LOOPS(OP, E)                                                                \
    BINARY_LOOP(OP##_f32, float, uint8_t, E)                                             \
    BINARY_LOOP(OP##_f64, double, uint8_t, E)                                            \
    BINARY_LOOP(OP##_i64, int64_t, uint8_t, E)                                           \
    BINARY_LOOP(OP##_u8, uint8_t, uint8_t, E)

/* Wrapping integer arithmetic: computed in uint64_t, stored back modulo the
 * width of the result type. */
#define WRAP(op) ((uint64_t)x op (uint64_t)y)

static inline uint64_t ipow(uint64_t base, uint64_t e)
{
    uint64_t r = 1;
    for (; e; e >>= 1, base *= base)
        if (e & 1)
            r *= base;
    return r;
}

/* Integer powers with a negative exponent are 0 unless the base is 1 or -1
 * (PyTorch's rule for tensor exponents). */
static inline int64_t i64_pow(int64_t b, int64_t e)
{
    if (e >= 0)
        return (int64_t)ipow((uint64_t)b, (uint64_t)e);
    return b == 1 ? 1 : b == -1 ? (e & 1 ? -1 : 1) : 0;
}

static inline void fault(BinaryCtx *k)
{
    __atomic_store_n(&k->fault, 1, __ATOMIC_RELAXED);
}

/* C's %, guarded: x % 0 faults, and INT64_MIN % -1 (which traps) is 0. */
static inline int64_t i64_fmod(int64_t x, int64_t y, BinaryCtx *k)
{
    if (y == 0) {
        fault(k);
        return 0;
    }
    return y == -1 ? 0 : x % y;
}

static inline uint8_t u8_fmod(uint8_t x, uint8_t y, BinaryCtx *k)
{
    if (y == 0) {
        fault(k);
        return 0;
    }
    return x % y;
}

/* Python's modulo: the result takes the sign of the divisor. */
static inline int64_t i64_remainder(int64_t x, int64_t y, BinaryCtx *k)
{
    int64_t r = i64_fmod(x, y, k);
    return r != 0 && (r < 0) != (y < 0) ? r + y : r;
}

#define REMAINDER_F                                                                      \
    ({                                                                                   \
        __typeof__(x) r_ = fmod(x, y);                                                   \
        r_ != 0 && (r_ < 0) != (y < 0) ? r_ + y : r_;                                    \
    })

ARITH_LOOPS(add, x + y, WRAP(+), WRAP(+))
#define WRAP_SCALED ((uint64_t)x + (uint64_t)(int64_t)s * (uint64_t)y)
ARITH_LOOPS(add_scaled, x + EW_K(s) * y, WRAP_SCALED, WRAP_SCALED)
ARITH_LOOPS(sub, x - y, WRAP(-), WRAP(-))
ARITH_LOOPS(mul, x * y, WRAP(*), WRAP(*))
FLOAT_LOOPS(div, x / y)
ARITH_LOOPS(pow, pow(x, y), i64_pow(x, y), ipow(x, y))
ARITH_LOOPS(fmod, fmod(x, y), i64_fmod(x, y, k), u8_fmod(x, y, k))
ARITH_LOOPS(remainder, REMAINDER_F, i64_remainder(x, y, k), u8_fmod(x, y, k))
/* NaN wins, as in PyTorch: x != x holds only for NaN. */
ARITH_LOOPS(maximum, x > y || x != x ? x : y, x > y ? x : y, x > y ? x : y)
ARITH_LOOPS(minimum, x < y || x != x ? x : y, x < y ? x : y, x < y ? x : y)
FLOAT_LOOPS(atan2, atan2(x, y))
BOOL_LOOPS(eq, x == y)
BOOL_LOOPS(ne, x != y)
BOOL_LOOPS(lt, x < y)
BOOL_LOOPS(le, x <= y)
BOOL_LOOPS(gt, x > y)
BOOL_LOOPS(ge, x >= y)
BOOL_LOOPS(logical_and, (x != 0) & (y != 0))
BOOL_LOOPS(logical_or, (x != 0) | (y != 0))
BOOL_LOOPS(logical_xor, (x != 0) ^ (y != 0))
/* bool + bool is "or"; the other bool ops reuse the uint8 loops of 0/1. */
BINARY_LOOP(add_b, uint8_t, uint8_t, x | y)
BINARY_LOOP(add_scaled_b, uint8_t, uint8_t, x | (y & (s != 0)))

#define ALL_ROW(OP) EW_NUM_ROW(OP), [DTYPE_BOOL] = OP##_u8

/* The kind of result: the operands' dtype, a floating one, or bool. */
typedef enum { RESULT_SAME, RESULT_FLOAT, RESULT_BOOL } ResultKind;

static const struct {
    const char *name, *name_;
    ResultKind kind;
    LoopFn loops[DTYPE_COUNT];   /* by compute dtype; NULL: not supported */
} binary_ops[BINARY_COUNT] = {
    [BINARY_ADD] = {EW_NAMES("add"), RESULT_SAME, {EW_NUM_ROW(add), [DTYPE_BOOL] = add_b}},
    [BINARY_SUB] = {EW_NAMES("sub"), RESULT_SAME, {EW_NUM_ROW(sub)}},
    [BINARY_MUL] = {EW_NAMES("mul"), RESULT_SAME, {ALL_ROW(mul)}},
    [BINARY_DIV] = {EW_NAMES("div"), RESULT_FLOAT, {EW_FLOAT_ROW(div)}},
    [BINARY_POW] = {EW_NAMES("pow"), RESULT_SAME, {EW_NUM_ROW(pow)}},
    [BINARY_FMOD] = {EW_NAMES("fmod"), RESULT_SAME, {EW_NUM_ROW(fmod)}},
    [BINARY_REMAINDER] = {EW_NAMES("remainder"), RESULT_SAME, {EW_NUM_ROW(remainder)}},
    [BINARY_MAXIMUM] = {EW_NAMES("maximum"), RESULT_SAME, {ALL_ROW(maximum)}},
    [BINARY_MINIMUM] = {EW_NAMES("minimum"), RESULT_SAME, {ALL_ROW(minimum)}},
    [BINARY_ATAN2] = {EW_NAMES("atan2"), RESULT_FLOAT, {EW_FLOAT_ROW(atan2)}},
    [BINARY_EQ] = {EW_NAMES("eq"), RESULT_BOOL, {ALL_ROW(eq)}},
    [BINARY_NE] = {EW_NAMES("ne"), RESULT_BOOL, {ALL_ROW(ne)}},
    [BINARY_LT] = {EW_NAMES("lt"), RESULT_BOOL, {ALL_ROW(lt)}},
    [BINARY_LE] = {EW_NAMES("le"), RESULT_BOOL, {ALL_ROW(le)}},
    [BINARY_GT] = {EW_NAMES("gt"), RESULT_BOOL, {ALL_ROW(gt)}},
    [BINARY_GE] = {EW_NAMES("ge"), RESULT_BOOL, {ALL_ROW(ge)}},
    [BINARY_LOGICAL_AND] = {EW_NAMES("logical_and"), RESULT_BOOL, {ALL_ROW(logical_and)}},
    [BINARY_LOGICAL_OR] = {EW_NAMES("logical_or"), RESULT_BOOL, {ALL_ROW(logical_or)}},
    [BINARY_LOGICAL_XOR] = {EW_NAMES("logical_xor"), RESULT_BOOL, {ALL_ROW(logical_xor)}},
};

static const LoopFn add_scaled_loops[DTYPE_COUNT] = {EW_NUM_ROW(add_scaled),
                                                     [DTYPE_BOOL] = add_scaled_b};

/* ---- dispatch -------------------------------------------------------------- */

const char *binary_op_name(BinaryOp op)
{
    return binary_ops[op].name;
}

/* The one path of every binary op: `loops` is the op's row (or the alpha
 * row), `target` the tensor written in place or NULL for a new result.
 * Returns the result (target itself when in place) or NULL. */
static Tensor *binary_run(const char *fn, BinaryOp op, const LoopFn *loops, Tensor *target,
                          const Tensor *a, const Tensor *b, double scalar)
{
    const Tensor *in[2] = {a, b};
    DType dt = dtype_result_type(2, in);
    if (binary_ops[op].kind == RESULT_FLOAT && !dtype_is_floating(dt))
        dt = dtype_default();
    if (op == BINARY_SUB && (a->dtype == DTYPE_BOOL || b->dtype == DTYPE_BOOL))
        return tensor_fail("%s: subtraction with a bool tensor is not supported; use "
                           "logical_xor, or logical_not to invert a mask", fn);
    if (!loops[dt])
        return tensor_fail("%s: not supported for %s tensors", fn, dtype_name(dt));
    DType out_dt = binary_ops[op].kind == RESULT_BOOL ? DTYPE_BOOL : dt;
    DType dts[2] = {dt, dt};
    BinaryCtx ctx = {scalar, 0};
    Tensor *out = ew_result(fn, target, 2, in, dts, out_dt, loops[dt], &ctx);
    if (out && ctx.fault) {
        if (!target)
            tensor_release(out);
        return tensor_fail("%s: integer division by zero", fn);
    }
    return out;
}

Tensor *tensor_binary(BinaryOp op, const Tensor *a, const Tensor *b)
{
    return binary_run(binary_ops[op].name, op, binary_ops[op].loops, NULL, a, b, 0);
}

int tensor_binary_(BinaryOp op, Tensor *a, const Tensor *b)
{
    return binary_run(binary_ops[op].name_, op, binary_ops[op].loops, a, a, b, 0) ? 0 : -1;
}

/* alpha is converted to the compute dtype in the loop; for integers it must
 * be a whole number that fits, as PyTorch insists. */
static Tensor *add_scaled_run(const char *fn, BinaryOp op, Tensor *target, const Tensor *a,
                              const Tensor *b, double alpha)
{
    if (op != BINARY_ADD && op != BINARY_SUB)
        return tensor_fail("%s: alpha applies to add and sub only", fn);
    if (alpha == 1)
        return binary_run(fn, op, binary_ops[op].loops, target, a, b, 0);
    const Tensor *in[2] = {a, b};
    DType dt = dtype_result_type(2, in);
    if (!dtype_is_floating(dt) && (alpha != trunc(alpha) || fabs(alpha) >= 0x1p63))
        return tensor_fail("%s: for %s tensors alpha must be an integer, got %.17g", fn,
                           dtype_name(dt), alpha);
    return binary_run(fn, op, add_scaled_loops, target, a, b, op == BINARY_SUB ? -alpha : alpha);
}

Tensor *tensor_add_scaled(BinaryOp op, const Tensor *a, const Tensor *b, double alpha)
{
    return add_scaled_run(binary_ops[op].name, op, NULL, a, b, alpha);
}

int tensor_add_scaled_(BinaryOp op, Tensor *a, const Tensor *b, double alpha)
{
    return add_scaled_run(binary_ops[op].name_, op, a, a, b, alpha) ? 0 : -1;
}
