/*
 * test_copy.c — broadcasting, the strided iterator, copies between every
 * pair of dtypes, and fill_.
 *
 * Conversion results are written out by hand in a table (PyTorch gives the
 * same: truncation toward zero, float -> uint8 through int64, bool is != 0).
 * The iterator is checked on transposed, narrowed and expanded operands, for
 * the number of inner-loop calls it makes, and threaded against serial.
 */
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

static void test_broadcast_shapes(void)
{
    int n;
    int64_t out[TENSOR_MAX_DIMS];
    CHECK(broadcast_shapes("add", SHAPE(3, 4), SHAPE(4), &n, out) && n == 2 && out[0] == 3 &&
          out[1] == 4);
    CHECK(broadcast_shapes("add", SHAPE(2, 1, 4), SHAPE(3, 1), &n, out) && n == 3 &&
          out[0] == 2 && out[1] == 3 && out[2] == 4);
    CHECK(broadcast_shapes("mul", SHAPE(0), SHAPE(1), &n, out) && n == 1 && out[0] == 0);
    CHECK(broadcast_shapes("mul", 0, NULL, SHAPE(5, 2), &n, out) && n == 2 && out[1] == 2);
    CHECK_ERROR(!broadcast_shapes("add", SHAPE(3, 4), SHAPE(5), &n, out),
                "add: shapes 3x4 and 5 cannot be broadcast (dim 2: 4 vs 5)");
    CHECK(broadcast_shapes("sub", SHAPE(2, 3, 4), SHAPE(7, 1, 1, 1), &n, out) && n == 4 &&
          out[0] == 7 && out[1] == 2 && out[3] == 4);
    CHECK_ERROR(!broadcast_shapes("sub", SHAPE(2, 3, 4), SHAPE(7, 1, 5, 1), &n, out),
                "sub: shapes 2x3x4 and 7x1x5x1 cannot be broadcast (dim 3: 3 vs 5)");
}

/* out = a + 10 * b over float64 operands; counts its calls when asked. */
static void add10_loop(char **p, const int64_t *s, int64_t n, void *ctx)
{
    for (int64_t i = 0; i < n; i++)
        *(double *)(p[0] + i * s[0]) = *(double *)(p[1] + i * s[1]) +
                                       10 * *(double *)(p[2] + i * s[2]);
    if (ctx)
        ++*(int *)ctx;
}

static void test_iter(void)
{
    /* Contiguous operands collapse to one dim: one call however many dims. */
    Tensor *a = arange(SHAPE(2, 3, 4), DTYPE_FLOAT64), *b = arange(SHAPE(2, 3, 4), DTYPE_FLOAT64);
    Tensor *out = tensor_empty(SHAPE(2, 3, 4), DTYPE_FLOAT64);
    int calls = 0;
    iter_run(3, (Tensor *[]){out, a, b}, SHAPE(2, 3, 4), add10_loop, &calls, false);
    CHECK(calls == 1 && AT(out, 1, 2, 3) == 23 * 11);
    tensor_release(out), tensor_release(b), tensor_release(a);

    /* out (3x4) = a.t() + 10 * row expanded: out[i][j] = (3j + i) + 10 (j + 1). */
    Tensor *a0 = arange(SHAPE(4, 3), DTYPE_FLOAT64), *at = tensor_transpose(a0, 0, 1);
    Tensor *r0 = arange(SHAPE(5), DTYPE_FLOAT64), *r = tensor_narrow(r0, 0, 1, 4);
    Tensor *rx = tensor_expand(r, SHAPE(3, 4));
    out = tensor_empty(SHAPE(3, 4), DTYPE_FLOAT64);
    calls = 0;
    iter_run(3, (Tensor *[]){out, at, rx}, SHAPE(3, 4), add10_loop, &calls, false);
    CHECK(calls == 3);
    CHECK(AT(out, 0, 0) == 10 && AT(out, 2, 1) == 5 + 20 && AT(out, 1, 3) == 10 + 40);
    tensor_release(out), tensor_release(rx), tensor_release(r), tensor_release(r0);
    tensor_release(at), tensor_release(a0);

    /* Expanded leading dims merge with each other (stride 0 == 0 * size). */
    Tensor *c = arange(SHAPE(4), DTYPE_FLOAT64), *cx = tensor_expand(c, SHAPE(2, 3, 4));
    Tensor *z = tensor_zeros(SHAPE(2, 3, 4), DTYPE_FLOAT64);
    out = tensor_empty(SHAPE(2, 3, 4), DTYPE_FLOAT64);
    calls = 0;
    iter_run(3, (Tensor *[]){out, z, cx}, SHAPE(2, 3, 4), add10_loop, &calls, false);
    CHECK(calls == 6 && AT(out, 1, 2, 3) == 30);
    tensor_release(out), tensor_release(z), tensor_release(cx), tensor_release(c);

    /* Three dims that cannot merge: p[i][j][k] = base[i][k][j] = 12i + 3k + j. */
    Tensor *base = arange(SHAPE(2, 4, 3), DTYPE_FLOAT64);
    Tensor *p = tensor_transpose(base, 1, 2);
    Tensor *ones = tensor_empty(SHAPE(2, 3, 4), DTYPE_FLOAT64);
    tensor_fill_(ones, 1);
    out = tensor_empty(SHAPE(2, 3, 4), DTYPE_FLOAT64);
    calls = 0;
    iter_run(3, (Tensor *[]){out, p, ones}, SHAPE(2, 3, 4), add10_loop, &calls, false);
    bool right = calls == 6;
    for (int64_t i = 0; i < 2; i++)
        for (int64_t j = 0; j < 3; j++)
            for (int64_t k = 0; k < 4; k++)
                right &= AT(out, i, j, k) == 12 * i + 3 * k + j + 10;
    CHECK(right);
    tensor_release(out), tensor_release(ones), tensor_release(p), tensor_release(base);

    /* Nothing to do for 0 elements; one call of one element for 0-dim. */
    Tensor *e = tensor_empty(SHAPE(3, 0), DTYPE_FLOAT64);
    calls = 0;
    iter_run(3, (Tensor *[]){e, e, e}, SHAPE(3, 0), add10_loop, &calls, false);
    CHECK(calls == 0);
    tensor_release(e);
    Tensor *s = tensor_scalar(2, DTYPE_FLOAT64), *s1 = tensor_scalar(0.5, DTYPE_FLOAT64);
    iter_run(3, (Tensor *[]){s, s1, s1}, 0, NULL, add10_loop, &calls, false);
    double v;
    CHECK(calls == 1 && tensor_item(s, &v) == 0 && v == 5.5);
    tensor_release(s1), tensor_release(s);
}

