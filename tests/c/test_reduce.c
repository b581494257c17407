/*
 * test_reduce.c — reductions, scans, softmax and sorting, driven from C.
 *
 * The fast paths (rows, column blocks, chunked rows merged in order, inputs
 * read in memory order or gathered) are checked against a naive reference
 * beside them here: every element read through tensor_get in row-major order
 * and folded into its output position.  Everything else is checked against
 * values worked out by hand, errors by the text of their message.
 */
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

#include <stdlib.h>

#define DIMS(...) \
    (int)(sizeof((int[]){__VA_ARGS__}) / sizeof(int)), (const int[]){__VA_ARGS__}

/* ---- the naive reference ------------------------------------------------------ */

typedef enum { REF_SUM, REF_MAX, REF_ARGMAX } RefKind;

static bool next_index(int ndim, const int64_t *shape, int64_t *idx)
{
    for (int d = ndim - 1; d >= 0; d--) {
        if (++idx[d] < shape[d])
            return true;
        idx[d] = 0;
    }
    return false;
}

/* The reduction of t over `reduced` dims as float64 of keepdim shape; for
 * REF_ARGMAX (one reduced dim) the position along it of the first max. */
static Tensor *ref_reduce(const Tensor *t, int ndims, const int *dims, RefKind kind)
{
    bool reduced[TENSOR_MAX_DIMS] = {false};
    int64_t shape[TENSOR_MAX_DIMS], idx[TENSOR_MAX_DIMS] = {0}, oidx[TENSOR_MAX_DIMS];
    for (int k = 0; k < ndims; k++)
        reduced[dims[k] < 0 ? dims[k] + t->ndim : dims[k]] = true;
    for (int d = 0; d < t->ndim; d++)
        shape[d] = reduced[d] ? 1 : t->shape[d];
    Tensor *out = tensor_zeros(t->ndim, shape, DTYPE_FLOAT64);
    Tensor *best = tensor_zeros(t->ndim, shape, DTYPE_FLOAT64);
    tensor_fill_(best, -INFINITY);
    do {
        for (int d = 0; d < t->ndim; d++)
            oidx[d] = reduced[d] ? 0 : idx[d];
        double v = tensor_get(t, idx), b = tensor_get(best, oidx);
        if (kind == REF_SUM)
            tensor_set(out, oidx, tensor_get(out, oidx) + v);
        else if (v > b || (isnan(v) && !isnan(b))) {
            tensor_set(best, oidx, v);
            int64_t pos = 0;
            for (int d = 0; d < t->ndim; d++)
                pos += reduced[d] ? idx[d] : 0;
            tensor_set(out, oidx, kind == REF_MAX ? v : (double)pos);
        }
    } while (next_index(t->ndim, t->shape, idx));
    tensor_release(best);
    return out;
}

/* Same shape and values (NaN equal to NaN), within tol relative. */
static bool same_values(const Tensor *a, const Tensor *b, double tol)
{
    if (!a || !b || !tensor_same_shape(a, b))
        return false;
    int64_t idx[TENSOR_MAX_DIMS] = {0};
    if (tensor_numel(a) == 0)
        return true;
    do {
        double x = tensor_get(a, idx), y = tensor_get(b, idx);
        if (!(isnan(x) && isnan(y)) && !(fabs(x - y) <= tol * (1 + fabs(y))))
            return false;
    } while (next_index(a->ndim, a->shape, idx));
    return true;
}

static Tensor *uniform(int ndim, const int64_t *shape, DType dt)
{
    Tensor *t = tensor_empty(ndim, shape, DTYPE_FLOAT64);
    tensor_uniform_(t, -10, 10);
    Tensor *r = tensor_to_dtype(t, dt);
    tensor_release(t);
    return r;
}

