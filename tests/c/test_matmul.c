/*
 * test_matmul.c — matrix products against the naive reference and by hand.
 *
 * Small products are worked out by hand for every dtype.  The BLAS paths
 * (gemm, both gemv directions, the folded batch) are compared with the
 * textbook loop of matmul_ref.c on transposed, narrowed, expanded and
 * batch-broadcast operands — the layouts that become transpose flags,
 * leading dims or copies — and PyTorch's 1-D rules, 0-size operands and the
 * error messages are checked on their own; large products run in row blocks
 * that give BLAS's own result and stop on an interrupt.
 */
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

#include <cblas.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

static Tensor *randn(int ndim, const int64_t *shape, DType dt)
{
    Tensor *t = tensor_empty(ndim, shape, dt);
    tensor_normal_(t, 0, 1);
    return t;
}

/* Largest |a - b| over all elements; INFINITY when the shapes differ. */
static double max_diff(const Tensor *a, const Tensor *b)
{
    if (!a || !b || !tensor_same_shape(a, b))
        return INFINITY;
    int64_t idx[TENSOR_MAX_DIMS] = {0}, n = tensor_numel(a);
    double worst = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs(tensor_get(a, idx) - tensor_get(b, idx));
        worst = d > worst || d != d ? d : worst;
        for (int k = a->ndim - 1; k >= 0 && ++idx[k] == a->shape[k]; k--)
            idx[k] = 0;
    }
    return worst;
}

/* matmul(a, b) agrees with the reference within a float32-sized tolerance. */
static bool agrees(const Tensor *a, const Tensor *b)
{
    Tensor *got = tensor_matmul(a, b), *want = tensor_matmul_ref(a, b);
    double d = max_diff(got, want);
    if (!(d < 1e-4))
        fprintf(stderr, "     max diff %g (%s)\n", d, got ? "" : tensor_error());
    tensor_release(got), tensor_release(want);
    return d < 1e-4;
}

static void test_by_hand(void)
{
    /* [[0 1 2] [3 4 5]] @ [[0 1] [2 3] [4 5]] = [[10 13] [28 40]] */
    const DType dts[] = {DTYPE_FLOAT32, DTYPE_FLOAT64, DTYPE_INT64, DTYPE_UINT8};
    for (int i = 0; i < 4; i++) {
        Tensor *a = arange(SHAPE(2, 3), dts[i]), *b = arange(SHAPE(3, 2), dts[i]);
        Tensor *c = tensor_matmul(a, b);
        CHECK(c && c->dtype == dts[i] && c->ndim == 2 && AT(c, 0, 0) == 10 &&
              AT(c, 0, 1) == 13 && AT(c, 1, 0) == 28 && AT(c, 1, 1) == 40);
        tensor_release(c), tensor_release(b), tensor_release(a);
    }
    /* uint8 wraps: 16 * 16 = 256 -> 0; int64 wraps without undefined behaviour. */
    Tensor *u = tensor_empty(SHAPE(1, 1), DTYPE_UINT8);
    tensor_fill_(u, 16);
    Tensor *uu = tensor_matmul(u, u);
    CHECK(uu && AT(uu, 0, 0) == 0);
    tensor_release(uu), tensor_release(u);
    Tensor *big = tensor_empty(SHAPE(1, 2), DTYPE_INT64), *two = tensor_empty(SHAPE(2, 1), DTYPE_INT64);
    ((int64_t *)tensor_data(big))[0] = INT64_MAX, ((int64_t *)tensor_data(big))[1] = 1;
    tensor_fill_(two, 1);
    Tensor *w = tensor_matmul(big, two);
    CHECK(w && ((int64_t *)tensor_data(w))[0] == INT64_MIN);
    tensor_release(w), tensor_release(two), tensor_release(big);
}

