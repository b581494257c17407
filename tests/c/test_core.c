/*
 * test_core.c — errors, dtypes, storage, tensor creation and every view.
 *
 * Expected values are worked out by hand from arange tensors (element
 * [i][j] of a 3x4 arange is 4i + j), and every error test checks the text of
 * the message, since that text is what a REPL user reads.
 */
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

#include <stdint.h>

/* Builds with AddressSanitizer return NULL for impossible sizes, as malloc
 * does, instead of aborting, so the out-of-memory path can be tested. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

static int reclaim_calls;
static void count_reclaim(void *ctx)
{
    reclaim_calls += *(int *)ctx;
}

static void test_errors(void)
{
    CHECK(tensor_fail("bad %s %d", "thing", 3) == NULL);
    CHECK(strcmp(tensor_error(), "bad thing 3") == 0);
    tensor_fail("outer: %s", tensor_error());   /* quoting itself must not garble */
    CHECK(strcmp(tensor_error(), "outer: bad thing 3") == 0);

    CHECK(!tensor_check_interrupt());
    tensor_interrupt_requested = 1;
    CHECK(tensor_check_interrupt());
    CHECK(strcmp(tensor_error(), "interrupted") == 0);
    CHECK(tensor_interrupt_requested == 0 && !tensor_check_interrupt());
}

static void test_dtypes(void)
{
    CHECK(dtype_size(DTYPE_FLOAT32) == 4 && dtype_size(DTYPE_FLOAT64) == 8);
    CHECK(dtype_size(DTYPE_INT64) == 8 && dtype_size(DTYPE_UINT8) == 1 &&
          dtype_size(DTYPE_BOOL) == 1);
    CHECK(strcmp(dtype_name(DTYPE_UINT8), "uint8") == 0);
    CHECK(dtype_from_name("float") == DTYPE_FLOAT32 && dtype_from_name("double") == DTYPE_FLOAT64);
    CHECK(dtype_from_name("long") == DTYPE_INT64 && dtype_from_name("byte") == DTYPE_UINT8);
    CHECK(dtype_from_name("bool") == DTYPE_BOOL && dtype_from_name("float64") == DTYPE_FLOAT64);
    CHECK(dtype_from_name("int32") == -1 && dtype_from_name("") == -1);
    CHECK(dtype_is_floating(DTYPE_FLOAT64) && !dtype_is_floating(DTYPE_INT64));

    /* torch.promote_types for these five types, both argument orders. */
    static const DType pairs[][3] = {
        {DTYPE_BOOL, DTYPE_BOOL, DTYPE_BOOL},        {DTYPE_BOOL, DTYPE_UINT8, DTYPE_UINT8},
        {DTYPE_UINT8, DTYPE_INT64, DTYPE_INT64},     {DTYPE_BOOL, DTYPE_INT64, DTYPE_INT64},
        {DTYPE_INT64, DTYPE_FLOAT32, DTYPE_FLOAT32}, {DTYPE_UINT8, DTYPE_FLOAT32, DTYPE_FLOAT32},
        {DTYPE_BOOL, DTYPE_FLOAT64, DTYPE_FLOAT64},  {DTYPE_FLOAT32, DTYPE_FLOAT64, DTYPE_FLOAT64},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        CHECK(dtype_promote(pairs[i][0], pairs[i][1]) == pairs[i][2]);
        CHECK(dtype_promote(pairs[i][1], pairs[i][0]) == pairs[i][2]);
    }

    CHECK(dtype_default() == DTYPE_FLOAT32);
    CHECK(dtype_set_default(DTYPE_FLOAT64) == 0 && dtype_default() == DTYPE_FLOAT64);
    CHECK_ERROR(dtype_set_default(DTYPE_INT64) < 0, "only floating types can be the default");
    CHECK(dtype_default() == DTYPE_FLOAT64);
    dtype_set_default(DTYPE_FLOAT32);
}

