/*
 * ternary.c — elementwise ops of three operands: where, masked_fill, clamp,
 * lerp, addcmul and addcdiv.
 *
 * They share one loop shape, out = EXPR(x, y, z), run through the
 * elementwise runner of elementwise.c (broadcasting, dtype conversion,
 * in-place rules).  where and masked_fill only move bits, so their loops are
 * chosen by element size, not dtype.  clamp is one pass with both bounds:
 * a missing bound becomes a 0-dim tensor holding the dtype's extreme, so
 * "min only", "max only" and tensor bounds all take the same loop.
 */
#include "tensor/elementwise.h"

#include <math.h>
#include <tgmath.h>

/* out (type T) = EXPR(x, y, z) for x of type T1, y and z of type T; `s` is
 * the op's scalar parameter (ctx points to a double). */
#define TERNARY_LOOP(NAME, T1, T, EXPR)                                                  \
    static void NAME(char **p, const int64_t *st, int64_t n, void *ctx)                  \
    {                                                                                    \
        const double s = *(const double *)ctx;                                           \
        (void)s;                                                                         \
        T *o = (T *)p[0];                                                                \
        const T1 *a = (const T1 *)p[1];                                                  \
        const T *b = (const T *)p[2], *c = (const T *)p[3];                              \
        bool dense = st[0] == sizeof(T) && st[1] == sizeof(T1);                          \
        if (dense && st[2] == sizeof(T) && st[3] == sizeof(T)) {                         \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++)                          \
            {                                                                            \
                const T1 x = a[i];                                                       \
                const T y = b[i], z = c[i];                                              \
                o[i] = (EXPR);                                                           \
            }                                                                            \
        } else if (dense && st[2] == sizeof(T) && st[3] == 0) {                          \
            /* a scalar third operand: where(cond, g, 0) in ReLU's gradient */           \
            const T z = c[0];                                                            \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++)                          \
            {                                                                            \
                const T1 x = a[i];                                                       \
                const T y = b[i];                                                        \
                o[i] = (EXPR);                                                           \
            }                                                                            \
        } else {                                                                         \
            for (int64_t i = 0; i < n; i++) {                                            \
                const T1 x = *(const T1 *)(p[1] + i * st[1]);                            \
                const T y = *(const T *)(p[2] + i * st[2]), z = *(const T *)(p[3] + i * st[3]); \
                *(T *)(p[0] + i * st[0]) = (EXPR);                                       \
            }                                                                            \
        }                                                                                \
    }

#define FLOAT_LOOPS(OP, E) EW_FLOAT_LOOPS(TERNARY_LOOP, OP, E)
#define INT_LOOPS(OP, E) EW_INT_LOOPS(TERNARY_LOOP, OP, E)

/* where: x is the bool condition; by element size. */
TERNARY_LOOP(where_1, uint8_t, uint8_t, x ? y : z)
TERNARY_LOOP(where_4, uint8_t, uint32_t, x ? y : z)
TERNARY_LOOP(where_8, uint8_t, uint64_t, x ? y : z)

/* clamp: max with y, then min with z; a NaN x stays NaN (no comparison
 * with it holds), and with y > z the result is z, as in PyTorch. */
#define CLAMP_E ((x < y ? y : x) > z ? z : (x < y ? y : x))
FLOAT_LOOPS(clamp, CLAMP_E)
INT_LOOPS(clamp, CLAMP_E)

/* PyTorch's two-sided lerp: exact at both ends. x start, y end, z weight. */
FLOAT_LOOPS(lerp, fabs(z) < EW_K(0.5) ? x + z * (y - x) : y - (y - x) * (1 - z))

/* x + value * y * z (and / z), value converted to the compute type first;
 * integers wrap. */
FLOAT_LOOPS(addcmul, x + EW_K(s) * y * z)
INT_LOOPS(addcmul, (uint64_t)x + (uint64_t)(int64_t)s * (uint64_t)y * (uint64_t)z)
FLOAT_LOOPS(addcdiv, x + EW_K(s) * y / z)

