/*
 * test_conv.c — the im2col + GEMM convolutions against the direct loops of
 * conv_ref.c, and the messages of bad geometry.
 *
 * Every case runs the three kernels (forward, input gradient, weight
 * gradient) fast and by definition on random operands, in float32 and
 * float64, over the shapes that take different paths: 1-D and 2-D,
 * unbatched, a batch of one (BLAS threads) and of several (threads across
 * the batch), groups, stride, asymmetric padding, dilation, output_padding,
 * and the 1x1 kernel that skips im2col.  conv_transpose is checked to be
 * the input gradient plus its bias, and the three kernels to be adjoint:
 * <conv(x, w), g> = <x, input_grad(g, w)> = <w, weight_grad(g, x)>.  On a
 * CPU with AVX-512 the float32 cases of stride 1 and one group take the
 * direct kernels of conv_direct.c; more shapes probe their edges.
 */
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"
#include "tensor/conv.h"

static Tensor *randn(int ndim, const int64_t *shape, DType dt)
{
    Tensor *t = tensor_empty(ndim, shape, dt);
    tensor_normal_(t, 0, 1);
    return t;
}

/* Largest |a - b| relative to max |b|; INFINITY when the shapes differ. */
static double rel_diff(const Tensor *a, const Tensor *b)
{
    if (!a || !b || !tensor_same_shape(a, b))
        return INFINITY;
    int64_t idx[TENSOR_MAX_DIMS] = {0}, n = tensor_numel(a);
    double worst = 0, scale = 1e-30;
    for (int64_t i = 0; i < n; i++) {
        double va = tensor_get(a, idx), vb = tensor_get(b, idx);
        worst = fabs(va - vb) > worst || va != va ? fabs(va - vb) : worst;
        scale = fabs(vb) > scale ? fabs(vb) : scale;
        for (int k = a->ndim - 1; k >= 0 && ++idx[k] == a->shape[k]; k--)
            idx[k] = 0;
    }
    return worst / scale;
}

static double dot_all(const Tensor *a, const Tensor *b)
{
    Tensor *p = tensor_binary(BINARY_MUL, a, b), *s = tensor_sum(p, 0, NULL, false);
    double v = NAN;
    tensor_item(s, &v);
    tensor_release(p), tensor_release(s);
    return v;
}

typedef struct {
    const char *name;
    int nspatial;
    bool batched;
    int64_t n, c, o, size[2], k[2];
    ConvParams p;
} Case;

static bool agree(const char *what, const Case *cs, DType dt, const Tensor *got, const Tensor *want)
{
    double d = rel_diff(got, want), tol = dt == DTYPE_FLOAT32 ? 1e-5 : 1e-12;
    if (!(d <= tol))
        fprintf(stderr, "     %s %s (%s): relative diff %g %s\n", cs->name, what, dtype_name(dt), d,
                got ? "" : tensor_error());
    return d <= tol;
}

/* The operands' shapes: x, w and b of a convolution. */
static void shapes(const Case *cs, int *nx, int64_t *xs, int64_t *ws)
{
    int k = 0, ns = cs->nspatial;
    if (cs->batched)
        xs[k++] = cs->n;
    xs[k++] = cs->c;
    for (int d = 2 - ns; d < 2; d++)
        xs[k++] = cs->size[d];
    *nx = k;
    ws[0] = cs->o, ws[1] = cs->c / cs->p.groups;
    for (int d = 2 - ns; d < 2; d++)
        ws[2 + d - (2 - ns)] = cs->k[d];
}