/* sum, amax (and argmax over one dim) of t against the reference. */
static void check_against_reference(const Tensor *t, int ndims, const int *dims)
{
    double tol = t->dtype == DTYPE_FLOAT32 ? 1e-6 : 1e-12;
    Tensor *ref = ref_reduce(t, ndims, dims, REF_SUM), *got = tensor_sum(t, ndims, dims, true);
    CHECK(same_values(got, ref, tol));
    tensor_release(ref), tensor_release(got);
    ref = ref_reduce(t, ndims, dims, REF_MAX), got = tensor_amax(t, ndims, dims, true);
    CHECK(same_values(got, ref, 0));
    tensor_release(ref), tensor_release(got);
    if (ndims == 1) {
        Tensor *values = NULL, *indices = NULL;
        ref = ref_reduce(t, ndims, dims, REF_ARGMAX);
        CHECK(tensor_max_dim(t, dims[0], true, &values, &indices) == 0);
        CHECK(same_values(indices, ref, 0));
        tensor_release(ref), tensor_release(values), tensor_release(indices);
    }
}

static void test_against_reference(void)
{
    random_manual_seed(7);
    DType dts[] = {DTYPE_FLOAT32, DTYPE_FLOAT64, DTYPE_INT64};
    for (int k = 0; k < 3; k++) {
        Tensor *a = uniform(SHAPE(37, 1000), dts[k]);
        check_against_reference(a, DIMS(1));          /* rows */
        check_against_reference(a, DIMS(0));          /* column blocks */
        check_against_reference(a, DIMS(0, 1));
        Tensor *at = tensor_transpose(a, 0, 1);       /* read in memory order */
        check_against_reference(at, DIMS(0));
        check_against_reference(at, DIMS(-1));
        check_against_reference(at, DIMS(0, 1));
        tensor_release(at), tensor_release(a);
    }
    Tensor *b = uniform(SHAPE(3, 5, 7, 11), DTYPE_FLOAT64);
    check_against_reference(b, DIMS(1, 3));           /* not adjacent: gathered */
    check_against_reference(b, DIMS(0, 2));
    check_against_reference(b, DIMS(2, 1));
    check_against_reference(b, DIMS(2));
    int perm[] = {2, 0, 3, 1};
    Tensor *bp = tensor_permute(b, perm);
    check_against_reference(bp, DIMS(1));
    check_against_reference(bp, DIMS(0, 3));
    check_against_reference(bp, DIMS(3));
    tensor_release(bp), tensor_release(b);

    Tensor *c = uniform(SHAPE(40, 1003), DTYPE_FLOAT32), *cn = tensor_narrow(c, 1, 2, 1000);
    check_against_reference(cn, DIMS(0));
    check_against_reference(cn, DIMS(1));
    Tensor *row = uniform(SHAPE(1, 500), DTYPE_FLOAT32), *ex = tensor_expand(row, SHAPE(300, 500));
    check_against_reference(ex, DIMS(0));
    check_against_reference(ex, DIMS(1));
    tensor_release(ex), tensor_release(row), tensor_release(cn), tensor_release(c);

    /* Few long rows or columns are cut into chunks merged in order. */
    Tensor *l = uniform(SHAPE(3, 100000), DTYPE_FLOAT32), *lt = tensor_transpose(l, 0, 1);
    Tensor *ltc = tensor_clone(lt);
    check_against_reference(l, DIMS(1));
    check_against_reference(ltc, DIMS(0));
    check_against_reference(l, DIMS(0, 1));
    tensor_release(ltc), tensor_release(lt), tensor_release(l);
    Tensor *m = uniform(SHAPE(2, 3000, 300), DTYPE_FLOAT64);
    check_against_reference(m, DIMS(1));
    tensor_release(m);
    Tensor *i8 = uniform(SHAPE(70000), DTYPE_INT64), *u8 = tensor_to_dtype(i8, DTYPE_UINT8);
    check_against_reference(u8, DIMS(0));
    tensor_release(u8), tensor_release(i8);
}

/* ---- hand-worked values --------------------------------------------------------- */

