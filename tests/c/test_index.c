/*
 * test_index.c — index tensors, masks, joins, reordering and triangles from
 * C, with values worked out by hand from arange tensors (element [i][j] of
 * a 3x4 arange is 4i + j).  Both index bases are exercised: 0 as C callers
 * use it, 1 as the Lua binding does; and every failure leaves the tensor
 * written to untouched and says which index was out of range.
 */
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

/* An int64 tensor from a list of values. */
#define INDEX(...) index_of(SHAPE(__VA_ARGS__))
static Tensor *index_of(int n, const int64_t *v)
{
    Tensor *t = tensor_empty(1, (const int64_t[]){n}, DTYPE_INT64);
    for (int i = 0; i < n; i++)
        ((int64_t *)tensor_data(t))[i] = v[i];
    return t;
}

/* Row-major values of t as doubles equal `want`. */
static bool values_are(const Tensor *t, int n, const double *want)
{
    if (!t || tensor_numel(t) != n)
        return false;
    Tensor *c = tensor_to_dtype(t, DTYPE_FLOAT64);
    bool ok = true;
    for (int i = 0; i < n; i++)
        ok &= ((double *)tensor_data(c))[i] == want[i];
    tensor_release(c);
    return ok;
}
#define VALUES(t, ...) \
    values_are((t), (int)(sizeof((double[]){__VA_ARGS__}) / sizeof(double)), (double[]){__VA_ARGS__})

static void test_read(void)
{
    Tensor *x = arange(SHAPE(3, 4), DTYPE_FLOAT32), *xt = tensor_transpose(x, 0, 1);
    Tensor *i0 = INDEX(2, 0), *i1 = INDEX(3, 1, 3);
    Tensor *s = tensor_index_select(x, 0, i0, 0);
    CHECK(s && s->shape[0] == 2 && VALUES(s, 8, 9, 10, 11, 0, 1, 2, 3));
    Tensor *s1 = tensor_index_select(xt, 1, i1, 1);   /* columns 3, 1, 3 of x^T = rows of x */
    CHECK(s1 && s1->shape[0] == 4 && s1->shape[1] == 3 && AT(s1, 1, 0) == 9 && AT(s1, 3, 1) == 3);
    Tensor *g = tensor_view(i1, 2, (const int64_t[]){1, 3});
    Tensor *gx = tensor_gather(x, 1, g, 1);   /* row 0 at columns 3, 1, 3 (1-based) */
    CHECK(gx && VALUES(gx, 2, 0, 2));
    Tensor *ti = INDEX(0, 1, -1), *tk = tensor_take(xt, ti, 0);   /* x^T row-major: 0, 4, .., 11 */
    CHECK(tk && VALUES(tk, 0, 4, 11));
    CHECK_ERROR(!tensor_index_select(x, 0, i1, 0), "index_select: index 3 out of range for a dim of size 3");
    CHECK_ERROR(!tensor_take(x, i0, 1), "take: index 0 out of range for a dim of size 12");
    CHECK_ERROR(!tensor_gather(x, 1, i0, 0), "gather: an index of shape 2 does not fit self of shape 3x4");
    tensor_release(tk), tensor_release(ti);
    tensor_release(gx), tensor_release(g), tensor_release(s1), tensor_release(s);
    tensor_release(i0), tensor_release(i1), tensor_release(xt), tensor_release(x);
}

