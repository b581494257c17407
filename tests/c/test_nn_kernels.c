/*
 * test_nn_kernels.c — the dropout, embedding and recurrent kernels against
 * their naive references: the fused dropout pass against bernoulli + scale
 * + multiply on the same seed (equal bit for bit, for contiguous and strided
 * inputs, the feature form and the in-place form), the threaded embedding
 * backward against the serial loop (equal bit for bit, with repeated
 * indices, a padding row and gradients read through their strides: a sum's
 * expanded one, a transposed one, every other element), the forward against
 * index_select; the vectorizable exp, tanh and sigmoid of tensor/vmath.h
 * against double precision (a few ulp, and NaN, infinities, signed zeros,
 * overflow and underflow as libm); and their messages.
 */
#include "tensor/dropout.h"
#include "tensor/embedding.h"
#include "tensor/rnn.h"
#include "tensor/vmath.h"
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

/* The backward of gradients that index dims fold into one stride (read in
 * place) and of one they do not (copied first), against the reference. */
static void test_embedding_strided_grads(void)
{
    int64_t base = 1;
    Tensor *idx = indices(SHAPE(6, 5), 9, base);
    Tensor *one = tensor_scalar(1.5, DTYPE_FLOAT32);
    Tensor *wide = randn(SHAPE(6, 5, 8), DTYPE_FLOAT32);
    Tensor *t = randn(SHAPE(5, 6, 4), DTYPE_FLOAT32);
    Tensor *grads[] = {
        tensor_expand(one, SHAPE(6, 5, 4)),                                  /* a sum's: strides 0 */
        tensor_transpose(t, 0, 1),                                           /* (6, 5, 4), not foldable */
        tensor_as_strided(wide, SHAPE(6, 5, 4), (const int64_t[]){40, 8, 2}, 1),   /* every other */
    };
    for (int k = 0; k < 3; k++) {
        Tensor *gw = tensor_embedding_backward(grads[k], idx, 9, 2, base);
        Tensor *gr = tensor_embedding_backward_ref(grads[k], idx, 9, 2, base);
        Tensor *gc = tensor_contiguous(grads[k]);
        Tensor *gcw = tensor_embedding_backward(gc, idx, 9, 2, base);
        CHECK(same_values(gw, gr) && same_values(gw, gcw));
        tensor_release(gw), tensor_release(gr), tensor_release(gc), tensor_release(gcw);
        tensor_release(grads[k]);
    }
    tensor_release(t), tensor_release(wide), tensor_release(one), tensor_release(idx);
}

/* |got - want| in units of the float spacing at want (subnormal spacing
 * below the normal range). */
static double ulps(float got, double want)
{
    float w = (float)want;
    double spacing = fabs(want) < 1.17549435e-38 ? 1.40129846e-45 : nextafterf(fabsf(w), INFINITY) - fabsf(w);
    return fabs(got - want) / spacing;
}

static void test_vmath(void)
{
    double worst_exp = 0, worst_tanh = 0, worst_sigmoid = 0;
    /* A spread of points over [-110, 110] and, scaled down, near zero. */
    for (uint32_t k = 0; k < 400000; k++) {
        float x = -110.0f + 220.0f * (float)((k * 2654435761u) % 400000u) / 400000.0f;
        if (k % 3 == 0)
            x /= 1000;
        double e = exp((double)x), t = tanh((double)x), sg = 1 / (1 + exp(-(double)x));
        if (x < 88.7f)
            worst_exp = fmax(worst_exp, ulps(vm_expf(x), e));
        worst_tanh = fmax(worst_tanh, ulps(vm_tanhf(x), t));
        if (x > -87.0f)   /* below, the result is subnormal in the float formula too */
            worst_sigmoid = fmax(worst_sigmoid, ulps(vm_sigmoidf(x), sg));
    }
    CHECK(worst_exp <= 1.5);
    CHECK(worst_tanh <= 2.5);
    CHECK(worst_sigmoid <= 3.5);
    if (worst_exp > 1.5 || worst_tanh > 2.5 || worst_sigmoid > 3.5)
        fprintf(stderr, "     worst ulp: exp %.2f, tanh %.2f, sigmoid %.2f\n", worst_exp, worst_tanh,
                worst_sigmoid);
    CHECK(isnan(vm_expf(NAN)) && isnan(vm_tanhf(NAN)) && isnan(vm_sigmoidf(NAN)));
    CHECK(vm_expf(INFINITY) == INFINITY && vm_expf(-INFINITY) == 0 && vm_expf(89.0f) == INFINITY);
    CHECK(vm_expf(-104.0f) == 0 && vm_expf(-103.5f) > 0 && vm_expf(0) == 1);
    CHECK(vm_tanhf(INFINITY) == 1 && vm_tanhf(-INFINITY) == -1 && vm_tanhf(30.0f) == 1);
    CHECK(vm_tanhf(0.0f) == 0 && signbit(vm_tanhf(-0.0f)) && vm_tanhf(1e-30f) == 1e-30f);
    CHECK(vm_sigmoidf(INFINITY) == 1 && vm_sigmoidf(-INFINITY) == 0 && vm_sigmoidf(0) == 0.5f);
}

static void test_rnn_messages(void)
{
    Tensor *gi = tensor_zeros(SHAPE(2, 3, 8), DTYPE_FLOAT32), *h0 = tensor_zeros(SHAPE(3, 2), DTYPE_FLOAT32);
    Tensor *w = tensor_zeros(SHAPE(8, 2), DTYPE_FLOAT32), *out, *hn, *cn, *reserve, *d;
    CHECK(tensor_rnn(RNN_LSTM, false, gi, h0, h0, w, NULL, &out, &hn, &cn, &reserve) == 0);
    CHECK_ERROR(tensor_rnn_backward(RNN_GRU, false, reserve, w, NULL, hn, NULL, &d, NULL, NULL, NULL,
                                    NULL) < 0,
                "GRU backward: the reserve does not come from this layer's forward");
    tensor_release(out), tensor_release(hn), tensor_release(cn), tensor_release(reserve);
    CHECK_ERROR(tensor_rnn(RNN_GRU, false, gi, h0, NULL, w, w, &out, &hn, &cn, &reserve) < 0,
                "GRU: weight_hh 8x2 does not fit gates of shape 2x3x8 (G*H x H with G = 3, H >= 1)");
    CHECK(!out && !hn && !cn && !reserve);
    tensor_release(gi), tensor_release(h0), tensor_release(w);
}

int main(void)
{
    test_dropout();
    test_embedding();
    test_embedding_strided_grads();
    test_vmath();
    test_rnn_messages();
    return check_summary();
}