static void run_case(const Case *cs, DType dt)
{
    int nx, ns = cs->nspatial;
    int64_t xs[4], ws[4], bs[1] = {cs->o};
    shapes(cs, &nx, xs, ws);
    Tensor *x = randn(nx, xs, dt), *w = randn(ns + 2, ws, dt), *b = randn(1, bs, dt);
    Tensor *y = tensor_conv(x, w, b, &cs->p), *y_ref = tensor_conv_ref(x, w, b, &cs->p);
    CHECK(agree("forward", cs, dt, y, y_ref));
    Tensor *y0 = tensor_conv(x, w, NULL, &cs->p), *y0_ref = tensor_conv_ref(x, w, NULL, &cs->p);
    CHECK(agree("forward without bias", cs, dt, y0, y0_ref));

    Tensor *g = y ? randn(y->ndim, y->shape, dt) : NULL;
    const int64_t *in_size = xs + nx - ns, *k_size = ws + 2;
    Tensor *gx = tensor_conv_input_grad(g, w, in_size, &cs->p);
    Tensor *gx_ref = tensor_conv_input_grad_ref(g, w, in_size, &cs->p);
    CHECK(agree("input grad", cs, dt, gx, gx_ref));
    Tensor *gw = tensor_conv_weight_grad(g, x, k_size, &cs->p);
    Tensor *gw_ref = tensor_conv_weight_grad_ref(g, x, k_size, &cs->p);
    CHECK(agree("weight grad", cs, dt, gw, gw_ref));

    /* the three kernels are adjoint (y0 has no bias) */
    double tol = dt == DTYPE_FLOAT32 ? 1e-4 : 1e-10, ref = dot_all(y0, g);
    CHECK_CLOSE(dot_all(x, gx), ref, tol);
    CHECK_CLOSE(dot_all(w, gw), ref, tol);

    /* conv_transpose of g with the same params is the input gradient plus
     * the bias, once output_padding restores the rows a stride dropped */
    ConvParams tp = cs->p;
    tp.transposed = 1;
    for (int d = 2 - ns; d < 2; d++) {
        int64_t ext = tp.dilation[d] * (cs->k[d] - 1) + 1;
        tp.output_padding[d] = (cs->size[d] + tp.pad_lo[d] + tp.pad_hi[d] - ext) % tp.stride[d];
    }
    Tensor *cb = randn(1, (const int64_t[]){cs->c}, dt);
    int64_t bshape[3] = {cs->c, 1, 1};
    Tensor *cbv = tensor_view(cb, ns + 1, bshape);
    Tensor *t = tensor_conv_transpose(g, w, cb, &tp);
    Tensor *want = gx ? tensor_binary(BINARY_ADD, gx, cbv) : NULL;
    CHECK(agree("conv_transpose", cs, dt, t, want));
    tensor_release(t), tensor_release(want), tensor_release(cbv), tensor_release(cb);

    tensor_release(gw), tensor_release(gw_ref), tensor_release(gx), tensor_release(gx_ref);
    tensor_release(g), tensor_release(y0), tensor_release(y0_ref);
    tensor_release(y), tensor_release(y_ref), tensor_release(x), tensor_release(w);
    tensor_release(b);
}

static ConvParams params(int ns, int64_t s0, int64_t s1, int64_t lo0, int64_t lo1, int64_t hi0,
                         int64_t hi1, int64_t d0, int64_t d1, int64_t groups)
{
    ConvParams p = conv_params_default(ns, false);
    p.stride[0] = s0, p.stride[1] = s1;
    p.pad_lo[0] = lo0, p.pad_lo[1] = lo1, p.pad_hi[0] = hi0, p.pad_hi[1] = hi1;
    p.dilation[0] = d0, p.dilation[1] = d1;
    p.groups = groups;
    return p;
}

/* The shapes every kernel is checked on.  Those named "direct: ..." reach
 * the corners of conv_direct.c (float32, stride 1, one group, on CPUs with
 * AVX-512): output channel counts that leave 1 to 7 rows of a block, kernel
 * widths that are not whole blocks of 5 columns, padding wider than the
 * kernel (the forward is direct, the input gradient goes to im2col), a
 * right padding wider than the left (rows do not share it), planes of
 * several blocks, batches that are not whole chunks of 8. */
