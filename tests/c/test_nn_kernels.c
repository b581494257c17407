/*
 * test_nn_kernels.c — the dropout and embedding kernels against their naive
 * references: the fused dropout pass against bernoulli + scale + multiply on
 * the same seed (equal bit for bit, for contiguous and strided inputs, the
 * feature form and the in-place form), and the threaded embedding backward
 * against the serial loop (equal bit for bit, with repeated indices and a
 * padding row), the forward against index_select; and their messages.
 */
#include "tensor/dropout.h"
#include "tensor/embedding.h"
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

static bool same_values(const Tensor *a, const Tensor *b)
{
    if (!a || !b || !tensor_same_shape(a, b))
        return false;
    Tensor *da = tensor_to_dtype(a, DTYPE_FLOAT64), *db = tensor_to_dtype(b, DTYPE_FLOAT64);
    bool ok = true;
    for (int64_t i = 0, n = tensor_numel(da); i < n; i++)
        ok &= ((double *)tensor_data(da))[i] == ((double *)tensor_data(db))[i];
    tensor_release(da), tensor_release(db);
    return ok;
}

static Tensor *randn(int ndim, const int64_t *shape, DType dt)
{
    Tensor *t = tensor_empty(ndim, shape, dt);
    tensor_normal_(t, 0, 1);
    return t;
}

/* Fused and reference dropout of x with the same seed. */
static void check_dropout(const Tensor *x, double p, bool feature)
{
    Tensor *out, *mask, *rout, *rmask;
    random_manual_seed(42);
    int s1 = tensor_dropout(x, p, feature, &out, &mask);
    random_manual_seed(42);
    int s2 = tensor_dropout_ref(x, p, feature, &rout, &rmask);
    CHECK(s1 == 0 && s2 == 0);
    if (s1 || s2)
        return;
    CHECK(same_values(out, rout));
    CHECK(same_values(mask, rmask));
    /* In place on a copy: the same values again. */
    Tensor *y = tensor_clone(x), *ymask;
    random_manual_seed(42);
    CHECK(tensor_dropout_(y, p, feature, &ymask) == 0 && same_values(y, rout));
    tensor_release(ymask), tensor_release(y);
    tensor_release(out), tensor_release(mask), tensor_release(rout), tensor_release(rmask);
}

static void test_dropout(void)
{
    DType dts[] = {DTYPE_FLOAT32, DTYPE_FLOAT64};
    for (int k = 0; k < 2; k++) {
        Tensor *x = randn(SHAPE(64, 600), dts[k]);    /* above PARALLEL_GRAIN: threaded */
        Tensor *xt = tensor_transpose(x, 0, 1);       /* strided */
        Tensor *small = randn(SHAPE(3, 5), dts[k]);
        Tensor *img = randn(SHAPE(4, 6, 3, 3), dts[k]);
        for (double p = 0; p <= 1.0; p += 0.25) {
            check_dropout(x, p, false);
            check_dropout(xt, p, false);
            check_dropout(small, p, false);
            check_dropout(img, p, true);
        }
        tensor_release(img), tensor_release(small), tensor_release(xt), tensor_release(x);
    }
    /* The kept fraction and the exact scale. */
    Tensor *ones = tensor_zeros(SHAPE(100000), DTYPE_FLOAT32), *out, *mask;
    tensor_fill_(ones, 1);
    CHECK(tensor_dropout(ones, 0.3, false, &out, &mask) == 0);
    int64_t kept = 0;
    bool exact = true;
    for (int64_t i = 0; i < 100000; i++) {
        float v = ((float *)tensor_data(out))[i];
        kept += v != 0;
        exact &= v == 0 || v == (float)(1.0 / 0.7);
    }
    CHECK(exact);
    CHECK(kept > 69500 && kept < 70500);   /* 0.7 +- 3.5 sd */
    tensor_release(out), tensor_release(mask), tensor_release(ones);

    Tensor *ints = tensor_zeros(SHAPE(3), DTYPE_INT64), *v = tensor_zeros(SHAPE(3), DTYPE_FLOAT32);
    CHECK_ERROR(tensor_dropout(ints, 0.5, false, &out, &mask) < 0,
                "dropout: expected a floating tensor, got int64");
    CHECK_ERROR(tensor_dropout(v, 1.5, false, &out, &mask) < 0,
                "dropout: dropout probability p must be in [0, 1], got 1.5");
    CHECK_ERROR(tensor_dropout(v, 0.5, true, &out, &mask) < 0,
                "feature_dropout: expected an input with at least 2 dims (N, C, ...), got 3");
    tensor_release(v), tensor_release(ints);
}

static Tensor *indices(int ndim, const int64_t *shape, int64_t rows, int64_t base)
{
    Tensor *t = tensor_empty(ndim, shape, DTYPE_INT64);
    tensor_random_int_(t, base, base + rows);
    return t;
}

static void test_embedding(void)
{
    int64_t base = 1;
    for (int k = 0; k < 2; k++) {
        DType dt = k ? DTYPE_FLOAT64 : DTYPE_FLOAT32;
        /* Many repeats of few rows, enough work to run threaded. */
        Tensor *w = randn(SHAPE(7, 300), dt), *idx = indices(SHAPE(40, 5), 7, base);
        Tensor *y = tensor_embedding(w, idx, base);
        Tensor *flat = tensor_reshape(idx, SHAPE(200));
        Tensor *sel = tensor_index_select(w, 0, flat, base);
        Tensor *sel3 = tensor_reshape(sel, SHAPE(40, 5, 300));
        CHECK(same_values(y, sel3));
        Tensor *g = randn(SHAPE(40, 5, 300), dt);
        for (int64_t pad = -1; pad < 7; pad += 3) {
            Tensor *gw = tensor_embedding_backward(g, idx, 7, pad, base);
            Tensor *gr = tensor_embedding_backward_ref(g, idx, 7, pad, base);
            CHECK(same_values(gw, gr));
            if (pad >= 0 && gw)
                CHECK(AT(gw, pad, 0) == 0 && AT(gw, pad, 299) == 0);
            tensor_release(gw), tensor_release(gr);
        }
        tensor_release(g), tensor_release(sel3), tensor_release(sel), tensor_release(flat);
        tensor_release(y), tensor_release(idx), tensor_release(w);
    }
    Tensor *w = tensor_zeros(SHAPE(5, 3), DTYPE_FLOAT32), *bad = tensor_zeros(SHAPE(2), DTYPE_INT64);
    tensor_fill_(bad, 6);
    CHECK_ERROR(!tensor_embedding(w, bad, 1),
                "embedding: index 6 out of range for num_embeddings 5 (indices are 1..5)");
    CHECK_ERROR(!tensor_embedding(w, bad, 0),
                "embedding: index 6 out of range for num_embeddings 5 (indices are 0..4)");
    Tensor *fl = tensor_zeros(SHAPE(2), DTYPE_FLOAT32);
    CHECK_ERROR(!tensor_embedding(w, fl, 1), "embedding: expected int64 indices, got float32");
    CHECK_ERROR(!tensor_embedding(fl, bad, 1),
                "embedding: expected a 2-D weight (num_embeddings x embedding_dim), got 2");
    Tensor *g = tensor_zeros(SHAPE(3, 3), DTYPE_FLOAT32);
    CHECK_ERROR(!tensor_embedding_backward(g, bad, 5, -1, 1),
                "embedding_backward: a gradient of shape 3x3 does not fit indices of shape 2");
    tensor_release(g), tensor_release(fl), tensor_release(bad), tensor_release(w);
}

int main(void)
{
    test_dropout();
    test_embedding();
    return check_summary();
}