static void test_sums(void)
{
    Tensor *a = arange(SHAPE(2, 3), DTYPE_FLOAT32);   /* 0 1 2 / 3 4 5 */
    Tensor *s = tensor_sum(a, 0, NULL, false);
    CHECK(s->ndim == 0 && s->dtype == DTYPE_FLOAT32 && AT(s) == 15);
    tensor_release(s);
    s = tensor_sum(a, DIMS(0), false);
    CHECK(s->ndim == 1 && s->shape[0] == 3 && AT(s, 0) == 3 && AT(s, 2) == 7);
    tensor_release(s);
    s = tensor_sum(a, DIMS(-1), true);
    CHECK(s->ndim == 2 && s->shape[0] == 2 && s->shape[1] == 1 && AT(s, 1, 0) == 12);
    tensor_release(s);
    s = tensor_prod(a, DIMS(1), false);
    CHECK(AT(s, 0) == 0 && AT(s, 1) == 60);
    tensor_release(s);
    s = tensor_mean(a, DIMS(0, 1), false);
    CHECK(AT(s) == 2.5);
    tensor_release(s);
    tensor_release(a);

    /* float32 accumulates in double: 2^24 ones, and 10^7 tenths. */
    Tensor *ones = tensor_empty(SHAPE(16777216), DTYPE_FLOAT32);
    tensor_fill_(ones, 1);
    s = tensor_sum(ones, 0, NULL, false);
    CHECK(AT(s) == 16777216.0);
    tensor_release(s);
    tensor_fill_(ones, 0.1);
    s = tensor_sum(ones, 0, NULL, false);
    CHECK_CLOSE(AT(s), 16777216 * (double)0.1f, 1e-7);
    tensor_release(s), tensor_release(ones);

    /* int64 sums are exact beyond 2^53. */
    Tensor *big = tensor_empty(SHAPE(3), DTYPE_INT64);
    int64_t *b = tensor_data(big);
    b[0] = INT64_C(1) << 62, b[1] = 1, b[2] = -(INT64_C(1) << 61);
    s = tensor_sum(big, 0, NULL, false);
    CHECK(s->dtype == DTYPE_INT64 && *(int64_t *)tensor_data(s) == (INT64_C(1) << 61) + 1);
    tensor_release(s), tensor_release(big);
}

static void test_dtypes(void)
{
    Tensor *bits = arange(SHAPE(4), DTYPE_BOOL);   /* F T T T */
    Tensor *s = tensor_sum(bits, 0, NULL, false), *p = tensor_prod(bits, 0, NULL, false);
    CHECK(s->dtype == DTYPE_INT64 && AT(s) == 3 && p->dtype == DTYPE_INT64 && AT(p) == 0);
    tensor_release(s), tensor_release(p);
    s = tensor_amax(bits, 0, NULL, false), p = tensor_all(bits, 0, NULL, false);
    CHECK(s->dtype == DTYPE_BOOL && AT(s) == 1 && p->dtype == DTYPE_BOOL && AT(p) == 0);
    tensor_release(s), tensor_release(p);
    Tensor *u = arange(SHAPE(4), DTYPE_UINT8);
    s = tensor_any(u, 0, NULL, false), p = tensor_prod(u, DIMS(0), false);
    CHECK(s->dtype == DTYPE_UINT8 && AT(s) == 1 && p->dtype == DTYPE_INT64 && AT(p) == 0);
    tensor_release(s), tensor_release(p);
    CHECK_ERROR(tensor_mean(u, 0, NULL, false) == NULL,
                "mean: could not infer output dtype: the input is uint8");
    CHECK_ERROR(tensor_var(u, 0, NULL, 1, false) == NULL, "var: needs a floating point input, got uint8");
    CHECK_ERROR(tensor_norm(u, 2, 0, NULL, false) == NULL, "norm: needs a floating point input");
    CHECK_ERROR(tensor_softmax(u, 0) == NULL, "softmax: needs a floating point input");
    s = tensor_logsumexp(u, DIMS(0), false);
    CHECK(s->dtype == DTYPE_FLOAT32);
    CHECK_CLOSE(AT(s), log(1 + exp(1) + exp(2) + exp(3)), 1e-6);
    tensor_release(s), tensor_release(u), tensor_release(bits);
}