static void test_against_reference(void)
{
    const Case cases[] = {
        {"lenet c1 (pad 2)", 2, true, 4, 1, 6, {12, 12}, {5, 5}, params(2, 1, 1, 2, 2, 2, 2, 1, 1, 1)},
        {"lenet c2", 2, true, 3, 6, 16, {9, 9}, {5, 5}, params(2, 1, 1, 0, 0, 0, 0, 1, 1, 1)},
        {"batch of 1", 2, true, 1, 3, 4, {7, 6}, {3, 3}, params(2, 1, 1, 1, 1, 1, 1, 1, 1, 1)},
        {"unbatched", 2, false, 1, 3, 4, {7, 6}, {3, 2}, params(2, 1, 1, 1, 0, 1, 0, 1, 1, 1)},
        {"stride 2x3, odd sizes", 2, true, 3, 2, 3, {11, 10}, {3, 3}, params(2, 2, 3, 1, 2, 1, 2, 1, 1, 1)},
        {"dilation 2x3", 2, true, 2, 2, 3, {9, 11}, {3, 2}, params(2, 1, 1, 0, 1, 0, 1, 2, 3, 1)},
        {"groups 2", 2, true, 3, 4, 6, {6, 5}, {3, 3}, params(2, 1, 1, 1, 1, 1, 1, 1, 1, 2)},
        {"depthwise", 2, true, 2, 3, 6, {6, 6}, {3, 3}, params(2, 2, 2, 1, 1, 1, 1, 1, 1, 3)},
        {"asymmetric padding (same, even kernel)", 2, true, 2, 2, 2, {5, 6}, {4, 2},
         params(2, 1, 1, 1, 0, 2, 1, 1, 1, 1)},
        {"everything", 2, true, 5, 4, 6, {13, 12}, {3, 4}, params(2, 2, 3, 2, 1, 1, 3, 2, 1, 2)},
        {"1x1 kernel (no im2col)", 2, true, 3, 5, 4, {4, 3}, {1, 1}, params(2, 1, 1, 0, 0, 0, 0, 1, 1, 1)},
        {"1x1 kernel, groups", 2, true, 3, 4, 6, {4, 3}, {1, 1}, params(2, 1, 1, 0, 0, 0, 0, 1, 1, 2)},
        {"1x1 kernel, stride 2", 2, true, 2, 3, 2, {5, 5}, {1, 1}, params(2, 2, 2, 0, 0, 0, 0, 1, 1, 1)},
        {"kernel as large as the padded input", 2, true, 2, 2, 3, {3, 4}, {5, 4},
         params(2, 1, 1, 1, 0, 1, 0, 1, 1, 1)},
        {"1-D", 1, true, 3, 2, 4, {1, 17}, {1, 3}, params(1, 1, 2, 0, 1, 0, 1, 1, 2, 1)},
        {"1-D unbatched, groups", 1, false, 1, 4, 2, {1, 9}, {1, 4}, params(1, 1, 1, 0, 2, 0, 1, 1, 1, 2)},
        {"direct: 1 output channel", 2, true, 3, 2, 1, {6, 7}, {3, 3}, params(2, 1, 1, 1, 1, 1, 1, 1, 1, 1)},
        {"direct: 5 channels, 7x3 kernel", 2, true, 2, 3, 5, {9, 8}, {7, 3}, params(2, 1, 1, 3, 1, 3, 1, 1, 1, 1)},
        {"direct: 7 channels, 1x7 kernel", 2, true, 2, 1, 7, {5, 12}, {1, 7}, params(2, 1, 1, 0, 0, 0, 6, 1, 1, 1)},
        {"direct: 13 channels", 2, true, 9, 2, 13, {6, 6}, {2, 2}, params(2, 1, 1, 0, 1, 1, 0, 1, 1, 1)},
        {"direct: 17 channels, wide plane", 2, true, 2, 3, 17, {11, 37}, {3, 4}, params(2, 1, 1, 1, 1, 1, 2, 1, 1, 1)},
        {"direct: padding wider than the kernel", 2, true, 3, 2, 3, {5, 4}, {3, 2}, params(2, 1, 1, 3, 2, 4, 3, 1, 1, 1)},
        {"direct: dilation, padding after only", 2, true, 17, 2, 6, {8, 9}, {3, 3}, params(2, 1, 1, 0, 0, 2, 4, 2, 2, 1)},
        {"direct: 1-D, 9 channels", 1, true, 10, 3, 9, {1, 50}, {1, 5}, params(1, 1, 1, 0, 2, 0, 2, 1, 1, 1)},
    };
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        run_case(&cases[i], DTYPE_FLOAT32);
        run_case(&cases[i], DTYPE_FLOAT64);
    }
    /* one thread and many agree (the weight gradient sums per-thread parts;
     * the direct one gives each thread its own share of the batch) */
    parallel_set_num_threads(1);
    run_case(&cases[1], DTYPE_FLOAT64);
    parallel_set_num_threads(4);
    run_case(&cases[9], DTYPE_FLOAT64);
    for (int threads = 1; threads <= 3; threads++) {
        parallel_set_num_threads(threads);
        for (size_t i = 0; i < n; i++)
            if (strncmp(cases[i].name, "direct:", 7) == 0)
                run_case(&cases[i], DTYPE_FLOAT32);
    }
    parallel_set_num_threads(2);
}