static void test_storage(void)
{
    size_t before = storage_live_bytes();
    Storage *s = storage_new(100, true);
    CHECK(s && s->nbytes == 100 && s->refcount == 1);
    CHECK(storage_live_bytes() == before + 100);
    CHECK(((unsigned char *)s->data)[0] == 0 && ((unsigned char *)s->data)[99] == 0);
    storage_retain(s);
    storage_release(s);
    CHECK(storage_live_bytes() == before + 100);
    storage_release(s);
    CHECK(storage_live_bytes() == before);

    Storage *big = storage_new(3u << 20, true);
    CHECK(big && (uintptr_t)big->data % 64 == 0 && ((char *)big->data)[(3u << 20) - 1] == 0);
    storage_release(big);

    Storage *empty = storage_new(0, false);
    CHECK(empty && empty->nbytes == 0 && storage_live_bytes() == before);
    storage_release(empty);

    /* 2^62 bytes cannot exist; the hook runs once before the retry. */
    int one = 1;
    storage_set_reclaim_hook(count_reclaim, &one);
    CHECK_ERROR(storage_new((size_t)1 << 62, false) == NULL,
                "out of memory: cannot allocate 4611686018427387904 bytes (4.0 EB)");
    CHECK(reclaim_calls == 1);
    storage_set_reclaim_hook(NULL, NULL);
    CHECK(storage_live_bytes() == before);
}

static void test_tensors(void)
{
    char buf[64];
    Tensor *t = tensor_zeros(SHAPE(2, 3, 4), DTYPE_FLOAT32);
    CHECK(t->stride[0] == 12 && t->stride[1] == 4 && t->stride[2] == 1);
    CHECK(tensor_numel(t) == 24 && tensor_is_contiguous(t) && AT(t, 1, 2, 3) == 0);
    CHECK(strcmp(tensor_shape_str(t, buf, sizeof buf), "2x3x4") == 0);
    int64_t idx[] = {1, 2, 3};
    tensor_set(t, idx, 1.5);
    CHECK(tensor_get(t, idx) == 1.5 && ((float *)tensor_data(t))[23] == 1.5f);
    double v;
    CHECK_ERROR(tensor_item(t, &v) < 0,
                "item: a tensor with 24 elements cannot be converted to a number");
    tensor_release(t);

    Tensor *s = tensor_scalar(-1, DTYPE_UINT8);   /* through int64, as PyTorch: 255 */
    CHECK(s->ndim == 0 && tensor_numel(s) == 1 && tensor_is_contiguous(s));
    CHECK(strcmp(tensor_shape_str(s, buf, sizeof buf), "[]") == 0);
    CHECK(tensor_item(s, &v) == 0 && v == 255);
    tensor_release(s);

    Tensor *e = tensor_empty(SHAPE(0, 3), DTYPE_INT64);
    CHECK(e && tensor_numel(e) == 0 && tensor_data(e) == NULL && tensor_is_contiguous(e));
    CHECK(strcmp(tensor_shape_str(e, buf, sizeof buf), "0x3") == 0);
    CHECK_ERROR(tensor_item(e, &v) < 0, "a tensor with 0 elements");
    tensor_release(e);

    int64_t n;
    CHECK(shape_check(SHAPE(3, 0, 5), &n) && n == 0);
    CHECK_ERROR(!shape_check(SHAPE(3, -2), &n), "negative size -2 in dim 2");
    CHECK_ERROR(tensor_zeros(SHAPE(INT64_C(1) << 32, INT64_C(1) << 32), DTYPE_BOOL) == NULL,
                "size overflows int64");
    /* A zero does not hide an overflowing product of the other sizes. */
    CHECK_ERROR(tensor_empty(SHAPE(0, INT64_C(1) << 40, INT64_C(1) << 40), DTYPE_BOOL) == NULL,
                "size overflows int64");
    CHECK_ERROR(tensor_empty(SHAPE(INT64_C(1) << 61, 2), DTYPE_FLOAT64) == NULL,
                "size overflows int64: 4611686018427387904 elements of float64");
    int64_t ones[TENSOR_MAX_DIMS + 1] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK_ERROR(tensor_empty(TENSOR_MAX_DIMS + 1, ones, DTYPE_BOOL) == NULL,
                "at most 16 dims, got 17");

    CHECK(tensor_wrap_dim("sum", -1, 2) == 1 && tensor_wrap_dim("sum", -2, 2) == 0);
    CHECK_ERROR(tensor_wrap_dim("transpose", 5, 2) < 0,
                "transpose: dim 5 out of range for a 2-dim tensor");
    CHECK_ERROR(tensor_wrap_dim("sum", -3, 2) < 0, "dim -3 out of range");
}