static void test_nan(void)
{
    Tensor *a = arange(SHAPE(2, 3), DTYPE_FLOAT64), *v = NULL, *i = NULL;
    tensor_set(a, (int64_t[]){0, 1}, NAN);
    tensor_set(a, (int64_t[]){0, 2}, NAN);
    Tensor *s = tensor_sum(a, DIMS(1), false), *m = tensor_amax(a, 0, NULL, false);
    CHECK(isnan(AT(s, 0)) && AT(s, 1) == 12 && isnan(AT(m)));
    tensor_release(s), tensor_release(m);
    m = tensor_min(a);
    CHECK(isnan(AT(m)));
    tensor_release(m);
    /* The first NaN wins, for max and min alike. */
    CHECK(tensor_max_dim(a, 1, false, &v, &i) == 0 && isnan(AT(v, 0)) && AT(i, 0) == 1 &&
          AT(v, 1) == 5 && AT(i, 1) == 2);
    tensor_release(v), tensor_release(i);
    CHECK(tensor_min_dim(a, 1, false, &v, &i) == 0 && AT(i, 0) == 1 && AT(i, 1) == 0);
    tensor_release(v), tensor_release(i);
    s = tensor_argmax(a, NULL, false);
    CHECK(AT(s) == 1);
    tensor_release(s), tensor_release(a);
}

static void test_empty_and_scalars(void)
{
    Tensor *e = tensor_empty(SHAPE(0, 3), DTYPE_FLOAT32), *v = NULL, *i = NULL;
    Tensor *s = tensor_sum(e, DIMS(0), false), *p = tensor_prod(e, DIMS(0), false);
    CHECK(s->shape[0] == 3 && AT(s, 2) == 0 && AT(p, 1) == 1);
    tensor_release(s), tensor_release(p);
    s = tensor_mean(e, 0, NULL, false), p = tensor_var(e, DIMS(0), 1, false);
    CHECK(isnan(AT(s)) && isnan(AT(p, 0)));
    tensor_release(s), tensor_release(p);
    s = tensor_norm(e, 2, 0, NULL, false), p = tensor_logsumexp(e, DIMS(0), false);
    CHECK(AT(s) == 0 && AT(p, 0) == -INFINITY);
    tensor_release(s), tensor_release(p);
    CHECK_ERROR(tensor_amax(e, DIMS(0), false) == NULL,
                "amax: cannot reduce over a dim of size 0 (input shape 0x3)");
    CHECK_ERROR(tensor_max(e) == NULL, "max: cannot reduce an empty tensor (shape 0x3)");
    CHECK_ERROR(tensor_argmin(e, NULL, false) == NULL, "argmin: cannot reduce over a dim of size 0");
    CHECK(tensor_max_dim(e, 1, false, &v, &i) == 0 && v->ndim == 1 && v->shape[0] == 0 &&
          i->shape[0] == 0);
    tensor_release(v), tensor_release(i), tensor_release(e);

    Tensor *z = tensor_scalar(4, DTYPE_FLOAT64);
    s = tensor_sum(z, DIMS(0), false), p = tensor_sum(z, DIMS(-1), true);
    CHECK(s->ndim == 0 && AT(s) == 4 && p->ndim == 0);
    tensor_release(s), tensor_release(p);
    CHECK(tensor_max_dim(z, 0, false, &v, &i) == 0 && v->ndim == 0 && AT(i) == 0);
    tensor_release(v), tensor_release(i);
    CHECK_ERROR(tensor_sum(z, DIMS(1), false) == NULL, "sum: dim 1 out of range");
    s = tensor_cumsum(z, 0), p = tensor_softmax(z, -1);
    CHECK(s->ndim == 0 && AT(s) == 4 && AT(p) == 1);
    tensor_release(s), tensor_release(p), tensor_release(z);
}

static void test_errors(void)
{
    Tensor *a = arange(SHAPE(2, 3), DTYPE_FLOAT32);
    CHECK_ERROR(tensor_sum(a, DIMS(2), false) == NULL, "sum: dim 2 out of range for a 2-dim tensor");
    CHECK_ERROR(tensor_mean(a, DIMS(-3), false) == NULL, "mean: dim -3 out of range");
    CHECK_ERROR(tensor_sum(a, DIMS(1, -1), false) == NULL,
                "sum: dim -1 appears more than once in the list of dims");
    CHECK_ERROR(tensor_cumsum(a, 5) == NULL, "cumsum: dim 5 out of range");
    Tensor *v = NULL, *i = NULL;
    CHECK_ERROR(tensor_topk(a, 4, 1, true, &v, &i) < 0,
                "topk: k = 4 is out of range for a dim of size 3");
    CHECK_ERROR(tensor_sort(a, 2, false, &v, &i) < 0, "sort: dim 2 out of range");
    CHECK_ERROR(tensor_norm(a, NAN, 0, NULL, false) == NULL, "norm: the order p must be a number");
    tensor_release(a);
}