/* conv_transpose at stride 1 with output_padding (allowed by the dilation):
 * the convolution it is the gradient of never reads its input's last rows
 * and columns.  float32 (direct) against float64 (im2col). */
static void test_direct_output_padding(void)
{
    ConvParams p = params(2, 1, 1, 1, 0, 1, 0, 2, 2, 1);
    p.transposed = 1;
    p.output_padding[0] = p.output_padding[1] = 1;
    Tensor *x = randn(SHAPE(3, 4, 5, 6), DTYPE_FLOAT64), *w = randn(SHAPE(4, 3, 3, 2), DTYPE_FLOAT64);
    Tensor *b = randn(SHAPE(3), DTYPE_FLOAT64);
    Tensor *x32 = tensor_to_dtype(x, DTYPE_FLOAT32), *w32 = tensor_to_dtype(w, DTYPE_FLOAT32);
    Tensor *b32 = tensor_to_dtype(b, DTYPE_FLOAT32);
    Tensor *y = tensor_conv_transpose(x, w, b, &p), *y32 = tensor_conv_transpose(x32, w32, b32, &p);
    CHECK(y && y->shape[2] == 8 && y->shape[3] == 9);
    CHECK(rel_diff(y32, y) < 1e-5);
    tensor_release(y), tensor_release(y32), tensor_release(b32), tensor_release(w32);
    tensor_release(x32), tensor_release(b), tensor_release(w), tensor_release(x);
}

/* A transposed convolution with output_padding: its size, and its input
 * gradient is the convolution with the same params. */
static void test_output_padding(void)
{
    ConvParams p = params(2, 2, 3, 1, 0, 1, 0, 1, 2, 1);
    p.transposed = 1;
    p.output_padding[0] = 1, p.output_padding[1] = 2;
    Tensor *x = randn(SHAPE(2, 3, 4, 5), DTYPE_FLOAT64), *w = randn(SHAPE(3, 2, 3, 2), DTYPE_FLOAT64);
    Tensor *y = tensor_conv_transpose(x, w, NULL, &p);
    /* (4 - 1) * 2 - 2 + 3 + 1 = 8 and (5 - 1) * 3 - 0 + 2 * (2 - 1) + 1 + 2 = 17 */
    CHECK(y && y->ndim == 4 && y->shape[0] == 2 && y->shape[1] == 2 && y->shape[2] == 8 &&
          y->shape[3] == 17);
    Tensor *g = y ? randn(y->ndim, y->shape, DTYPE_FLOAT64) : NULL;
    ConvParams cp = p;
    cp.transposed = 0;
    Tensor *gx = tensor_conv(g, w, NULL, &cp), *gx_ref = tensor_conv_ref(g, w, NULL, &cp);
    CHECK(gx && tensor_same_shape(gx, x));
    CHECK(rel_diff(gx, gx_ref) < 1e-12);
    CHECK_CLOSE(dot_all(y, g), dot_all(x, gx), 1e-10);
    tensor_release(gx), tensor_release(gx_ref), tensor_release(g), tensor_release(y);
    tensor_release(x), tensor_release(w);
}

static void test_empty_batch(void)
{
    ConvParams p = conv_params_default(2, false);
    Tensor *x = tensor_zeros(SHAPE(0, 2, 5, 5), DTYPE_FLOAT32);
    Tensor *w = tensor_zeros(SHAPE(3, 2, 3, 3), DTYPE_FLOAT32);
    Tensor *y = tensor_conv(x, w, NULL, &p);
    CHECK(y && y->shape[0] == 0 && y->shape[1] == 3 && y->shape[2] == 3);
    Tensor *gw = y ? tensor_conv_weight_grad(y, x, (const int64_t[]){3, 3}, &p) : NULL;
    CHECK(gw && gw->shape[0] == 3 && AT(gw, 0, 0, 0, 0) == 0);
    tensor_release(gw), tensor_release(y), tensor_release(x), tensor_release(w);
}

