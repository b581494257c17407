/*
 * test_loss.c — the loss and activation kernels of tensor/ against naive
 * references written here with plain double loops: cross entropy (class
 * indices with weights, ignore_index and label smoothing, (N, C, d)
 * layouts, float32 through the vectorised exp and float64) forward and
 * backward, nll_loss, the binary cross entropies, the parameterised
 * activations on contiguous and strided inputs, and the failures.
 */
#include "tensor/activation.h"
#include "tensor/loss.h"
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

#include <stdlib.h>

static Tensor *randn(int ndim, const int64_t *shape, DType dt, double scale)
{
    Tensor *t = tensor_empty(ndim, shape, dt);
    tensor_normal_(t, 0, scale);
    return t;
}

static double max_abs_diff(const Tensor *a, const Tensor *b)
{
    Tensor *d = tensor_binary(BINARY_SUB, a, b), *m = d ? tensor_unary(UNARY_ABS, d) : NULL;
    Tensor *mx = m ? tensor_max(m) : NULL;
    double v = INFINITY;
    if (mx)
        tensor_item(mx, &v);
    tensor_release(d), tensor_release(m), tensor_release(mx);
    return v;
}

/* Element (n, c, j) of a contiguous (N, C, inner) tensor. */
static double get3(const Tensor *t, int64_t n, int64_t c, int64_t j, int64_t C, int64_t inner)
{
    return dtype_load(t->dtype, (const char *)tensor_data(t) +
                                    (size_t)((n * C + c) * inner + j) * dtype_size(t->dtype));
}

/* The naive cross entropy of sample (n, j) and its gradient row into g
 * (scaled by gs), class indices 0-based, ignore < 0 counting nothing. */
static double naive_sample(const Tensor *x, int64_t n, int64_t j, int64_t C, int64_t inner, int64_t t,
                           const double *w, double e, double gs, double *g)
{
    double m = -INFINITY, s = 0, wsum = 0;
    for (int64_t c = 0; c < C; c++)
        m = fmax(m, get3(x, n, c, j, C, inner));
    for (int64_t c = 0; c < C; c++) {
        s += exp(get3(x, n, c, j, C, inner) - m);
        wsum += w[c];
    }
    double lse = m + log(s), loss = 0;
    for (int64_t c = 0; c < C; c++) {
        double logp = get3(x, n, c, j, C, inner) - lse;
        double q = (1 - e) * (c == t) + e / (double)C;   /* the smoothed one-hot target */
        if (t >= 0)
            loss -= w[c] * q * logp;
        g[c] = t < 0 ? 0 : gs * (exp(logp) * ((1 - e) * w[t] + e * wsum / (double)C) - w[c] * q);
    }
    return loss;
}

static void check_cross_entropy(DType dt, int64_t N, int64_t C, int64_t inner, double scale,
                                double e, bool weighted)
{
    int64_t xshape[3] = {N, C, inner}, tshape[2] = {N, inner};
    int nd = inner > 1 ? 3 : 2;
    Tensor *x = randn(nd, xshape, dt, scale), *t = tensor_empty(nd - 1, tshape, DTYPE_INT64);
    Tensor *wt = tensor_empty(1, &C, DTYPE_FLOAT64);
    double *w = tensor_data(wt);
    for (int64_t c = 0; c < C; c++)
        w[c] = weighted ? 0.5 + (double)(c % 3) : 1;
    int64_t *tv = tensor_data(t);
    for (int64_t i = 0; i < N * inner; i++)
        tv[i] = i % 7 == 3 ? -100 : (int64_t)(random_next_u64() % (uint64_t)C);
    ClassLoss o = {weighted ? wt : NULL, -100, 0, e, LOSS_NONE};
    Tensor *prob = NULL;
    double denominator;
    Tensor *loss = tensor_cross_entropy(x, t, &o, &prob, &denominator);
    Tensor *g = tensor_scalar(1, dt);
    o.reduction = LOSS_SUM;
    Tensor *grad = tensor_cross_entropy_backward(g, prob, t, &o, 1);
    CHECK(loss && prob && grad);
    double *row = malloc((size_t)C * sizeof *row), worst_loss = 0, worst_grad = 0;
    for (int64_t n = 0; loss && grad && n < N; n++) {
        for (int64_t j = 0; j < inner; j++) {
            int64_t k = tv[n * inner + j];
            double want = naive_sample(x, n, j, C, inner, k < 0 ? -1 : k, w, e, 1, row);
            double got = dtype_load(dt, (const char *)tensor_data(loss) + (size_t)(n * inner + j) * dtype_size(dt));
            worst_loss = fmax(worst_loss, fabs(got - want) / (1 + fabs(want)));
            for (int64_t c = 0; c < C; c++)
                worst_grad = fmax(worst_grad, fabs(tensor_get(grad, inner > 1 ? (int64_t[]){n, c, j}
                                                                               : (int64_t[]){n, c}) - row[c]));
        }
    }
    double tol = dt == DTYPE_FLOAT32 ? 2e-6 : 1e-12;
    CHECK(worst_loss < tol);
    CHECK(worst_grad < tol);
    if (worst_loss >= tol || worst_grad >= tol)
        fprintf(stderr, "     %s %ldx%ldx%ld: loss off by %g, gradient by %g\n", dtype_name(dt),
                (long)N, (long)C, (long)inner, worst_loss, worst_grad);
    free(row);
    tensor_release(x), tensor_release(t), tensor_release(wt), tensor_release(prob);
    tensor_release(loss), tensor_release(g), tensor_release(grad);
}