/* Stride rules: size-1 dims never break contiguity; a transpose does. */
static void test_contiguity(void)
{
    Tensor *a = arange(SHAPE(3, 1), DTYPE_FLOAT64);
    a->stride[1] = 99;
    CHECK(tensor_is_contiguous(a));
    tensor_release(a);
    Tensor *b = arange(SHAPE(3, 4), DTYPE_FLOAT64);
    Tensor *bt = tensor_transpose(b, 0, 1);
    CHECK(!tensor_is_contiguous(bt) && tensor_begin_write("add_", bt));
    Tensor *x = tensor_expand(b, SHAPE(2, 3, 4));
    CHECK_ERROR(!tensor_begin_write("add_", x),
                "add_: the tensor written to is an expanded view (shape 2x3x4)");
    tensor_release(x);
    tensor_release(bt);
    tensor_release(b);
}

static void test_transpose_permute(void)
{
    Tensor *a = arange(SHAPE(2, 3), DTYPE_FLOAT64);
    Tensor *t = tensor_transpose(a, 0, -1);
    CHECK(t->storage == a->storage && t->storage->refcount == 2);
    CHECK(t->shape[0] == 3 && t->shape[1] == 2 && t->stride[0] == 1 && t->stride[1] == 3);
    CHECK(AT(t, 2, 1) == 5 && AT(t, 1, 0) == 1 && AT(t, 0, 1) == 3);
    tensor_set(t, (const int64_t[]){2, 0}, 42);     /* writes through to the base */
    CHECK(AT(a, 0, 2) == 42);
    tensor_release(a);                                /* the view keeps the storage */
    CHECK(AT(t, 2, 0) == 42);
    CHECK(tensor_transpose(t, 0, 2) == NULL);
    tensor_release(t);

    Tensor *b = arange(SHAPE(2, 3, 4), DTYPE_INT64);
    Tensor *p = tensor_permute(b, (const int[]){2, 0, 1});
    CHECK(p->shape[0] == 4 && p->shape[1] == 2 && p->shape[2] == 3);
    CHECK(p->stride[0] == 1 && p->stride[1] == 12 && p->stride[2] == 4);
    CHECK(AT(p, 3, 1, 2) == 23);   /* b[1][2][3] = 12 + 8 + 3 */
    CHECK_ERROR(tensor_permute(b, (const int[]){0, -3, 1}) == NULL,
                "permute: dim -3 appears twice");
    tensor_release(p);
    tensor_release(b);
}