static void test_write(void)
{
    Tensor *x = tensor_zeros(SHAPE(2, 3), DTYPE_INT64), *src = arange(SHAPE(2, 3), DTYPE_INT64);
    Tensor *flat = INDEX(2, 0, 2, 1, 1, 1), *idx = tensor_view(flat, 2, (const int64_t[]){2, 3});
    /* scatter_add with base 0: row 0 gets 0 -> col 2, 1 -> col 0, 2 -> col 2; row 1 all to col 1. */
    CHECK(tensor_scatter_add_(x, 1, idx, src, 0) == 0 && VALUES(x, 1, 0, 2, 0, 12, 0));
    CHECK(tensor_scatter_value_(x, 1, idx, -1, 0) == 0 && VALUES(x, -1, 0, -1, 0, -1, 0));
    Tensor *badflat = INDEX(0, 0, 0, 0, 0, 9);
    Tensor *bad = tensor_view(badflat, 2, (const int64_t[]){2, 3});
    CHECK_ERROR(tensor_scatter_(x, 1, bad, src, 0) < 0, "scatter_: index 9 out of range for a dim of size 3");
    CHECK(VALUES(x, -1, 0, -1, 0, -1, 0));   /* untouched */
    /* index_add with repeated 1-based indices and alpha. */
    Tensor *y = tensor_zeros(SHAPE(3), DTYPE_FLOAT64), *ones = tensor_empty(SHAPE(3), DTYPE_FLOAT64);
    tensor_fill_(ones, 1);
    Tensor *rep = INDEX(3, 3, 1), *last = INDEX(-1), *two = INDEX(2), *shift = INDEX(1, 2, 3);
    CHECK(tensor_index_add_(y, 0, rep, ones, 0.5, 1) == 0 && VALUES(y, 0.5, 0, 1));
    CHECK(tensor_index_fill_(y, 0, last, 7, 1) == 0 && VALUES(y, 0.5, 0, 7));
    CHECK(tensor_index_copy_(y, 0, two, ones, 1) < 0);   /* source must be 1 long */
    CHECK(strstr(tensor_error(), "index_copy_: the source must have shape 1") != NULL);
    /* A source in the written storage is read before anything is written. */
    Tensor *v = arange(SHAPE(4), DTYPE_FLOAT32), *head = tensor_narrow(v, 0, 0, 3);
    CHECK(tensor_index_copy_(v, 0, shift, head, 0) == 0 && VALUES(v, 0, 0, 1, 2));
    tensor_release(head), tensor_release(v), tensor_release(rep), tensor_release(ones);
    tensor_release(last), tensor_release(two), tensor_release(shift);
    tensor_release(y), tensor_release(bad), tensor_release(badflat);
    tensor_release(idx), tensor_release(flat), tensor_release(src), tensor_release(x);
}

static void test_masks(void)
{
    Tensor *x = arange(SHAPE(2, 3), DTYPE_FLOAT64), *m = tensor_zeros(SHAPE(3), DTYPE_BOOL);
    ((uint8_t *)tensor_data(m))[1] = 1;
    Tensor *sel = tensor_masked_select(x, m);   /* column 1 of each row */
    CHECK(sel && sel->ndim == 1 && VALUES(sel, 1, 4));
    Tensor *src = arange(SHAPE(5), DTYPE_FLOAT64);
    CHECK(tensor_masked_scatter_(x, m, src) == 0 && VALUES(x, 0, 0, 2, 3, 1, 5));
    Tensor *nz = tensor_nonzero(x, 1);   /* 1-based coordinates of 2, 3, 1, 5 */
    CHECK(nz && nz->shape[0] == 4 && nz->shape[1] == 2 && VALUES(nz, 1, 3, 2, 1, 2, 2, 2, 3));
    Tensor *nz0 = tensor_nonzero(m, 0);
    CHECK(nz0 && VALUES(nz0, 1));
    CHECK_ERROR(!tensor_masked_select(x, x), "masked_select: the mask must be a bool tensor, got float64");
    Tensor *short_src = tensor_narrow(src, 0, 0, 1), *all = tensor_zeros(SHAPE(2, 3), DTYPE_BOOL);
    tensor_fill_(all, 1);
    CHECK_ERROR(tensor_masked_scatter_(x, all, short_src) < 0,
                "masked_scatter_: the mask selects 6 elements but the source has only 1");
    tensor_release(all), tensor_release(short_src), tensor_release(nz0), tensor_release(nz);
    tensor_release(src), tensor_release(sel), tensor_release(m), tensor_release(x);
}