/* out = a + 10 b, threaded; *agree says whether a serial run gives the same. */
static Tensor *add10_threaded(Tensor *a, Tensor *b, bool *agree)
{
    Tensor *serial = tensor_empty(b->ndim, b->shape, DTYPE_FLOAT64);
    Tensor *threaded = tensor_empty(b->ndim, b->shape, DTYPE_FLOAT64);
    iter_run(3, (Tensor *[]){serial, a, b}, b->ndim, b->shape, add10_loop, NULL, false);
    iter_run(3, (Tensor *[]){threaded, a, b}, b->ndim, b->shape, add10_loop, NULL, true);
    int64_t n = tensor_numel(b);
    *agree = n >= PARALLEL_GRAIN &&
             memcmp(tensor_data(serial), tensor_data(threaded), (size_t)n * sizeof(double)) == 0;
    tensor_release(serial);
    return threaded;
}

/* Threads split rows in the middle; the result must equal a serial run. */
static void test_iter_parallel(void)
{
    int threads = parallel_get_num_threads();
    parallel_set_num_threads(4);   /* more threads than cores still splits the work */
    CHECK(parallel_get_num_threads() == 4);
    bool agree;
    Tensor *a0 = arange(SHAPE(301, 257), DTYPE_FLOAT64), *a = tensor_transpose(a0, 0, 1);
    Tensor *b = arange(SHAPE(257, 301), DTYPE_FLOAT64);
    Tensor *out = add10_threaded(a, b, &agree);
    CHECK(agree && AT(out, 256, 300) == 300 * 257 + 256 + 10 * (256 * 301 + 300));
    tensor_release(out), tensor_release(b), tensor_release(a), tensor_release(a0);

    /* Three dims that do not merge, so the odometer carries across two outer
     * dims: a[i][j][k] = a0[i][k][j]. */
    a0 = arange(SHAPE(37, 29, 41), DTYPE_FLOAT64);
    a = tensor_transpose(a0, 1, 2);
    b = arange(SHAPE(37, 41, 29), DTYPE_FLOAT64);
    out = add10_threaded(a, b, &agree);
    CHECK(agree && AT(out, 36, 40, 28) == 36 * 29 * 41 + 28 * 41 + 40 + 10 * (37 * 41 * 29 - 1));
    tensor_release(out), tensor_release(b), tensor_release(a), tensor_release(a0);

    /* One long contiguous row, split across threads. */
    Tensor *x = arange(SHAPE(100003), DTYPE_FLOAT64);
    out = add10_threaded(x, x, &agree);
    double sum = 0;
    for (int64_t i = 0; i < 100003; i++)
        sum += ((double *)tensor_data(out))[i];
    CHECK(agree && sum == 11.0 * 100002 * 100003 / 2);
    tensor_release(out), tensor_release(x);
    parallel_set_num_threads(threads);
}