static void test_cross_entropy(void)
{
    random_manual_seed(3);
    for (int dt = DTYPE_FLOAT32; dt <= DTYPE_FLOAT64; dt++) {
        check_cross_entropy((DType)dt, 37, 10, 1, 1, 0, false);
        check_cross_entropy((DType)dt, 64, 300, 1, 40, 0.1, true);    /* rows in threads, exp underflows */
        check_cross_entropy((DType)dt, 5, 4, 6, 3, 0.2, true);        /* (N, C, d) */
        check_cross_entropy((DType)dt, 1, 1, 1, 1, 0, false);
    }
}

static void test_reductions_and_nll(void)
{
    Tensor *x = arange(SHAPE(3, 4), DTYPE_FLOAT64), *t = tensor_empty(SHAPE(3), DTYPE_INT64);
    int64_t *tv = tensor_data(t);
    tv[0] = 1, tv[1] = 4, tv[2] = 3;   /* 1-based, the third ignored */
    double w[4] = {1, 2, 3, 4};
    Tensor *wt = tensor_empty(SHAPE(4), DTYPE_FLOAT64);
    memcpy(tensor_data(wt), w, sizeof w);
    ClassLoss o = {wt, 3, 1, 0, LOSS_MEAN};
    double d;
    Tensor *nll = tensor_nll_loss(x, t, &o, &d);
    /* -(1 * x[0][0] + 4 * x[1][3]) / (1 + 4) = -(0 + 28) / 5 */
    CHECK(nll && d == 5);
    CHECK_CLOSE(nll ? AT(nll) : NAN, -28.0 / 5, 1e-15);
    Tensor *one = tensor_scalar(1, DTYPE_FLOAT64);
    Tensor *g = tensor_nll_loss_backward(one, x, t, &o, d);
    CHECK(g && AT(g, 0, 0) == -0.2 && AT(g, 1, 3) == -0.8 && AT(g, 2, 2) == 0 && AT(g, 0, 1) == 0);
    o.reduction = LOSS_SUM;
    Tensor *ce = tensor_cross_entropy(x, t, &o, NULL, &d);
    /* each row of arange is shifted: lse - x_t = log(sum exp(c - 3)) + 3 - t */
    double lse = log(exp(-3) + exp(-2) + exp(-1) + 1) + 3;
    CHECK_CLOSE(ce ? AT(ce) : NAN, 1 * lse + 4 * (lse - 3), 1e-14);
    tv[1] = 5;
    CHECK_ERROR(!tensor_cross_entropy(x, t, &o, NULL, &d), "target 5 is out of range for 4 classes (expected 1..4)");
    tensor_release(x), tensor_release(t), tensor_release(wt), tensor_release(nll), tensor_release(one);
    tensor_release(g), tensor_release(ce);
}