static void test_layouts(void)
{
    random_manual_seed(7);
    const DType dts[] = {DTYPE_FLOAT32, DTYPE_FLOAT64};
    for (int i = 0; i < 2; i++) {
        DType dt = dts[i];
        Tensor *a = randn(SHAPE(5, 7), dt), *b = randn(SHAPE(7, 3), dt);
        Tensor *at0 = randn(SHAPE(7, 5), dt), *at = tensor_transpose(at0, 0, 1);   /* Trans */
        Tensor *bt0 = randn(SHAPE(3, 7), dt), *bt = tensor_transpose(bt0, 0, 1);
        Tensor *wide = randn(SHAPE(9, 11), dt), *an = tensor_narrow(wide, 1, 2, 7); /* ld 11 */
        Tensor *an2 = tensor_narrow(an, 0, 1, 5);                                  /* 5 x 7 */
        Tensor *col = randn(SHAPE(7, 1), dt), *colx = tensor_expand(col, SHAPE(7, 3)); /* stride 0 */
        Tensor *tall = randn(SHAPE(14, 6), dt);   /* 7 x 3 stepping 2 in both dims: copied */
        Tensor *st = tensor_as_strided(tall, SHAPE(7, 3), (const int64_t[]){12, 2}, 1);
        Tensor *stt = tensor_transpose(st, 0, 1), *a_t = tensor_transpose(a, 0, 1);
        CHECK(agrees(a, b));
        CHECK(agrees(at, b));
        CHECK(agrees(a, bt));
        CHECK(agrees(at, bt));
        CHECK(agrees(an2, b));
        CHECK(agrees(an2, colx));
        CHECK(agrees(a, st));
        CHECK(agrees(stt, a_t));
        /* gemv in both directions: one row, one column, from every layout. */
        Tensor *row = tensor_narrow(a, 0, 2, 1), *rowt = tensor_narrow(at, 0, 2, 1);
        Tensor *bcol = tensor_narrow(b, 1, 1, 1), *btcol = tensor_narrow(bt, 1, 1, 1);
        CHECK(agrees(row, b));
        CHECK(agrees(rowt, bt));
        CHECK(agrees(a, bcol));
        CHECK(agrees(at, btcol));
        CHECK(agrees(row, bcol));
        /* k = 1 */
        Tensor *k1a = tensor_narrow(a, 1, 0, 1), *k1b = tensor_narrow(b, 0, 0, 1);
        CHECK(agrees(k1a, k1b));
        tensor_release(k1a), tensor_release(k1b);
        tensor_release(row), tensor_release(rowt), tensor_release(bcol), tensor_release(btcol);
        tensor_release(stt), tensor_release(st), tensor_release(a_t);
        tensor_release(tall), tensor_release(colx), tensor_release(col);
        tensor_release(an2), tensor_release(an), tensor_release(wide);
        tensor_release(bt), tensor_release(bt0), tensor_release(at), tensor_release(at0);
        tensor_release(b), tensor_release(a);
    }
}

/* A batched product equals the reference run on explicitly expanded copies. */
static bool batched_agrees(const Tensor *a, const Tensor *b, int nbatch, const int64_t *batch)
{
    int64_t sa[TENSOR_MAX_DIMS], sb[TENSOR_MAX_DIMS], nb = 1;
    for (int d = 0; d < nbatch; d++)
        sa[d] = sb[d] = batch[d], nb *= batch[d];
    sa[nbatch] = a->shape[a->ndim - 2], sa[nbatch + 1] = a->shape[a->ndim - 1];
    sb[nbatch] = b->shape[b->ndim - 2], sb[nbatch + 1] = b->shape[b->ndim - 1];
    Tensor *ax = tensor_expand(a, nbatch + 2, sa), *bx = tensor_expand(b, nbatch + 2, sb);
    Tensor *a3 = tensor_reshape(ax, 3, (const int64_t[]){nb, sa[nbatch], sa[nbatch + 1]});
    Tensor *b3 = tensor_reshape(bx, 3, (const int64_t[]){nb, sb[nbatch], sb[nbatch + 1]});
    Tensor *want = tensor_matmul_ref(a3, b3), *got = tensor_matmul(a, b);
    Tensor *got3 = got ? tensor_reshape(got, 3, want->shape) : NULL;
    bool ok = got && got->ndim == nbatch + 2 && max_diff(got3, want) < 1e-4;
    for (int d = 0; ok && d < nbatch; d++)
        ok = got->shape[d] == batch[d];
    tensor_release(got3), tensor_release(got), tensor_release(want);
    tensor_release(a3), tensor_release(b3), tensor_release(ax), tensor_release(bx);
    return ok;
}