static Tensor *vec(int n, const double *values, DType dt)
{
    Tensor *t = tensor_empty(SHAPE(n), dt);
    for (int k = 0; k < n; k++)
        tensor_set(t, (int64_t[]){k}, values[k]);
    return t;
}
#define VEC(dt, ...) \
    vec((int)(sizeof((double[]){__VA_ARGS__}) / sizeof(double)), (const double[]){__VA_ARGS__}, dt)

static void test_stats(void)
{
    Tensor *a = VEC(DTYPE_FLOAT64, 1, 2, 3, 4);
    Tensor *r = tensor_var(a, 0, NULL, 1, false);
    CHECK_CLOSE(AT(r), 5.0 / 3, 1e-12);
    tensor_release(r);
    r = tensor_std(a, DIMS(0), 0, false);
    CHECK_CLOSE(AT(r), sqrt(1.25), 1e-12);
    tensor_release(r), tensor_release(a);
    /* A large common offset does not swallow the spread. */
    a = VEC(DTYPE_FLOAT64, 1e9 + 1, 1e9 + 2, 1e9 + 3);
    r = tensor_var(a, 0, NULL, 1, false);
    CHECK(AT(r) == 1);
    tensor_release(r), tensor_release(a);
    a = VEC(DTYPE_FLOAT32, 1);
    r = tensor_var(a, 0, NULL, 1, false);
    CHECK(isnan(AT(r)));   /* 0 / 0 */
    tensor_release(r), tensor_release(a);

    a = VEC(DTYPE_FLOAT32, 3, -4, 0);
    double orders[] = {2, 1, INFINITY, -INFINITY, 0, 3, -1};
    double want[] = {5, 7, 4, 0, 2, cbrt(27 + 64), 0};
    for (int k = 0; k < 7; k++) {
        r = tensor_norm(a, orders[k], 0, NULL, false);
        CHECK_CLOSE(AT(r), want[k], 1e-6);
        tensor_release(r);
    }
    tensor_release(a);

    a = VEC(DTYPE_FLOAT32, 1000, 1000);
    r = tensor_logsumexp(a, DIMS(0), false);
    CHECK_CLOSE(AT(r), 1000 + log(2), 1e-7);
    tensor_release(r), tensor_release(a);
    a = VEC(DTYPE_FLOAT64, -INFINITY, -INFINITY);
    r = tensor_logsumexp(a, DIMS(0), false);
    CHECK(AT(r) == -INFINITY);
    tensor_release(r), tensor_release(a);
    a = VEC(DTYPE_FLOAT64, INFINITY, 1);
    r = tensor_logsumexp(a, DIMS(0), false);
    CHECK(AT(r) == INFINITY);
    tensor_release(r), tensor_release(a);
}