static void test_view_reshape(void)
{
    char buf[64];
    Tensor *a = arange(SHAPE(2, 3), DTYPE_FLOAT32);
    Tensor *v = tensor_view(a, SHAPE(3, -1));
    CHECK(v->storage == a->storage && v->shape[1] == 2 && AT(v, 2, 0) == 4);
    tensor_release(v);
    v = tensor_view(a, SHAPE(-1));
    CHECK(v->ndim == 1 && v->shape[0] == 6);
    tensor_release(v);
    CHECK_ERROR(tensor_view(a, SHAPE(4, -1)) == NULL,
                "view: shape 4x-1 is invalid for input of 6 elements");
    CHECK_ERROR(tensor_view(a, SHAPE(-1, -1)) == NULL, "view: only one dim can be -1");
    CHECK_ERROR(tensor_view(a, SHAPE(2, -4)) == NULL, "view: negative size -4 in dim 2");

    Tensor *t = tensor_transpose(a, 0, 1);   /* 3x2 with strides 1x3 */
    CHECK_ERROR(tensor_view(t, SHAPE(6)) == NULL,
                "view: shape 6 is not compatible with the input's shape and strides "
                "(3x2 with strides 1x3); use reshape");
    /* Splitting or adding size-1 dims is always possible. */
    v = tensor_view(t, SHAPE(3, 1, 2, 1));
    CHECK(v && v->stride[0] == 1 && v->stride[2] == 3 && AT(v, 2, 0, 1, 0) == 5);
    tensor_release(v);

    Tensor *r = tensor_reshape(t, SHAPE(6));   /* copies: 0 3 1 4 2 5 */
    CHECK(r->storage != a->storage && tensor_is_contiguous(r));
    CHECK(AT(r, 0) == 0 && AT(r, 1) == 3 && AT(r, 2) == 1 && AT(r, 5) == 5);
    tensor_release(r);
    r = tensor_reshape(a, SHAPE(6, 1));
    CHECK(r->storage == a->storage && AT(r, 4, 0) == 4);
    tensor_release(r);
    tensor_release(t);
    tensor_release(a);

    /* Chunks: b is 3x2x4 with strides 4x12x1; dims may split inside a chunk. */
    Tensor *b0 = arange(SHAPE(2, 3, 4), DTYPE_FLOAT64);
    Tensor *b = tensor_transpose(b0, 0, 1);
    v = tensor_view(b, SHAPE(3, 2, 2, 2));
    CHECK(v && v->stride[0] == 4 && v->stride[1] == 12 && v->stride[2] == 2 &&
          v->stride[3] == 1);
    CHECK(AT(v, 2, 1, 1, 0) == 22);   /* b0[1][2][2] = 12 + 8 + 2 */
    tensor_release(v);
    CHECK(tensor_view(b, SHAPE(3, 8)) == NULL);
    tensor_release(b);
    tensor_release(b0);

    Tensor *z = tensor_zeros(SHAPE(0, 3), DTYPE_FLOAT32);
    v = tensor_reshape(z, SHAPE(3, 0, 5));
    CHECK(v && strcmp(tensor_shape_str(v, buf, sizeof buf), "3x0x5") == 0);
    tensor_release(v);
    CHECK_ERROR(tensor_view(z, SHAPE(0, -1)) == NULL,
                "view: the -1 in shape 0x-1 is ambiguous for a tensor of 0 elements");
    tensor_release(z);

    Tensor *s = tensor_scalar(7, DTYPE_INT64);
    v = tensor_view(s, SHAPE(1, 1));
    CHECK(v && AT(v, 0, 0) == 7);
    tensor_release(v);
    tensor_release(s);
}

static void test_narrow_select(void)
{
    Tensor *a = arange(SHAPE(4, 5), DTYPE_FLOAT64);
    Tensor *n = tensor_narrow(a, 1, 1, 3);
    CHECK(n->shape[0] == 4 && n->shape[1] == 3 && n->offset == 1 && AT(n, 2, 0) == 11);
    Tensor *m = tensor_narrow(n, 0, -2, 2);        /* rows 2..3 of the narrowed view */
    CHECK(m->offset == 11 && AT(m, 1, 2) == 18);
    tensor_release(m);
    m = tensor_narrow(a, 0, 4, 0);
    CHECK(m && tensor_numel(m) == 0);
    tensor_release(m);
    CHECK_ERROR(tensor_narrow(a, 1, 3, 3) == NULL,
                "narrow: start 3 + length 3 exceeds size 5 of dim 1");
    CHECK_ERROR(tensor_narrow(a, 0, 6, 0) == NULL, "narrow: start 6 out of range");

    Tensor *row = tensor_select(a, 0, -1);
    CHECK(row->ndim == 1 && row->shape[0] == 5 && AT(row, 0) == 15 && AT(row, 4) == 19);
    Tensor *col = tensor_select(n, 1, 2);          /* column 3 of a */
    CHECK(col->ndim == 1 && col->shape[0] == 4 && col->stride[0] == 5 && AT(col, 3) == 18);
    Tensor *elem = tensor_select(col, 0, 1);
    double v;
    CHECK(elem->ndim == 0 && tensor_item(elem, &v) == 0 && v == 8);
    CHECK_ERROR(tensor_select(a, 0, 4) == NULL, "select: index 4 out of range for dim 0 of size 4");
    CHECK_ERROR(tensor_select(a, 1, -6) == NULL, "select: index -6 out of range");
    tensor_release(elem);
    tensor_release(col);
    tensor_release(row);
    tensor_release(n);
    tensor_release(a);
}