static void test_errors(void)
{
    ConvParams p = conv_params_default(2, false);
    Tensor *x = tensor_zeros(SHAPE(100, 1, 28, 28), DTYPE_FLOAT32);
    Tensor *w = tensor_zeros(SHAPE(6, 3, 5, 5), DTYPE_FLOAT32);
    Tensor *w1 = tensor_zeros(SHAPE(6, 1, 5, 5), DTYPE_FLOAT32);
    Tensor *small = tensor_zeros(SHAPE(1, 1, 3, 3), DTYPE_FLOAT32);
    Tensor *flat = tensor_zeros(SHAPE(28, 28), DTYPE_FLOAT32);
    Tensor *d = tensor_zeros(SHAPE(6, 1, 5, 5), DTYPE_FLOAT64);
    Tensor *ix = tensor_zeros(SHAPE(1, 1, 8, 8), DTYPE_INT64);
    Tensor *b5 = tensor_zeros(SHAPE(5), DTYPE_FLOAT32);
    Tensor *x4 = tensor_zeros(SHAPE(1, 4, 8, 8), DTYPE_FLOAT32);
    Tensor *w123 = tensor_zeros(SHAPE(1, 2, 3, 3), DTYPE_FLOAT32);
    CHECK_ERROR(!tensor_conv(x, w, NULL, &p),
                "conv2d: expected input with 3 channels (weight 6x3x5x5), got 100x1x28x28");
    CHECK_ERROR(!tensor_conv(flat, w1, NULL, &p),
                "conv2d: expected a 3-D (unbatched) or 4-D (batched) input, got a 2-D input of size 28x28");
    CHECK_ERROR(!tensor_conv(x, flat, NULL, &p), "conv2d: expected a 4-D weight, got a 2-D weight");
    CHECK_ERROR(!tensor_conv(small, w1, NULL, &p),
                "conv2d: the kernel (5x5, spanning 5x5 with dilation) is larger than the padded "
                "input (3x3; input of size 1x1x3x3)");
    CHECK_ERROR(!tensor_conv(x, d, NULL, &p),
                "conv2d: the input (float32) and the weight (float64) must have the same dtype");
    CHECK_ERROR(!tensor_conv(ix, w1, NULL, &p), "conv2d: expected a float32 or float64 input, got int64");
    CHECK_ERROR(!tensor_conv(x, w1, b5, &p), "conv2d: expected a 1-D bias of 6 elements, got one of size 5");
    ConvParams bad = p;
    bad.stride[1] = 0;
    CHECK_ERROR(!tensor_conv(x, w1, NULL, &bad), "conv2d: stride must be positive, got 1x0");
    bad = p, bad.pad_lo[0] = -1;
    CHECK_ERROR(!tensor_conv(x, w1, NULL, &bad), "conv2d: padding must be non-negative, got -1x0");
    bad = p, bad.groups = 4;
    CHECK_ERROR(!tensor_conv(x4, w1, NULL, &bad),
                "conv2d: the weight's 6 output channels (weight 6x1x5x5) are not divisible by groups 4");
    bad = p, bad.groups = 2;
    CHECK_ERROR(!tensor_conv(x, w1, NULL, &bad),
                "conv2d: expected input with 2 channels (weight 6x1x5x5, groups 2), got 100x1x28x28");
    ConvParams t = conv_params_default(2, true);
    t.output_padding[0] = 1;
    CHECK_ERROR(!tensor_conv_transpose(small, w1, NULL, &t),
                "conv_transpose2d: output_padding must be smaller than either stride (1x1) or "
                "dilation (1x1), got 1x0");
    t = conv_params_default(2, true);
    CHECK_ERROR(!tensor_conv_transpose(x, w, NULL, &t),
                "conv_transpose2d: expected input with 6 channels (weight 6x3x5x5), got 100x1x28x28");
    t.pad_lo[0] = t.pad_hi[0] = 5;
    CHECK_ERROR(!tensor_conv_transpose(small, w123, NULL, &t),
                "conv_transpose2d: the output would be empty");
    ConvParams p1 = conv_params_default(1, false);
    CHECK_ERROR(!tensor_conv(x, w1, NULL, &p1),
                "conv1d: expected a 2-D (unbatched) or 3-D (batched) input, got a 4-D input of size 100x1x28x28");
    CHECK_ERROR(!tensor_conv_input_grad(x, w1, (const int64_t[]){28, 28}, &p),
                "conv2d: expected a gradient of size 100x6x24x24, got 100x1x28x28");
    tensor_release(x), tensor_release(w), tensor_release(w1), tensor_release(small);
    tensor_release(flat), tensor_release(d), tensor_release(ix), tensor_release(b5);
    tensor_release(x4), tensor_release(w123);
}

int main(void)
{
    random_manual_seed(7);
    test_against_reference();
    test_direct_output_padding();
    test_output_padding();
    test_empty_batch();
    test_errors();
    return check_summary();
}