static void test_scans(void)
{
    Tensor *a = arange(SHAPE(2, 3), DTYPE_INT64);   /* 0 1 2 / 3 4 5 */
    Tensor *c = tensor_cumsum(a, 1);
    CHECK(c->dtype == DTYPE_INT64 && AT(c, 0, 2) == 3 && AT(c, 1, 1) == 7 && AT(c, 1, 2) == 12);
    tensor_release(c);
    c = tensor_cumsum(a, 0);
    CHECK(AT(c, 0, 1) == 1 && AT(c, 1, 1) == 5 && AT(c, 1, 2) == 7);
    tensor_release(c);
    Tensor *at = tensor_transpose(a, 0, 1);   /* 0 3 / 1 4 / 2 5 */
    c = tensor_cumprod(at, 0);
    CHECK(c->shape[0] == 3 && AT(c, 2, 0) == 0 && AT(c, 1, 1) == 12 && AT(c, 2, 1) == 60);
    tensor_release(c), tensor_release(at), tensor_release(a);

    Tensor *u = arange(SHAPE(300), DTYPE_UINT8);   /* wraps at 256: sums go to int64 */
    c = tensor_cumsum(u, 0);
    CHECK(c->dtype == DTYPE_INT64 && AT(c, 299) == 255 * 256 / 2 + (0 + 43) * 44 / 2);
    tensor_release(c), tensor_release(u);

    Tensor *x = VEC(DTYPE_FLOAT32, 1, 2, 3);
    double z = exp(1) + exp(2) + exp(3);
    Tensor *s = tensor_softmax(x, 0), *l = tensor_log_softmax(x, -1);
    CHECK(s->dtype == DTYPE_FLOAT32);
    CHECK_CLOSE(AT(s, 0), exp(1) / z, 1e-7);
    CHECK_CLOSE(AT(s, 2), exp(3) / z, 1e-7);
    CHECK_CLOSE(AT(l, 1), 2 - log(z), 1e-7);
    tensor_release(s), tensor_release(l), tensor_release(x);
    x = VEC(DTYPE_FLOAT64, 1000, 1001, NAN);
    Tensor *xn = tensor_narrow(x, 0, 0, 2);
    s = tensor_softmax(xn, 0), l = tensor_softmax(x, 0);
    CHECK_CLOSE(AT(s, 1), 1 / (1 + exp(-1)), 1e-12);
    CHECK(isnan(AT(l, 0)) && isnan(AT(l, 2)));
    tensor_release(s), tensor_release(l), tensor_release(xn), tensor_release(x);

    /* Softmax along an outer dim: each column sums to 1. */
    random_manual_seed(3);
    Tensor *m = uniform(SHAPE(50, 700), DTYPE_FLOAT32);
    s = tensor_softmax(m, 0);
    Tensor *sum = tensor_sum(s, DIMS(0), false), *one = tensor_empty(SHAPE(700), DTYPE_FLOAT32);
    tensor_fill_(one, 1);
    CHECK(same_values(sum, one, 1e-6));
    tensor_release(sum), tensor_release(one), tensor_release(s), tensor_release(m);
}