static void test_expand(void)
{
    Tensor *a = arange(SHAPE(3, 1), DTYPE_FLOAT32);
    Tensor *x = tensor_expand(a, SHAPE(2, 3, 4));
    CHECK(x->stride[0] == 0 && x->stride[1] == 1 && x->stride[2] == 0);
    CHECK(AT(x, 1, 2, 3) == 2 && AT(x, 0, 1, 0) == 1 && x->storage == a->storage);
    tensor_release(x);
    x = tensor_expand(a, SHAPE(-1, 4));
    CHECK(x->shape[0] == 3 && x->shape[1] == 4 && x->stride[0] == 1);
    tensor_release(x);
    x = tensor_expand(a, SHAPE(3, 0));
    CHECK(x && tensor_numel(x) == 0);
    tensor_release(x);
    CHECK_ERROR(tensor_expand(a, SHAPE(4)) == NULL, "expand: cannot expand shape 3x1 to 4");
    CHECK_ERROR(tensor_expand(a, SHAPE(2, 4, 4)) == NULL,
                "expand: cannot expand shape 3x1 to 2x4x4 (dim 2: 3 vs 4; only size-1 dims "
                "can grow)");
    CHECK_ERROR(tensor_expand(a, SHAPE(-1, 3, 4)) == NULL, "expand: negative size -1 in dim 1");
    CHECK_ERROR(tensor_expand(a, SHAPE(INT64_C(1) << 62, 3, 4)) == NULL,
                "expand: size overflows int64");
    tensor_release(a);

    Tensor *s = tensor_scalar(2.5, DTYPE_FLOAT64);
    x = tensor_expand(s, SHAPE(2, 3));
    CHECK(x->stride[0] == 0 && x->stride[1] == 0 && AT(x, 1, 2) == 2.5);
    tensor_release(x);
    tensor_release(s);
}