static const LoopFn clamp_loops[DTYPE_COUNT] = {EW_NUM_ROW(clamp), [DTYPE_BOOL] = clamp_u8};
static const LoopFn lerp_loops[DTYPE_COUNT] = {EW_FLOAT_ROW(lerp)};
static const LoopFn addcmul_loops[DTYPE_COUNT] = {EW_NUM_ROW(addcmul)};
static const LoopFn addcdiv_loops[DTYPE_COUNT] = {EW_FLOAT_ROW(addcdiv)};

static LoopFn where_loop(DType dt)
{
    size_t size = dtype_size(dt);
    return size == 1 ? where_1 : size == 4 ? where_4 : where_8;
}

/* Out of place (target NULL: a new tensor) or into target (returned);
 * `scalar` is the loops' s. */
static Tensor *ternary_run(const char *fn, Tensor *target, const Tensor *const *in,
                           const DType *dts, DType out_dt, LoopFn loop, double scalar)
{
    return ew_result(fn, target, 3, in, dts, out_dt, loop, &scalar);
}

static bool check_bool(const char *fn, const char *what, const Tensor *t)
{
    if (t->dtype == DTYPE_BOOL)
        return true;
    tensor_fail("%s: %s must be a bool tensor, got %s", fn, what, dtype_name(t->dtype));
    return false;
}

/* ---- where, masked_fill ------------------------------------------------------ */

Tensor *tensor_where(const Tensor *cond, const Tensor *a, const Tensor *b)
{
    if (!check_bool("where", "the condition", cond))
        return NULL;
    const Tensor *ab[2] = {a, b}, *in[3] = {cond, a, b};
    DType dt = dtype_result_type(2, ab);
    DType dts[3] = {DTYPE_BOOL, dt, dt};
    return ternary_run("where", NULL, in, dts, dt, where_loop(dt), 0);
}

static Tensor *masked_fill_run(const char *fn, Tensor *target, const Tensor *x,
                               const Tensor *mask, const Tensor *value)
{
    if (!check_bool(fn, "the mask", mask))
        return NULL;
    if (value->ndim != 0)
        return tensor_fail("%s: the value must be a number or a 0-dim tensor, got a %d-dim "
                           "tensor", fn, value->ndim);
    const Tensor *in[3] = {mask, value, x};
    DType dts[3] = {DTYPE_BOOL, x->dtype, x->dtype};
    return ternary_run(fn, target, in, dts, x->dtype, where_loop(x->dtype), 0);
}

Tensor *tensor_masked_fill(const Tensor *x, const Tensor *mask, const Tensor *value)
{
    return masked_fill_run("masked_fill", NULL, x, mask, value);
}

int tensor_masked_fill_tensor_(Tensor *x, const Tensor *mask, const Tensor *value)
{
    return masked_fill_run("masked_fill_", x, x, mask, value) ? 0 : -1;
}

/* ---- clamp ---------------------------------------------------------------- */

/* The 0-dim stand-in for a missing bound: the lowest or highest value of dt,
 * written directly (INT64_MAX has no exact double). */
static Tensor *clamp_unbounded(DType dt, bool upper)
{
    Tensor *t = tensor_empty(0, NULL, dt);
    if (!t)
        return NULL;
    void *p = tensor_data(t);
    switch (dt) {
    case DTYPE_FLOAT32: *(float *)p = upper ? INFINITY : -INFINITY; break;
    case DTYPE_FLOAT64: *(double *)p = upper ? INFINITY : -INFINITY; break;
    case DTYPE_INT64: *(int64_t *)p = upper ? INT64_MAX : INT64_MIN; break;
    default: *(uint8_t *)p = upper ? (dt == DTYPE_BOOL ? 1 : UINT8_MAX) : 0; break;
    }
    return t;
}