static void test_batched(void)
{
    random_manual_seed(11);
    Tensor *a = randn(SHAPE(2, 1, 3, 4), DTYPE_FLOAT32), *b = randn(SHAPE(5, 4, 2), DTYPE_FLOAT32);
    CHECK(batched_agrees(a, b, 2, (const int64_t[]){2, 5}));
    /* Batch dims folded into rows: (4, 3, 5) @ (5, 2), foldable or not. */
    Tensor *f = randn(SHAPE(4, 3, 5), DTYPE_FLOAT64), *m = randn(SHAPE(5, 2), DTYPE_FLOAT64);
    Tensor *g0 = randn(SHAPE(3, 4, 5), DTYPE_FLOAT64), *g = tensor_transpose(g0, 0, 1);
    Tensor *mt0 = randn(SHAPE(2, 5), DTYPE_FLOAT64), *mt = tensor_transpose(mt0, 0, 1);
    CHECK(batched_agrees(f, m, 1, (const int64_t[]){4}));
    CHECK(batched_agrees(g, m, 1, (const int64_t[]){4}));
    CHECK(batched_agrees(g, mt, 1, (const int64_t[]){4}));
    /* A 2-D left operand against a batch of transposed matrices. */
    Tensor *ft = tensor_transpose(f, 1, 2), *m2 = tensor_transpose(m, 0, 1);   /* 4x5x3, 2x5 */
    CHECK(batched_agrees(m2, ft, 1, (const int64_t[]){4}));
    Tensor *i8 = arange(SHAPE(3, 2, 4), DTYPE_INT64), *i8b = arange(SHAPE(4, 3), DTYPE_INT64);
    CHECK(batched_agrees(i8, i8b, 1, (const int64_t[]){3}));
    tensor_release(i8), tensor_release(i8b), tensor_release(m2), tensor_release(ft);
    tensor_release(mt), tensor_release(mt0), tensor_release(g), tensor_release(g0);
    tensor_release(f), tensor_release(m), tensor_release(b), tensor_release(a);
}

static void test_vector_rules(void)
{
    Tensor *v = arange(SHAPE(3), DTYPE_FLOAT32), *m = arange(SHAPE(3, 2), DTYPE_FLOAT32);
    Tensor *mt = arange(SHAPE(2, 3), DTYPE_FLOAT32);
    Tensor *vm = tensor_matmul(v, m), *mv = tensor_matmul(mt, v), *vv = tensor_matmul(v, v);
    CHECK(vm && vm->ndim == 1 && vm->shape[0] == 2 && AT(vm, 0) == 10 && AT(vm, 1) == 13);
    CHECK(mv && mv->ndim == 1 && mv->shape[0] == 2 && AT(mv, 0) == 5 && AT(mv, 1) == 14);
    CHECK(vv && vv->ndim == 0 && AT(vv) == 5);
    Tensor *mv2 = tensor_mv(mt, v);
    CHECK(max_diff(mv2, mv) == 0);
    /* (3) @ (4, 3, 2) -> (4, 2) and (4, 2, 3) @ (3) -> (4, 2). */
    Tensor *b = arange(SHAPE(4, 3, 2), DTYPE_FLOAT32), *vb = tensor_matmul(v, b);
    CHECK(vb && vb->ndim == 2 && vb->shape[0] == 4 && vb->shape[1] == 2 &&
          AT(vb, 3, 1) == 1 * 21 + 2 * 23);   /* b[3] = [[18 19] [20 21] [22 23]] */
    Tensor *bt = tensor_transpose(b, 1, 2), *bv = tensor_matmul(bt, v);
    CHECK(bv && bv->ndim == 2 && max_diff(bv, vb) == 0);
    /* A strided and an expanded vector. */
    Tensor *w0 = arange(SHAPE(6), DTYPE_FLOAT32), *w = tensor_as_strided(w0, SHAPE(3), (const int64_t[]){2}, 0);
    Tensor *one = tensor_scalar(1, DTYPE_FLOAT32), *ones = tensor_expand(one, SHAPE(3));
    Tensor *wm = tensor_matmul(w, m), *ow = tensor_matmul(ones, m), *mo = tensor_matmul(mt, ones);
    CHECK(wm && AT(wm, 0) == 2 * 2 + 4 * 4 && AT(wm, 1) == 0 + 2 * 3 + 4 * 5);
    CHECK(ow && AT(ow, 0) == 6 && AT(ow, 1) == 9 && mo && AT(mo, 0) == 3 && AT(mo, 1) == 12);
    Tensor *dw = tensor_dot(w, ones);
    CHECK(dw && AT(dw) == 6);
    tensor_release(dw), tensor_release(wm), tensor_release(ow), tensor_release(mo);
    tensor_release(ones), tensor_release(one), tensor_release(w), tensor_release(w0);
    tensor_release(bv), tensor_release(bt), tensor_release(vb), tensor_release(b);
    tensor_release(mv2), tensor_release(vm), tensor_release(mv), tensor_release(vv);
    tensor_release(mt), tensor_release(m), tensor_release(v);
}