static void test_join(void)
{
    Tensor *a = arange(SHAPE(2, 2), DTYPE_INT64), *b = arange(SHAPE(2, 1), DTYPE_FLOAT32);
    Tensor *c = tensor_cat(2, (Tensor *[]){a, b}, 1);
    CHECK(c && c->dtype == DTYPE_FLOAT32 && VALUES(c, 0, 1, 0, 2, 3, 1));
    Tensor *s = tensor_stack(2, (Tensor *[]){a, a}, -1);
    CHECK(s && s->ndim == 3 && s->shape[2] == 2 && VALUES(s, 0, 0, 1, 1, 2, 2, 3, 3));
    CHECK_ERROR(!tensor_cat(2, (Tensor *[]){a, b}, 0), "cat: shapes 2x2 and 2x1 differ outside the concatenated dim");
    Tensor *r = tensor_repeat(b, 3, (const int64_t[]){2, 1, 2});
    CHECK(r && r->ndim == 3 && r->shape[0] == 2 && r->shape[2] == 2 && VALUES(r, 0, 0, 1, 1, 0, 0, 1, 1));
    Tensor *tl = tensor_tile(a, 1, (const int64_t[]){2});
    CHECK(tl && VALUES(tl, 0, 1, 0, 1, 2, 3, 2, 3));
    Tensor *f = tensor_flip(a, 2, (const int[]){0, -1});
    CHECK(f && VALUES(f, 3, 2, 1, 0));
    Tensor *x = arange(SHAPE(2, 3), DTYPE_FLOAT32);
    Tensor *rl = tensor_roll(x, 1, (const int64_t[]){-1}, (const int[]){1});
    CHECK(rl && VALUES(rl, 1, 2, 0, 4, 5, 3));
    Tensor *rf = tensor_roll(x, 0, (const int64_t[]){8}, NULL);   /* 8 = 2 mod 6 */
    CHECK(rf && rf->ndim == 2 && VALUES(rf, 4, 5, 0, 1, 2, 3));
    tensor_release(rf), tensor_release(rl), tensor_release(x), tensor_release(f);
    tensor_release(tl), tensor_release(r), tensor_release(s), tensor_release(c);
    tensor_release(a), tensor_release(b);
}

static void test_triangles(void)
{
    Tensor *x = arange(SHAPE(3, 3), DTYPE_UINT8), *xt = tensor_transpose(x, 0, 1);
    CHECK(tensor_triu_(xt, 1) == 0 && VALUES(x, 0, 0, 0, 3, 0, 0, 6, 7, 0));   /* x's strict lower */
    Tensor *y = arange(SHAPE(2, 3), DTYPE_FLOAT64);
    CHECK(tensor_tril_(y, 0) == 0 && VALUES(y, 0, 0, 0, 3, 4, 0));
    Tensor *z = arange(SHAPE(2, 3, 4), DTYPE_INT64), *d = tensor_diagonal(z, -1, 2, 1);
    CHECK(d && d->ndim == 2 && d->shape[1] == 3 && VALUES(d, 1, 6, 11, 13, 18, 23));
    Tensor *v = arange(SHAPE(2), DTYPE_FLOAT32), *m = tensor_diag(v, -1);
    CHECK(m && m->shape[0] == 3 && VALUES(m, 0, 0, 0, 0, 0, 0, 0, 1, 0));
    Tensor *back = tensor_diag(m, -1);
    CHECK(back && VALUES(back, 0, 1));
    Tensor *far = tensor_diagonal(z, 7, 1, 2);
    CHECK(far && far->shape[1] == 0);
    tensor_release(far), tensor_release(back), tensor_release(m), tensor_release(v);
    tensor_release(d), tensor_release(z), tensor_release(y), tensor_release(xt), tensor_release(x);
}

int main(void)
{
    test_read();
    test_write();
    test_masks();
    test_join();
    test_triangles();
    return check_summary();
}