/* Three source values per source dtype, and what each destination holds. */
static const double copy_src[DTYPE_COUNT][3] = {
    [DTYPE_FLOAT32] = {2.5, 0, -1.75}, [DTYPE_FLOAT64] = {2.7, 0, -2.7},
    [DTYPE_INT64] = {3, 0, -3},        [DTYPE_UINT8] = {200, 0, 7},
    [DTYPE_BOOL] = {1, 0, 1},
};
static const double copy_expected[DTYPE_COUNT][DTYPE_COUNT][3] = {
    [DTYPE_FLOAT32] = {{2.5, 0, -1.75}, {2.7, 0, -2.7}, {3, 0, -3}, {200, 0, 7}, {1, 0, 1}},
    [DTYPE_FLOAT64] = {{2.5, 0, -1.75}, {2.7, 0, -2.7}, {3, 0, -3}, {200, 0, 7}, {1, 0, 1}},
    [DTYPE_INT64] = {{2, 0, -1}, {2, 0, -2}, {3, 0, -3}, {200, 0, 7}, {1, 0, 1}},
    [DTYPE_UINT8] = {{2, 0, 255}, {2, 0, 254}, {3, 0, 253}, {200, 0, 7}, {1, 0, 1}},
    [DTYPE_BOOL] = {{1, 0, 1}, {1, 0, 1}, {1, 0, 1}, {1, 0, 1}, {1, 0, 1}},
};

static void test_copy_dtypes(void)
{
    for (int s = 0; s < DTYPE_COUNT; s++) {
        /* Source values at even positions, so the strided view skips odd ones. */
        Tensor *buf = tensor_zeros(SHAPE(6), (DType)s);
        for (int64_t i = 0; i < 3; i++)
            tensor_set(buf, (const int64_t[]){2 * i}, copy_src[s][i]);
        Tensor *strided = tensor_as_strided(buf, SHAPE(3), (const int64_t[]){2}, 0);
        Tensor *dense = tensor_clone(strided);
        for (int d = 0; d < DTYPE_COUNT; d++) {
            Tensor *from_dense = tensor_to_dtype(dense, (DType)d);
            Tensor *from_strided = tensor_empty(SHAPE(3), (DType)d);
            CHECK(tensor_copy_(from_strided, strided) == 0);
            for (int64_t i = 0; i < 3; i++) {
                CHECK_CLOSE(AT(from_dense, i), copy_expected[d][s][i], 1e-6);
                CHECK_CLOSE(AT(from_strided, i), copy_expected[d][s][i], 1e-6);
            }
            tensor_release(from_strided);
            tensor_release(from_dense);
        }
        tensor_release(dense), tensor_release(strided), tensor_release(buf);
    }

    /* Out-of-range floats reach uint8 through int64, as in PyTorch. */
    Tensor *f = tensor_scalar(300, DTYPE_FLOAT32), *u = tensor_to_dtype(f, DTYPE_UINT8);
    double v;
    CHECK(tensor_item(u, &v) == 0 && v == 44);
    tensor_release(u), tensor_release(f);

    /* int64 -> int64 never goes through double. */
    Tensor *big = tensor_empty(SHAPE(2, 2), DTYPE_INT64);
    int64_t *p = tensor_data(big);
    p[0] = p[1] = p[2] = p[3] = (INT64_C(1) << 53) + 1;
    Tensor *bt = tensor_transpose(big, 0, 1), *bc = tensor_clone(bt);
    CHECK(((int64_t *)tensor_data(bc))[2] == (INT64_C(1) << 53) + 1);
    tensor_release(bc), tensor_release(bt), tensor_release(big);
}