static void test_binary(void)
{
    Tensor *x = tensor_empty(SHAPE(4), DTYPE_FLOAT64), *y = tensor_empty(SHAPE(4), DTYPE_FLOAT64);
    double xv[4] = {-800, -1, 2, 800}, yv[4] = {1, 0.25, 1, 0};
    memcpy(tensor_data(x), xv, sizeof xv), memcpy(tensor_data(y), yv, sizeof yv);
    Tensor *l = tensor_binary_cross_entropy_with_logits(x, y, NULL, NULL, LOSS_NONE);
    for (int i = 0; l && i < 4; i++) {
        double want = xv[i] < -30 ? -xv[i] * yv[i] : xv[i] > 30 ? xv[i] * (1 - yv[i])
                                                               : -(yv[i] * log(1 / (1 + exp(-xv[i]))) +
                                                                   (1 - yv[i]) * log(1 - 1 / (1 + exp(-xv[i]))));
        CHECK_CLOSE(AT(l, i), want, 1e-14);
    }
    double pv[4] = {0, 0.25, 0.5, 1};
    memcpy(tensor_data(x), pv, sizeof pv);
    Tensor *b = tensor_binary_cross_entropy(x, y, NULL, LOSS_SUM);
    /* y = 1 at x = 0 is clamped to 100; y = 0 at x = 1 too */
    CHECK_CLOSE(b ? AT(b) : NAN, 100 - (0.25 * log(0.25) + 0.75 * log(0.75)) - log(0.5) + 100, 1e-14);
    ((double *)tensor_data(x))[2] = 1.5;
    CHECK_ERROR(!tensor_binary_cross_entropy(x, y, NULL, LOSS_MEAN), "between 0 and 1");
    tensor_release(x), tensor_release(y), tensor_release(l), tensor_release(b);
}

/* The activations and their derivatives, by their textbook formulas. */
static double naive_activation(const Activation *a, double x, bool derivative)
{
    switch (a->kind) {
    case ACT_LEAKY_RELU: return derivative ? (x > 0 ? 1 : a->a) : (x > 0 ? x : a->a * x);
    case ACT_ELU: return derivative ? (x > 0 ? 1 : a->a * exp(x)) : (x > 0 ? x : a->a * (exp(x) - 1));
    case ACT_SOFTPLUS:
        if (a->a * x > a->b)
            return derivative ? 1 : x;
        return derivative ? 1 / (1 + exp(-a->a * x)) : log(1 + exp(a->a * x)) / a->a;
    default: return derivative ? (x > a->a && x < a->b) : fmin(fmax(x, a->a), a->b);
    }
}

static void test_activations(void)
{
    const Activation acts[] = {{ACT_LEAKY_RELU, 0.2, 0}, {ACT_ELU, 0.7, 0}, {ACT_SOFTPLUS, 2, 3},
                               {ACT_HARDTANH, -0.5, 1.5}};
    for (int dt = DTYPE_FLOAT32; dt <= DTYPE_FLOAT64; dt++) {
        Tensor *base = randn(SHAPE(4, 5), (DType)dt, 2), *x = tensor_transpose(base, 0, 1);
        Tensor *g = randn(SHAPE(5, 4), (DType)dt, 1);
        double tol = dt == DTYPE_FLOAT32 ? 1e-6 : 1e-14;
        for (size_t k = 0; k < sizeof acts / sizeof acts[0]; k++) {
            Tensor *y = tensor_activation(&acts[k], x), *d = tensor_activation_backward(&acts[k], g, x);
            for (int64_t i = 0; y && d && i < 5; i++) {
                for (int64_t j = 0; j < 4; j++) {
                    double v = AT(x, i, j);
                    CHECK_CLOSE(AT(y, i, j), naive_activation(&acts[k], v, false), tol);
                    CHECK_CLOSE(AT(d, i, j), AT(g, i, j) * naive_activation(&acts[k], v, true), tol);
                }
            }
            Tensor *c = tensor_clone(x);
            CHECK(tensor_activation_(&acts[k], c) == 0 && max_abs_diff(c, y) == 0);
            tensor_release(y), tensor_release(d), tensor_release(c);
        }
        tensor_release(base), tensor_release(x), tensor_release(g);
    }
    Tensor *ints = tensor_zeros(SHAPE(2), DTYPE_INT64);
    CHECK_ERROR(!tensor_activation(&acts[0], ints), "leaky_relu: needs a floating point input");
    tensor_release(ints);
}

int main(void)
{
    test_cross_entropy();
    test_reductions_and_nll();
    test_binary();
    test_activations();
    return check_summary();
}