static void test_dot_outer(void)
{
    /* float32 sums in double: 1e8 + 1 - 1e8 is 1, not the 0 of float sums. */
    Tensor *x = tensor_empty(SHAPE(3), DTYPE_FLOAT32), *y = tensor_empty(SHAPE(3), DTYPE_FLOAT32);
    float *px = tensor_data(x);
    px[0] = 1e8f, px[1] = 1, px[2] = -1e8f;
    tensor_fill_(y, 1);
    Tensor *d = tensor_dot(x, y);
    CHECK(d && d->dtype == DTYPE_FLOAT32 && AT(d) == 1);
    Tensor *i = arange(SHAPE(4), DTYPE_INT64), *di = tensor_dot(i, i);
    CHECK(di && di->dtype == DTYPE_INT64 && AT(di) == 14);
    Tensor *e = tensor_empty(SHAPE(0), DTYPE_FLOAT64), *de = tensor_dot(e, e);
    CHECK(de && AT(de) == 0);
    /* outer: bool allowed (and), mixed dtypes promote. */
    Tensor *bl = tensor_empty(SHAPE(2), DTYPE_BOOL);
    ((uint8_t *)tensor_data(bl))[0] = 1, ((uint8_t *)tensor_data(bl))[1] = 0;
    Tensor *ob = tensor_outer(bl, bl);
    CHECK(ob && ob->dtype == DTYPE_BOOL && AT(ob, 0, 0) == 1 && AT(ob, 0, 1) == 0 &&
          AT(ob, 1, 1) == 0);
    Tensor *f = arange(SHAPE(2), DTYPE_FLOAT64), *of = tensor_outer(i, f);
    CHECK(of && of->dtype == DTYPE_FLOAT64 && of->shape[0] == 4 && of->shape[1] == 2 &&
          AT(of, 3, 1) == 3);
    tensor_release(of), tensor_release(f), tensor_release(ob), tensor_release(bl);
    tensor_release(de), tensor_release(e), tensor_release(di), tensor_release(i);
    tensor_release(d), tensor_release(x), tensor_release(y);
}

static void test_add_products(void)
{
    /* 2 * [[0 1] [2 3]] @ [[0 1 2] [3 4 5]] + 0.5 * [0 1 2] */
    Tensor *m1 = arange(SHAPE(2, 2), DTYPE_FLOAT32), *m2 = arange(SHAPE(2, 3), DTYPE_FLOAT32);
    Tensor *in = arange(SHAPE(3), DTYPE_FLOAT32), *r = tensor_addmm(in, m1, m2, 0.5, 2);
    CHECK(r && AT(r, 0, 0) == 6 && AT(r, 0, 1) == 8.5 && AT(r, 1, 2) == 39);
    /* beta = 0: the input's NaNs are not read. */
    Tensor *nan = tensor_empty(SHAPE(2, 3), DTYPE_FLOAT32);
    tensor_fill_(nan, NAN);
    Tensor *r0 = tensor_addmm(nan, m1, m2, 0, 1);
    CHECK(r0 && AT(r0, 0, 0) == 3 && AT(r0, 1, 2) == 19);
    /* int64: beta and alpha converted to integers. */
    Tensor *i1 = arange(SHAPE(2, 2), DTYPE_INT64), *i2 = arange(SHAPE(2, 3), DTYPE_INT64);
    Tensor *ii = arange(SHAPE(2, 1), DTYPE_INT64), *ri = tensor_addmm(ii, i1, i2, 3, 2);
    CHECK(ri && ri->dtype == DTYPE_INT64 && AT(ri, 0, 0) == 6 && AT(ri, 1, 2) == 3 + 38);
    /* baddbmm: batch 2 of m1 @ m2, the second doubled by the input's broadcast. */
    Tensor *b1 = tensor_expand(m1, SHAPE(2, 2, 2)), *b2 = tensor_expand(m2, SHAPE(2, 2, 3));
    Tensor *bin = arange(SHAPE(2, 1, 1), DTYPE_FLOAT32), *rb = tensor_baddbmm(bin, b1, b2, 10, 1);
    CHECK(rb && rb->ndim == 3 && AT(rb, 0, 1, 1) == 14 && AT(rb, 1, 1, 1) == 24);
    /* k = 0: the product is empty, the result beta * input. */
    Tensor *k0a = tensor_empty(SHAPE(2, 0), DTYPE_FLOAT64), *k0b = tensor_empty(SHAPE(0, 3), DTYPE_FLOAT64);
    Tensor *k0in = arange(SHAPE(3), DTYPE_FLOAT64), *rk = tensor_addmm(k0in, k0a, k0b, 2, 1);
    Tensor *rz = tensor_matmul(k0a, k0b);
    CHECK(rk && AT(rk, 1, 2) == 4 && rz && rz->shape[0] == 2 && rz->shape[1] == 3 &&
          AT(rz, 1, 2) == 0);
    tensor_release(rz), tensor_release(rk), tensor_release(k0in);
    tensor_release(k0a), tensor_release(k0b);
    tensor_release(rb), tensor_release(bin), tensor_release(b1), tensor_release(b2);
    tensor_release(ri), tensor_release(ii), tensor_release(i1), tensor_release(i2);
    tensor_release(r0), tensor_release(nan), tensor_release(r), tensor_release(in);
    tensor_release(m1), tensor_release(m2);
}

