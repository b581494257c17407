/*
 * test_elementwise.c — the elementwise core from C: promotion rules, the
 * binary/unary/ternary kernels on strided, expanded and big (threaded)
 * operands, the in-place rules, and integer corner cases.
 *
 * Kernel results are compared element by element with a naive reference that
 * reads every operand through tensor_get at its broadcast index and computes
 * in double: for float64 operands the kernels must agree exactly (the same
 * IEEE operations), whatever path (dense, scalar, strided, threaded) ran.
 * Promotion expectations are PyTorch's, written out by hand.
 */
#include <math.h>

#include "tensor/elementwise.h"
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

/* ---- promotion -------------------------------------------------------------- */

static void test_promotion(void)
{
    enum { F32 = DTYPE_FLOAT32, F64 = DTYPE_FLOAT64, I64 = DTYPE_INT64, U8 = DTYPE_UINT8,
           B = DTYPE_BOOL };
    /* {a dtype, a is 0-dim, b dtype, b is 0-dim, result} */
    static const int cases[][5] = {
        {F32, 0, F64, 0, F64}, {I64, 0, U8, 0, I64},   {B, 0, U8, 0, U8},
        {I64, 0, F64, 1, F64}, /* 0-dim of a higher category wins */
        {F32, 0, F64, 1, F32}, /* ... of the same category does not */
        {U8, 0, I64, 1, U8},   {B, 0, I64, 1, I64},    {B, 0, F64, 1, F64},
        {F64, 1, I64, 0, F64}, {U8, 1, I64, 1, I64},   /* two 0-dims promote as usual */
        {F32, 1, B, 0, F32},   {I64, 1, U8, 0, U8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Tensor *a = tensor_zeros(cases[i][1] ? 0 : 1, (const int64_t[]){2}, (DType)cases[i][0]);
        Tensor *b = tensor_zeros(cases[i][3] ? 0 : 1, (const int64_t[]){2}, (DType)cases[i][2]);
        const Tensor *ab[2] = {a, b}, *ba[2] = {b, a};
        CHECK(dtype_result_type(2, ab) == (DType)cases[i][4]);
        CHECK(dtype_result_type(2, ba) == (DType)cases[i][4]);
        Tensor *sum = tensor_binary(BINARY_ADD, a, b);
        CHECK(sum && sum->dtype == (DType)cases[i][4]);
        tensor_release(sum), tensor_release(a), tensor_release(b);
    }
    /* Python scalars: bool keeps the tensor dtype, int too except for bool
     * tensors, float keeps floating dtypes and gives the default otherwise. */
    CHECK(dtype_result_with_scalar(DTYPE_UINT8, SCALAR_BOOL) == DTYPE_UINT8);
    CHECK(dtype_result_with_scalar(DTYPE_BOOL, SCALAR_BOOL) == DTYPE_BOOL);
    CHECK(dtype_result_with_scalar(DTYPE_BOOL, SCALAR_INT) == DTYPE_INT64);
    CHECK(dtype_result_with_scalar(DTYPE_UINT8, SCALAR_INT) == DTYPE_UINT8);
    CHECK(dtype_result_with_scalar(DTYPE_FLOAT32, SCALAR_INT) == DTYPE_FLOAT32);
    CHECK(dtype_result_with_scalar(DTYPE_INT64, SCALAR_FLOAT) == DTYPE_FLOAT32);
    CHECK(dtype_result_with_scalar(DTYPE_FLOAT64, SCALAR_FLOAT) == DTYPE_FLOAT64);
    CHECK(dtype_of_scalar(SCALAR_BOOL) == DTYPE_BOOL && dtype_of_scalar(SCALAR_INT) == DTYPE_INT64);
    dtype_set_default(DTYPE_FLOAT64);
    CHECK(dtype_result_with_scalar(DTYPE_INT64, SCALAR_FLOAT) == DTYPE_FLOAT64);
    CHECK(dtype_of_scalar(SCALAR_FLOAT) == DTYPE_FLOAT64);
    Tensor *i = arange(SHAPE(3), DTYPE_INT64), *e = tensor_unary(UNARY_EXP, i);
    CHECK(e->dtype == DTYPE_FLOAT64);
    tensor_release(e);
    dtype_set_default(DTYPE_FLOAT32);
    e = tensor_unary(UNARY_EXP, i);
    CHECK(e->dtype == DTYPE_FLOAT32);
    tensor_release(e), tensor_release(i);
    CHECK(ew_can_cast(DTYPE_INT64, DTYPE_UINT8) && ew_can_cast(DTYPE_FLOAT64, DTYPE_FLOAT32));
    CHECK(ew_can_cast(DTYPE_BOOL, DTYPE_FLOAT32) && !ew_can_cast(DTYPE_FLOAT32, DTYPE_INT64));
    CHECK(!ew_can_cast(DTYPE_UINT8, DTYPE_BOOL));
}

/* ---- the naive reference ------------------------------------------------------ */

static double ref_binary(BinaryOp op, double x, double y)
{
    switch (op) {
    case BINARY_ADD: return x + y;
    case BINARY_SUB: return x - y;
    case BINARY_MUL: return x * y;
    case BINARY_DIV: return x / y;
    case BINARY_REMAINDER: {
        double r = fmod(x, y);
        return r != 0 && (r < 0) != (y < 0) ? r + y : r;
    }
    case BINARY_MAXIMUM: return isnan(x) || x > y ? x : y;
    case BINARY_LT: return x < y;
    case BINARY_LOGICAL_XOR: return (x != 0) != (y != 0);
    default: return NAN;
    }
}

/* Every element of r against op over a and b at the broadcast index. */
static bool matches_reference(const Tensor *r, BinaryOp op, const Tensor *a, const Tensor *b,
                              double tol)
{
    Tensor *ax = tensor_expand(a, r->ndim, r->shape), *bx = tensor_expand(b, r->ndim, r->shape);
    int64_t idx[TENSOR_MAX_DIMS] = {0}, n = tensor_numel(r);
    bool ok = ax && bx;
    for (int64_t k = 0; k < n && ok; k++) {
        double want = ref_binary(op, tensor_get(ax, idx), tensor_get(bx, idx));
        double got = tensor_get(r, idx);
        ok = got == want || (isnan(want) && isnan(got)) || fabs(got - want) <= tol * fabs(want);
        if (!ok)
            fprintf(stderr, "     %s at element %lld: got %.17g, want %.17g\n",
                    binary_op_name(op), (long long)k, got, want);
        for (int d = r->ndim - 1; d >= 0 && ++idx[d] == r->shape[d]; d--)
            idx[d] = 0;
    }
    tensor_release(ax), tensor_release(bx);
    return ok;
}

static const BinaryOp checked_ops[] = {BINARY_ADD, BINARY_SUB, BINARY_MUL, BINARY_DIV,
                                       BINARY_REMAINDER, BINARY_MAXIMUM, BINARY_LT,
                                       BINARY_LOGICAL_XOR};

/* Every checked op on (a, b) matches the reference, in float64 exactly. */
static void check_all_ops(const Tensor *a, const Tensor *b, double tol)
{
    for (size_t i = 0; i < sizeof checked_ops / sizeof checked_ops[0]; i++) {
        Tensor *r = tensor_binary(checked_ops[i], a, b);
        CHECK(r && matches_reference(r, checked_ops[i], a, b, tol));
        tensor_release(r);
    }
}

/* (i - c) * scale + shift in row-major order: mixed signs, some zeros. */
static Tensor *ramp(int ndim, const int64_t *shape, DType dt, double scale, double shift)
{
    Tensor *t = arange(ndim, shape, dt);
    Tensor *s = tensor_scalar(scale, dt), *h = tensor_scalar(shift, dt);
    tensor_binary_(BINARY_MUL, t, s);
    tensor_binary_(BINARY_ADD, t, h);
    tensor_release(s), tensor_release(h);
    return t;
}

/* ---- binary kernels --------------------------------------------------------------- */

static void test_binary_strided(void)
{
    /* a: 4x6 transposed to 6x4; b: a narrowed 6x4 window; c: a row expanded. */
    Tensor *base = ramp(SHAPE(4, 6), DTYPE_FLOAT64, 0.75, -7);
    Tensor *a = tensor_transpose(base, 0, 1);
    Tensor *wide = ramp(SHAPE(6, 5), DTYPE_FLOAT64, -0.5, 9.25);
    Tensor *b = tensor_narrow(wide, 1, 1, 4);
    Tensor *row = ramp(SHAPE(1, 4), DTYPE_FLOAT64, 2.5, -3);
    Tensor *c = tensor_expand(row, SHAPE(6, 4));
    Tensor *col = ramp(SHAPE(6, 1), DTYPE_FLOAT64, 1.5, -4);
    Tensor *s = tensor_scalar(-2.5, DTYPE_FLOAT64);
    check_all_ops(a, b, 0);
    check_all_ops(b, c, 0);
    check_all_ops(a, row, 0);
    check_all_ops(col, row, 0);   /* 6x1 with 1x4 */
    check_all_ops(s, a, 0);       /* 0-dim first */
    check_all_ops(b, s, 0);
    tensor_release(a), tensor_release(base), tensor_release(c), tensor_release(row);
    tensor_release(b), tensor_release(wide), tensor_release(col), tensor_release(s);

    /* float32 and int64 through the same reference. */
    Tensor *f = ramp(SHAPE(5, 3), DTYPE_FLOAT32, 0.3, -2), *ft = tensor_transpose(f, 0, 1);
    Tensor *g = ramp(SHAPE(3, 5), DTYPE_FLOAT32, -0.7, 4.1);
    check_all_ops(ft, g, 1e-6);
    Tensor *i = ramp(SHAPE(3, 5), DTYPE_INT64, 3, -20), *j = ramp(SHAPE(5), DTYPE_INT64, -2, 5);
    Tensor *r = tensor_binary(BINARY_REMAINDER, i, j);   /* j has no zero: 5 3 1 -1 -3 */
    CHECK(r && r->dtype == DTYPE_INT64 && matches_reference(r, BINARY_REMAINDER, i, j, 0));
    tensor_release(r);
    r = tensor_binary(BINARY_DIV, i, j);
    CHECK(r && r->dtype == DTYPE_FLOAT32 && matches_reference(r, BINARY_DIV, i, j, 1e-6));
    tensor_release(r), tensor_release(i), tensor_release(j);
    tensor_release(ft), tensor_release(f), tensor_release(g);
}

static void test_binary_threaded(void)
{
    /* 400x300 = 120000 elements, beyond PARALLEL_GRAIN: split across threads,
     * with the rows cut mid-way; transposed and broadcast operands. */
    Tensor *base = ramp(SHAPE(300, 400), DTYPE_FLOAT64, 0.01, -500);
    Tensor *a = tensor_transpose(base, 0, 1);
    Tensor *row = ramp(SHAPE(300), DTYPE_FLOAT64, -1.25, 100);
    Tensor *b = ramp(SHAPE(400, 300), DTYPE_FLOAT64, 0.5, -30000);
    check_all_ops(a, row, 0);
    check_all_ops(a, b, 0);
    /* In place on a transposed view, threaded. */
    Tensor *before = tensor_clone(a);
    CHECK(tensor_binary_(BINARY_MUL, a, row) == 0);
    CHECK(matches_reference(a, BINARY_MUL, before, row, 0));
    tensor_release(before), tensor_release(a), tensor_release(base);
    tensor_release(row), tensor_release(b);
}

static void test_integers(void)
{
    /* int64 arithmetic wraps instead of being undefined; uint8 wraps at 256. */
    Tensor *big = tensor_scalar(0, DTYPE_INT64), *one = tensor_scalar(1, DTYPE_INT64);
    *(int64_t *)tensor_data(big) = INT64_MAX;
    Tensor *r = tensor_binary(BINARY_ADD, big, one);
    CHECK(r && *(int64_t *)tensor_data(r) == INT64_MIN);
    Tensor *n = tensor_unary(UNARY_NEG, r);
    CHECK(*(int64_t *)tensor_data(n) == INT64_MIN);
    tensor_release(n), tensor_release(r);
    Tensor *u = arange(SHAPE(4), DTYPE_UINT8), *k = tensor_scalar(100, DTYPE_UINT8);
    Tensor *uk = tensor_binary(BINARY_MUL, u, k);
    CHECK(uk->dtype == DTYPE_UINT8 && AT(uk, 3) == 300 - 256);
    r = tensor_binary(BINARY_SUB, k, uk);
    CHECK(AT(r, 2) == (double)(uint8_t)(100 - 200));
    tensor_release(r), tensor_release(uk);

    /* Integer division by zero is an error, INT64_MIN % -1 is 0. */
    Tensor *zero = tensor_scalar(0, DTYPE_INT64), *m1 = tensor_scalar(-1, DTYPE_INT64);
    Tensor *zero8 = tensor_scalar(0, DTYPE_UINT8);
    CHECK_ERROR(!tensor_binary(BINARY_FMOD, one, zero), "fmod: integer division by zero");
    CHECK_ERROR(!tensor_binary(BINARY_REMAINDER, u, zero8), "remainder: integer division by zero");
    *(int64_t *)tensor_data(big) = INT64_MIN;
    r = tensor_binary(BINARY_REMAINDER, big, m1);
    CHECK(r && *(int64_t *)tensor_data(r) == 0);
    tensor_release(r);

    /* Integer powers: by squaring, wrapping; negative exponents give 0 but
     * for bases 1 and -1. */
    Tensor *base = ramp(SHAPE(4), DTYPE_INT64, 1, -1);        /* -1 0 1 2 */
    Tensor *e = ramp(SHAPE(4), DTYPE_INT64, -2, 3);            /* 3 1 -1 -3 */
    r = tensor_binary(BINARY_POW, base, e);
    CHECK(AT(r, 0) == -1 && AT(r, 1) == 0 && AT(r, 2) == 1 && AT(r, 3) == 0);
    tensor_release(r);
    Tensor *sixty3 = tensor_scalar(63, DTYPE_INT64), *two = tensor_scalar(2, DTYPE_INT64);
    r = tensor_binary(BINARY_POW, two, sixty3);
    CHECK(*(int64_t *)tensor_data(r) == INT64_MIN);
    tensor_release(r), tensor_release(sixty3), tensor_release(two);
    tensor_release(base), tensor_release(e), tensor_release(zero), tensor_release(m1);
    tensor_release(zero8), tensor_release(u), tensor_release(k), tensor_release(big);
    tensor_release(one);
}

/* ---- the in-place rules --------------------------------------------------------- */

static void test_inplace(void)
{
    /* x += x^T reads the old values: the transposed operand is copied aside. */
    Tensor *x = arange(SHAPE(3, 3), DTYPE_FLOAT64), *xt = tensor_transpose(x, 0, 1);
    CHECK(tensor_binary_(BINARY_ADD, x, xt) == 0);
    CHECK(AT(x, 0, 1) == 1 + 3 && AT(x, 1, 0) == 3 + 1 && AT(x, 2, 2) == 16);
    /* x *= x (the same view) needs no copy and is right too. */
    CHECK(tensor_binary_(BINARY_MUL, x, x) == 0 && AT(x, 0, 1) == 16);
    tensor_release(xt), tensor_release(x);

    Tensor *i = arange(SHAPE(2, 3), DTYPE_INT64), *f = tensor_scalar(0.5, DTYPE_FLOAT32);
    CHECK_ERROR(tensor_binary_(BINARY_ADD, i, f) < 0,
                "add_: result type float32 can't be cast to the desired output type int64");
    CHECK_ERROR(tensor_unary_(UNARY_SQRT, i) < 0,
                "sqrt_: result type float32 can't be cast to the desired output type int64");
    /* A bool result fits any dtype; float64 into float32 is allowed. */
    Tensor *three = tensor_scalar(3, DTYPE_INT64);
    CHECK(tensor_binary_(BINARY_LT, i, three) == 0 && AT(i, 0, 2) == 1 && AT(i, 1, 0) == 0);
    Tensor *g = arange(SHAPE(2), DTYPE_FLOAT32), *d = arange(SHAPE(2), DTYPE_FLOAT64);
    CHECK(tensor_binary_(BINARY_ADD, g, d) == 0 && g->dtype == DTYPE_FLOAT32 && AT(g, 1) == 2);
    /* Only the other operand broadcasts. */
    Tensor *one = tensor_zeros(SHAPE(1), DTYPE_FLOAT32);
    CHECK_ERROR(tensor_binary_(BINARY_ADD, one, g) < 0,
                "add_: output with shape 1 doesn't match the broadcast shape 2");
    Tensor *ex = tensor_expand(one, SHAPE(4));
    CHECK_ERROR(tensor_unary_(UNARY_RELU, ex) < 0, "relu_: the tensor written to is an expanded view");
    tensor_release(ex), tensor_release(one), tensor_release(g), tensor_release(d);
    tensor_release(three), tensor_release(i), tensor_release(f);
}

/* ---- unary and ternary kernels ------------------------------------------------------ */

static void test_unary(void)
{
    Tensor *base = ramp(SHAPE(3, 4), DTYPE_FLOAT64, 0.4, -2.2), *x = tensor_transpose(base, 0, 1);
    Tensor *e = tensor_unary(UNARY_EXP, x), *s = tensor_unary(UNARY_SIGMOID, x);
    Tensor *r = tensor_unary(UNARY_ROUND, x), *g = tensor_unary(UNARY_GELU, x);
    int bad = 0;
    for (int64_t p = 0; p < 4; p++)
        for (int64_t q = 0; q < 3; q++) {
            double v = AT(x, p, q);
            bad += AT(e, p, q) != exp(v) || AT(s, p, q) != 1 / (1 + exp(-v));
            bad += AT(r, p, q) != nearbyint(v);
            bad += fabs(AT(g, p, q) - v * 0.5 * (1 + erf(v / sqrt(2)))) > 1e-15;
        }
    CHECK(bad == 0);
    tensor_release(e), tensor_release(s), tensor_release(r), tensor_release(g);
    /* rounding halves to even: -2.2 + 0.4 * 3 = -1.0, ... ; 2.5 -> 2, -0.5 -> -0 */
    Tensor *h = ramp(SHAPE(4), DTYPE_FLOAT32, 1, -1.5);      /* -1.5 -0.5 0.5 1.5 */
    r = tensor_unary(UNARY_ROUND, h);
    CHECK(AT(r, 0) == -2 && AT(r, 1) == 0 && AT(r, 2) == 0 && AT(r, 3) == 2);
    tensor_release(r), tensor_release(h);
    /* isinf of -inf is true (1), not glibc's -1. */
    Tensor *inf = tensor_scalar(-INFINITY, DTYPE_FLOAT32);
    r = tensor_unary(UNARY_ISINF, inf);
    CHECK(r->dtype == DTYPE_BOOL && *(uint8_t *)tensor_data(r) == 1);
    tensor_release(r), tensor_release(inf);
    Tensor *b = tensor_zeros(SHAPE(2), DTYPE_BOOL);
    CHECK_ERROR(!tensor_unary(UNARY_NEG, b), "neg: negation of a bool tensor is not supported");
    CHECK_ERROR(!tensor_unary(UNARY_ABS, b), "abs: not supported for bool tensors");
    tensor_release(b), tensor_release(x), tensor_release(base);
}

static void test_ternary(void)
{
    Tensor *x = ramp(SHAPE(2, 3), DTYPE_FLOAT32, 1, -2);       /* -2 -1 0 / 1 2 3 */
    Tensor *lo = tensor_scalar(-1, DTYPE_INT64), *hi = tensor_scalar(2.5, DTYPE_FLOAT64);
    Tensor *c = tensor_clamp(x, lo, hi);
    CHECK(c->dtype == DTYPE_FLOAT32 && AT(c, 0, 0) == -1 && AT(c, 1, 1) == 2 && AT(c, 1, 2) == 2.5);
    tensor_release(c);
    c = tensor_clamp(x, NULL, lo);
    CHECK(AT(c, 0, 0) == -2 && AT(c, 1, 2) == -1);
    tensor_release(c);
    CHECK_ERROR(!tensor_clamp(x, NULL, NULL), "clamp: at least one of min and max must be given");

    Tensor *mask = tensor_binary(BINARY_GT, x, lo);              /* x > -1 */
    Tensor *xt = tensor_transpose(x, 0, 1), *mt = tensor_transpose(mask, 0, 1);
    Tensor *w = tensor_where(mt, xt, hi);                        /* float64: 0-dim same category */
    CHECK(w->dtype == DTYPE_FLOAT32 && AT(w, 0, 0) == 2.5 && AT(w, 2, 0) == 0 && AT(w, 2, 1) == 3);
    tensor_release(w);
    w = tensor_where(mask, x, hi);                               /* dense, with a scalar */
    CHECK(AT(w, 0, 0) == 2.5 && AT(w, 0, 2) == 0 && AT(w, 1, 2) == 3);
    tensor_release(w);
    CHECK(tensor_masked_fill_tensor_(xt, mt, lo) == 0);
    CHECK(AT(x, 0, 0) == -2 && AT(x, 0, 2) == -1 && AT(x, 1, 2) == -1);
    CHECK_ERROR(!tensor_where(x, x, x), "where: the condition must be a bool tensor, got float32");

    Tensor *end = ramp(SHAPE(2, 3), DTYPE_FLOAT32, 2, 0), *half = tensor_scalar(0.5, DTYPE_FLOAT32);
    Tensor *l = tensor_lerp(x, end, half);
    CHECK(AT(l, 0, 0) == -1 && AT(l, 1, 1) == (-1 + 8) / 2.0);
    tensor_release(l);
    l = tensor_addcmul(x, end, end, 0.25);
    CHECK(AT(l, 0, 1) == -1 + 0.25 * 4 && AT(l, 1, 2) == -1 + 0.25 * 100);
    tensor_release(l);
    CHECK_ERROR(!tensor_lerp(x, end, lo), "lerp: expected dtype float32 for weight but got int64");
    tensor_release(end), tensor_release(half), tensor_release(xt), tensor_release(mt);
    tensor_release(mask), tensor_release(x), tensor_release(lo), tensor_release(hi);
}

static void test_empty(void)
{
    Tensor *e = tensor_zeros(SHAPE(0, 3), DTYPE_FLOAT32), *r3 = arange(SHAPE(3), DTYPE_FLOAT32);
    Tensor *r = tensor_binary(BINARY_ADD, e, r3);
    CHECK(r && r->ndim == 2 && r->shape[0] == 0 && r->shape[1] == 3);
    tensor_release(r);
    CHECK(tensor_binary_(BINARY_ADD, e, r3) == 0 && tensor_unary_(UNARY_EXP, e) == 0);
    tensor_release(e), tensor_release(r3);
}

int main(void)
{
    test_promotion();
    test_binary_strided();
    test_binary_threaded();
    test_integers();
    test_inplace();
    test_unary();
    test_ternary();
    test_empty();
    return check_summary();
}