static Tensor *clamp_run(const char *fn, Tensor *target, const Tensor *x, const Tensor *lo,
                         const Tensor *hi)
{
    if (!lo && !hi)
        return tensor_fail("%s: at least one of min and max must be given", fn);
    const Tensor *given[3] = {x, lo ? lo : hi, hi};
    DType dt = dtype_result_type(lo && hi ? 3 : 2, given);
    Tensor *lo_fill = lo ? NULL : clamp_unbounded(dt, false);
    Tensor *hi_fill = hi ? NULL : clamp_unbounded(dt, true);
    Tensor *out = NULL;
    if ((lo || lo_fill) && (hi || hi_fill)) {
        const Tensor *in[3] = {x, lo ? lo : lo_fill, hi ? hi : hi_fill};
        DType dts[3] = {dt, dt, dt};
        out = ternary_run(fn, target, in, dts, dt, clamp_loops[dt], 0);
    }
    tensor_release(lo_fill);
    tensor_release(hi_fill);
    return out;
}

Tensor *tensor_clamp(const Tensor *x, const Tensor *lo, const Tensor *hi)
{
    return clamp_run("clamp", NULL, x, lo, hi);
}

int tensor_clamp_(Tensor *x, const Tensor *lo, const Tensor *hi)
{
    return clamp_run("clamp_", x, x, lo, hi) ? 0 : -1;
}

/* ---- lerp ------------------------------------------------------------------ */

/* As in PyTorch, end and a tensor weight must have start's (floating) dtype. */
static Tensor *lerp_run(const char *fn, Tensor *target, const Tensor *start, const Tensor *end,
                        const Tensor *weight)
{
    DType dt = start->dtype;
    if (!dtype_is_floating(dt))
        return tensor_fail("%s: expected a floating tensor, got %s", fn, dtype_name(dt));
    if (end->dtype != dt || weight->dtype != dt)
        return tensor_fail("%s: expected dtype %s for %s but got %s", fn, dtype_name(dt),
                           end->dtype != dt ? "end" : "weight",
                           dtype_name(end->dtype != dt ? end->dtype : weight->dtype));
    const Tensor *in[3] = {start, end, weight};
    DType dts[3] = {dt, dt, dt};
    return ternary_run(fn, target, in, dts, dt, lerp_loops[dt], 0);
}

Tensor *tensor_lerp(const Tensor *start, const Tensor *end, const Tensor *weight)
{
    return lerp_run("lerp", NULL, start, end, weight);
}

int tensor_lerp_(Tensor *start, const Tensor *end, const Tensor *weight)
{
    return lerp_run("lerp_", start, start, end, weight) ? 0 : -1;
}

/* ---- addcmul, addcdiv -------------------------------------------------------- */

static Tensor *addc_run(const char *fn, const LoopFn *loops, Tensor *target, const Tensor *x,
                        const Tensor *t1, const Tensor *t2, double value)
{
    const Tensor *in[3] = {x, t1, t2};
    DType dt = dtype_result_type(3, in);
    if (!loops[dt])
        return tensor_fail(loops == addcdiv_loops && dt != DTYPE_BOOL
                               ? "%s: integer division is not supported for %s tensors; "
                                 "convert them to a floating dtype first"
                               : "%s: not supported for %s tensors",
                           fn, dtype_name(dt));
    /* An integer result truncates value, as PyTorch does; it must fit. */
    if (!dtype_is_floating(dt) && !(fabs(value) < 0x1p63))
        return tensor_fail("%s: value %g is out of range for %s tensors", fn, value,
                           dtype_name(dt));
    DType dts[3] = {dt, dt, dt};
    return ternary_run(fn, target, in, dts, dt, loops[dt], value);
}

Tensor *tensor_addcmul(const Tensor *x, const Tensor *t1, const Tensor *t2, double value)
{
    return addc_run("addcmul", addcmul_loops, NULL, x, t1, t2, value);
}

int tensor_addcmul_(Tensor *x, const Tensor *t1, const Tensor *t2, double value)
{
    return addc_run("addcmul_", addcmul_loops, x, x, t1, t2, value) ? 0 : -1;
}

Tensor *tensor_addcdiv(const Tensor *x, const Tensor *t1, const Tensor *t2, double value)
{
    return addc_run("addcdiv", addcdiv_loops, NULL, x, t1, t2, value);
}

int tensor_addcdiv_(Tensor *x, const Tensor *t1, const Tensor *t2, double value)
{
    return addc_run("addcdiv_", addcdiv_loops, x, x, t1, t2, value) ? 0 : -1;
}