static void test_empty(void)
{
    Tensor *a = tensor_empty(SHAPE(0, 3), DTYPE_FLOAT32), *b = tensor_empty(SHAPE(3, 2), DTYPE_FLOAT32);
    Tensor *c = tensor_matmul(a, b);
    CHECK(c && c->ndim == 2 && c->shape[0] == 0 && c->shape[1] == 2);
    Tensor *ba = tensor_empty(SHAPE(0, 2, 3), DTYPE_FLOAT32), *bc = tensor_matmul(ba, b);
    CHECK(bc && bc->ndim == 3 && bc->shape[0] == 0 && bc->shape[2] == 2);
    Tensor *ia = tensor_empty(SHAPE(2, 0), DTYPE_INT64), *ib = tensor_empty(SHAPE(0, 2), DTYPE_INT64);
    Tensor *ic = tensor_matmul(ia, ib);
    CHECK(ic && AT(ic, 1, 1) == 0);
    tensor_release(ic), tensor_release(ia), tensor_release(ib);
    tensor_release(bc), tensor_release(ba), tensor_release(c), tensor_release(a), tensor_release(b);
}

static void test_errors(void)
{
    Tensor *a = tensor_zeros(SHAPE(3, 4), DTYPE_FLOAT32), *b = tensor_zeros(SHAPE(5, 6), DTYPE_FLOAT32);
    Tensor *d = tensor_zeros(SHAPE(4, 2), DTYPE_FLOAT64), *s = tensor_scalar(1, DTYPE_FLOAT32);
    Tensor *v = tensor_zeros(SHAPE(3), DTYPE_FLOAT32), *v4 = tensor_zeros(SHAPE(4), DTYPE_FLOAT32);
    Tensor *bl = tensor_zeros(SHAPE(2, 2), DTYPE_BOOL);
    Tensor *x = tensor_zeros(SHAPE(2, 3, 4), DTYPE_FLOAT32), *y = tensor_zeros(SHAPE(3, 4, 5), DTYPE_FLOAT32);
    CHECK_ERROR(!tensor_matmul(a, b), "matmul: size mismatch, 3x4 cannot multiply 5x6");
    CHECK_ERROR(!tensor_matmul(v, v4), "matmul: size mismatch, 3 cannot multiply 4");
    CHECK_ERROR(!tensor_matmul(s, v), "matmul: both arguments need at least 1 dim, got 0-D and 1-D");
    CHECK_ERROR(!tensor_matmul(a, d),
                "matmul: expected both inputs to have the same dtype, got float32 and float64");
    CHECK_ERROR(!tensor_matmul(bl, bl), "matmul: bool tensors are not supported");
    CHECK_ERROR(!tensor_matmul(x, y), "matmul: the batch dims of 2x3x4 and 3x4x5 cannot be broadcast");
    CHECK_ERROR(!tensor_mm(x, a), "mm: expected 2-D matrices, got 3-D and 2-D");
    CHECK_ERROR(!tensor_mm(a, b), "mm: size mismatch, 3x4 cannot multiply 5x6");
    CHECK_ERROR(!tensor_bmm(x, y), "bmm: batch sizes differ, 2x3x4 and 3x4x5");
    CHECK_ERROR(!tensor_bmm(a, y), "bmm: expected 3-D batches of matrices, got 2-D and 3-D");
    CHECK_ERROR(!tensor_mv(a, v), "mv: size mismatch, 3x4 cannot multiply 3");
    CHECK_ERROR(!tensor_mv(a, a), "mv: expected a 2-D matrix and a 1-D vector, got 2-D and 2-D");
    CHECK_ERROR(!tensor_dot(v, v4), "dot: size mismatch, 3 cannot multiply 4");
    CHECK_ERROR(!tensor_dot(a, v), "dot: expected 1-D vectors, got 2-D and 1-D");
    CHECK_ERROR(!tensor_outer(a, v), "outer: expected 1-D vectors, got 2-D and 1-D");
    Tensor *in = tensor_zeros(SHAPE(2, 3), DTYPE_FLOAT32), *sq = tensor_zeros(SHAPE(4, 4), DTYPE_FLOAT32);
    CHECK_ERROR(!tensor_addmm(in, a, sq, 1, 1),
                "addmm: input of shape 2x3 cannot be broadcast to the result's shape 3x4");
    CHECK_ERROR(!tensor_addmm(in, a, d, 1, 1), "addmm: expected input and both matrices to have "
                                                "the same dtype, got float32, float32 and float64");
    CHECK_ERROR(!tensor_baddbmm(in, x, x, 1, 1), "baddbmm: size mismatch, 2x3x4 cannot multiply 2x3x4");
    tensor_release(in), tensor_release(sq);
    tensor_release(x), tensor_release(y), tensor_release(bl), tensor_release(v), tensor_release(v4);
    tensor_release(s), tensor_release(d), tensor_release(a), tensor_release(b);
}