static void test_sorting(void)
{
    Tensor *a = VEC(DTYPE_FLOAT32, 2, 1, NAN, 2, 1), *v = NULL, *i = NULL;
    CHECK(tensor_sort(a, 0, false, &v, &i) == 0);
    CHECK(AT(v, 0) == 1 && AT(v, 1) == 1 && AT(v, 3) == 2 && isnan(AT(v, 4)));
    CHECK(AT(i, 0) == 1 && AT(i, 1) == 4 && AT(i, 2) == 0 && AT(i, 3) == 3 && AT(i, 4) == 2);
    tensor_release(v), tensor_release(i);
    CHECK(tensor_sort(a, -1, true, &v, &i) == 0);   /* stable descending, NaN first */
    CHECK(isnan(AT(v, 0)) && AT(i, 1) == 0 && AT(i, 2) == 3 && AT(i, 3) == 1 && AT(i, 4) == 4);
    tensor_release(v), tensor_release(i), tensor_release(a);

    a = tensor_empty(SHAPE(3), DTYPE_INT64);
    int64_t *d = tensor_data(a);
    d[0] = INT64_MAX, d[1] = INT64_MAX - 1, d[2] = INT64_MIN;
    CHECK(tensor_sort(a, 0, false, &v, &i) == 0 && AT(i, 0) == 2 && AT(i, 1) == 1);
    CHECK(((int64_t *)tensor_data(v))[2] == INT64_MAX);
    tensor_release(v), tensor_release(i), tensor_release(a);

    Tensor *m = VEC(DTYPE_FLOAT64, 3, 1, 2, -1, 5, 0);
    Tensor *mm = tensor_view(m, SHAPE(3, 2));   /* 3 1 / 2 -1 / 5 0 */
    CHECK(tensor_sort(mm, 0, false, &v, &i) == 0);
    CHECK(AT(v, 0, 0) == 2 && AT(v, 2, 0) == 5 && AT(v, 0, 1) == -1 && AT(i, 0, 1) == 1 &&
          AT(i, 2, 1) == 0);
    tensor_release(v), tensor_release(i);
    CHECK(tensor_topk(mm, 1, 1, false, &v, &i) == 0);
    CHECK(v->shape[0] == 3 && v->shape[1] == 1 && AT(v, 1, 0) == -1 && AT(i, 2, 0) == 1);
    tensor_release(v), tensor_release(i);
    Tensor *mt = tensor_transpose(mm, 0, 1);
    CHECK(tensor_topk(mt, 2, 1, true, &v, &i) == 0);
    CHECK(AT(v, 0, 0) == 5 && AT(v, 0, 1) == 3 && AT(i, 0, 0) == 2 && AT(i, 1, 0) == 0 &&
          AT(i, 1, 1) == 2);
    tensor_release(v), tensor_release(i), tensor_release(mt), tensor_release(mm), tensor_release(m);

    Tensor *u = VEC(DTYPE_INT64, 3, 1, 3, 2, 3), *inv = NULL, *cnt = NULL;
    CHECK(tensor_unique(u, &v, &inv, &cnt) == 0);
    CHECK(v->shape[0] == 3 && AT(v, 0) == 1 && AT(v, 2) == 3 && AT(cnt, 2) == 3 && AT(cnt, 0) == 1);
    CHECK(AT(inv, 0) == 2 && AT(inv, 1) == 0 && AT(inv, 3) == 1);
    tensor_release(v), tensor_release(inv), tensor_release(cnt), tensor_release(u);
    u = VEC(DTYPE_FLOAT64, NAN, 0.5, NAN, 0.5);
    CHECK(tensor_unique(u, &v, NULL, &cnt) == 0);
    CHECK(v->shape[0] == 3 && AT(v, 0) == 0.5 && isnan(AT(v, 1)) && AT(cnt, 0) == 2 && AT(cnt, 1) == 1);
    tensor_release(v), tensor_release(cnt), tensor_release(u);
}

/* Work is cut the same way for any thread count, so results are identical. */
static void test_thread_independence(void)
{
    random_manual_seed(11);
    Tensor *a = uniform(SHAPE(4, 300000), DTYPE_FLOAT32);
    int threads = parallel_get_num_threads();
    parallel_set_num_threads(1);
    Tensor *s1 = tensor_sum(a, DIMS(1), false), *v1 = tensor_var(a, 0, NULL, 1, false);
    parallel_set_num_threads(threads > 1 ? threads : 2);
    Tensor *s2 = tensor_sum(a, DIMS(1), false), *v2 = tensor_var(a, 0, NULL, 1, false);
    parallel_set_num_threads(threads);
    CHECK(same_values(s1, s2, 0) && same_values(v1, v2, 0));
    tensor_release(s1), tensor_release(s2), tensor_release(v1), tensor_release(v2);
    tensor_release(a);
}

/* A pending Ctrl-C stops long kernels between chunks of work. */
static void test_interrupt(void)
{
    Tensor *a = tensor_zeros(SHAPE(300, 1000), DTYPE_FLOAT32), *v = NULL, *i = NULL;
    tensor_interrupt_requested = 1;
    CHECK_ERROR(tensor_sum(a, DIMS(0), false) == NULL, "interrupted");
    tensor_interrupt_requested = 1;
    CHECK_ERROR(tensor_softmax(a, 1) == NULL, "interrupted");
    tensor_interrupt_requested = 1;
    CHECK_ERROR(tensor_sort(a, 1, false, &v, &i) < 0, "interrupted");
    CHECK(tensor_interrupt_requested == 0);
    Tensor *s = tensor_sum(a, DIMS(0), false);   /* and the next call runs */
    CHECK(s && AT(s, 999) == 0);
    tensor_release(s), tensor_release(a);
}

int main(void)
{
    test_against_reference();
    test_sums();
    test_dtypes();
    test_nan();
    test_empty_and_scalars();
    test_errors();
    test_stats();
    test_scans();
    test_sorting();
    test_thread_independence();
    test_interrupt();
    return check_summary();
}