static void test_copy_shapes(void)
{
    Tensor *row = arange(SHAPE(3), DTYPE_INT64), *dst = tensor_zeros(SHAPE(2, 3), DTYPE_FLOAT32);
    CHECK(tensor_copy_(dst, row) == 0 && AT(dst, 1, 2) == 2 && AT(dst, 0, 1) == 1);
    Tensor *col = arange(SHAPE(2, 1), DTYPE_FLOAT64);
    CHECK(tensor_copy_(dst, col) == 0 && AT(dst, 1, 0) == 1 && AT(dst, 1, 2) == 1 &&
          AT(dst, 0, 2) == 0);
    Tensor *four = arange(SHAPE(4), DTYPE_FLOAT32);
    CHECK_ERROR(tensor_copy_(dst, four) < 0,
                "copy_: a source of shape 4 cannot be broadcast to the destination's shape 2x3");
    Tensor *x = tensor_expand(row, SHAPE(2, 3));
    CHECK_ERROR(tensor_copy_(x, dst) < 0, "copy_: the tensor written to is an expanded view");
    tensor_release(x), tensor_release(four), tensor_release(col);
    tensor_release(dst), tensor_release(row);

    /* Overlapping source and destination behave as if copied aside. */
    Tensor *a = arange(SHAPE(5), DTYPE_FLOAT64);
    Tensor *hi = tensor_narrow(a, 0, 1, 4), *lo = tensor_narrow(a, 0, 0, 4);
    CHECK(tensor_copy_(hi, lo) == 0);
    CHECK(AT(a, 0) == 0 && AT(a, 1) == 0 && AT(a, 2) == 1 && AT(a, 4) == 3);
    tensor_release(lo), tensor_release(hi), tensor_release(a);
    Tensor *m = arange(SHAPE(3, 3), DTYPE_FLOAT32), *mt = tensor_transpose(m, 0, 1);
    CHECK(tensor_copy_(m, mt) == 0 && AT(m, 0, 1) == 3 && AT(m, 1, 0) == 1 && AT(m, 2, 1) == 5);
    tensor_release(mt), tensor_release(m);

    Tensor *e = tensor_zeros(SHAPE(0, 4), DTYPE_FLOAT32), *ec = tensor_clone(e);
    CHECK(ec && tensor_numel(ec) == 0 && tensor_copy_(e, ec) == 0 && tensor_fill_(e, 1) == 0);
    tensor_release(ec), tensor_release(e);

    Tensor *c = arange(SHAPE(2, 3), DTYPE_FLOAT64);
    Tensor *same = tensor_contiguous(c);
    CHECK(same == c && c->refcount == 2);
    tensor_release(same);
    Tensor *ct = tensor_transpose(c, 0, 1), *cc = tensor_contiguous(ct);
    CHECK(cc != ct && tensor_is_contiguous(cc) && AT(cc, 2, 1) == 5 && AT(cc, 1, 0) == 1);
    tensor_release(cc), tensor_release(ct), tensor_release(c);
}

static void test_fill(void)
{
    static const double expected[DTYPE_COUNT] = {
        [DTYPE_FLOAT32] = -2.5, [DTYPE_FLOAT64] = -2.5, [DTYPE_INT64] = -2,
        [DTYPE_UINT8] = 254, [DTYPE_BOOL] = 1,
    };
    for (int d = 0; d < DTYPE_COUNT; d++) {
        Tensor *t = tensor_zeros(SHAPE(4, 5), (DType)d);
        /* A narrowed transpose: only its 3x2 elements may change. */
        Tensor *tt = tensor_transpose(t, 0, 1), *part = tensor_narrow(tt, 0, 1, 3);
        Tensor *view = tensor_narrow(part, 1, 2, 2);
        CHECK(tensor_fill_(view, -2.5) == 0);
        CHECK(AT(t, 2, 1) == expected[d] && AT(t, 3, 3) == expected[d]);
        CHECK(AT(t, 1, 1) == 0 && AT(t, 2, 0) == 0 && AT(t, 2, 4) == 0);
        double sum = 0;
        for (int64_t i = 0; i < 4; i++)
            for (int64_t j = 0; j < 5; j++)
                sum += AT(t, i, j);
        CHECK(sum == 6 * expected[d]);
        tensor_release(view), tensor_release(part), tensor_release(tt), tensor_release(t);
    }
    Tensor *big = tensor_empty(SHAPE(200, 300), DTYPE_FLOAT32);
    CHECK(tensor_fill_(big, 0.25) == 0 && AT(big, 0, 0) == 0.25 && AT(big, 199, 299) == 0.25);
    Tensor *row = tensor_select(big, 0, 0), *x = tensor_expand(row, SHAPE(2, 300));
    CHECK_ERROR(tensor_fill_(x, 1) < 0, "fill_: the tensor written to is an expanded view");
    tensor_release(x), tensor_release(row), tensor_release(big);
}

int main(void)
{
    test_broadcast_shapes();
    test_iter();
    test_iter_parallel();
    test_copy_dtypes();
    test_copy_shapes();
    test_fill();
    return check_summary();
}