/* The reference itself, by hand, so that agreeing with it means something. */
static void test_reference(void)
{
    Tensor *a = arange(SHAPE(2, 2, 3), DTYPE_FLOAT64), *b = arange(SHAPE(2, 3, 2), DTYPE_FLOAT64);
    Tensor *c = tensor_matmul_ref(a, b);
    /* batch 1: [[6 7 8] [9 10 11]] @ [[6 7] [8 9] [10 11]] */
    CHECK(c && AT(c, 0, 0, 0) == 10 && AT(c, 1, 0, 0) == 36 + 56 + 80 && AT(c, 1, 1, 1) == 63 + 90 + 121);
    tensor_release(c), tensor_release(a), tensor_release(b);
}

/* Large products run as row blocks (matmul.c's GEMM_BLOCK_MACS): the result
 * is the one BLAS call's, bit for bit. */
static void test_row_blocks(void)
{
    Tensor *a = randn(SHAPE(1024, 512), DTYPE_FLOAT64), *b = randn(SHAPE(512, 1024), DTYPE_FLOAT64);
    Tensor *c = tensor_matmul(a, b), *whole = tensor_zeros(SHAPE(1024, 1024), DTYPE_FLOAT64);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1024, 1024, 512, 1, tensor_data(a), 512,
                tensor_data(b), 1024, 0, tensor_data(whole), 1024);
    CHECK(c && memcmp(tensor_data(c), tensor_data(whole), 1024 * 1024 * sizeof(double)) == 0);
    tensor_release(a), tensor_release(b), tensor_release(c), tensor_release(whole);
}

static void *interrupt_soon(void *arg)
{
    (void)arg;
    nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    tensor_interrupt_requested = 1;
    return NULL;
}

/* Ctrl-C (the flag a SIGINT handler sets) stops even one 2-D product, of
 * 7e10 multiply-adds (seconds), between its row blocks. */
static void test_interrupt(void)
{
    Tensor *a = tensor_zeros(SHAPE(4096, 4096), DTYPE_FLOAT32);
    pthread_t thread;
    pthread_create(&thread, NULL, interrupt_soon, NULL);
    CHECK_ERROR(tensor_matmul(a, a) == NULL, "interrupted");
    pthread_join(thread, NULL);
    CHECK(tensor_interrupt_requested == 0);
    tensor_release(a);
}

int main(void)
{
    test_reference();
    test_row_blocks();
    test_interrupt();
    test_by_hand();
    test_layouts();
    test_batched();
    test_vector_rules();
    test_dot_outer();
    test_add_products();
    test_empty();
    test_errors();
    return check_summary();
}