static void test_squeeze_unsqueeze_flatten(void)
{
    Tensor *a = arange(SHAPE(1, 3, 1), DTYPE_FLOAT64);
    Tensor *s = tensor_squeeze(a, 0);
    CHECK(s->ndim == 2 && s->shape[0] == 3 && s->shape[1] == 1);
    tensor_release(s);
    s = tensor_squeeze(a, 1);                      /* size 3: unchanged */
    CHECK(s->ndim == 3);
    tensor_release(s);
    s = tensor_squeeze(a, -1);
    CHECK(s->ndim == 2 && s->shape[0] == 1 && s->shape[1] == 3);
    tensor_release(s);
    s = tensor_squeeze_all(a);
    CHECK(s->ndim == 1 && s->shape[0] == 3 && AT(s, 2) == 2);
    tensor_release(s);
    CHECK_ERROR(tensor_squeeze(a, 3) == NULL, "squeeze: dim 3 out of range for a 3-dim tensor");
    tensor_release(a);

    Tensor *b = arange(SHAPE(2, 3), DTYPE_FLOAT64);
    Tensor *u = tensor_unsqueeze(b, 0);
    CHECK(u->ndim == 3 && u->shape[0] == 1 && u->stride[0] == 6 && AT(u, 0, 1, 2) == 5);
    tensor_release(u);
    u = tensor_unsqueeze(b, -1);
    CHECK(u->ndim == 3 && u->shape[2] == 1 && u->stride[2] == 1 && tensor_is_contiguous(u));
    tensor_release(u);
    u = tensor_unsqueeze(b, 1);
    CHECK(u->shape[1] == 1 && u->stride[1] == 3 && AT(u, 1, 0, 2) == 5);
    tensor_release(u);
    CHECK_ERROR(tensor_unsqueeze(b, 3) == NULL, "unsqueeze: dim 3 out of range for a 3-dim tensor");

    Tensor *c = arange(SHAPE(2, 3, 4), DTYPE_FLOAT64);
    Tensor *f = tensor_flatten(c, 1, -1);
    CHECK(f->ndim == 2 && f->shape[1] == 12 && f->storage == c->storage && AT(f, 1, 11) == 23);
    tensor_release(f);
    Tensor *ct = tensor_transpose(c, 1, 2);       /* 2x4x3, not flattenable as a view */
    f = tensor_flatten(ct, 0, 1);
    CHECK(f->shape[0] == 8 && f->shape[1] == 3 && f->storage != c->storage);
    CHECK(AT(f, 5, 2) == 21);                      /* ct[1][1][2] = c[1][2][1] */
    tensor_release(f);
    CHECK_ERROR(tensor_flatten(c, 2, 1) == NULL,
                "flatten: start dim 2 must not come after end dim 1");
    tensor_release(ct);
    tensor_release(c);

    Tensor *sc = tensor_scalar(3, DTYPE_FLOAT32);
    f = tensor_flatten(sc, 0, -1);
    CHECK(f->ndim == 1 && f->shape[0] == 1 && AT(f, 0) == 3);
    tensor_release(f);
    s = tensor_squeeze(sc, 0);
    CHECK(s->ndim == 0);
    tensor_release(s);
    u = tensor_unsqueeze(sc, 0);
    CHECK(u->ndim == 1 && u->shape[0] == 1);
    tensor_release(u);
    tensor_release(sc);
    tensor_release(b);
}

static void test_unfold_as_strided(void)
{
    Tensor *a = arange(SHAPE(7), DTYPE_INT64);
    Tensor *w = tensor_unfold(a, 0, 3, 2);      /* rows 0 1 2 / 2 3 4 / 4 5 6 */
    CHECK(w->ndim == 2 && w->shape[0] == 3 && w->shape[1] == 3);
    CHECK(w->stride[0] == 2 && w->stride[1] == 1);
    CHECK(AT(w, 0, 2) == 2 && AT(w, 1, 0) == 2 && AT(w, 2, 2) == 6);
    tensor_release(w);
    CHECK_ERROR(tensor_unfold(a, 0, 8, 1) == NULL,
                "unfold: size 8 out of range for dim 0 of size 7");
    CHECK_ERROR(tensor_unfold(a, 0, 2, 0) == NULL, "unfold: step must be positive, got 0");

    Tensor *b = arange(SHAPE(2, 5), DTYPE_INT64);
    w = tensor_unfold(b, 1, 2, 3);              /* windows start at columns 0 and 3 */
    CHECK(w->shape[0] == 2 && w->shape[1] == 2 && w->shape[2] == 2 && AT(w, 1, 1, 0) == 8);
    tensor_release(w);
    tensor_release(b);

    w = tensor_as_strided(a, SHAPE(3, 2), (const int64_t[]){2, 1}, 1);
    CHECK(w && AT(w, 2, 1) == 6);
    tensor_release(w);
    CHECK_ERROR(tensor_as_strided(a, SHAPE(3, 2), (const int64_t[]){3, 1}, 1) == NULL,
                "as_strided: a view of shape 3x2 with strides 3x1 at offset 1 does not fit "
                "a storage of 7 elements");
    tensor_release(a);
}

int main(void)
{
    test_errors();
    test_dtypes();
    test_storage();
    test_tensors();
    test_contiguity();
    test_transpose_permute();
    test_view_reshape();
    test_narrow_select();
    test_expand();
    test_squeeze_unsqueeze_flatten();
    test_unfold_as_strided();
    return check_summary();
}
