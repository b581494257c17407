/*
 * test_pool.c — the pooling kernels against the naive reference, and their
 * gradients against their adjoints.
 *
 * The windowed kernels of pool.c (spans worked out once per axis, the 2x2
 * fast path) are compared with pool_ref.c's per-element loops over a grid
 * of kernels, strides, paddings, dilations, ceil mode, count_include_pad and
 * divisor_override, on odd sizes, 1-D and 2-D, float32 and float64, and
 * transposed (non-contiguous) inputs.  Values are small integers, so
 * windows hold ties and the max's position must follow PyTorch's rule (the
 * first one wins) exactly; a NaN must win its window.  The gradient kernels
 * are checked as adjoints: <pool(x), g> = <x, pool_backward(g)> for the
 * averages, <scatter(g), x> = <g, gather(x)> for the max positions.  Bad
 * shapes and specs must fail with their messages.
 */
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"
#include "tensor/pool.h"

/* Small integers 0..4, so windows hold ties, or (ties false) normal values. */
static Tensor *random_tensor(int ndim, const int64_t *shape, DType dt, bool ties)
{
    Tensor *t = tensor_empty(ndim, shape, dt);
    if (ties)
        tensor_random_int_(t, 0, 5);
    else
        tensor_normal_(t, 0, 1);
    return t;
}
#define ties(ndim, shape, dt) random_tensor(ndim, shape, dt, true)
#define randn(ndim, shape, dt) random_tensor(ndim, shape, dt, false)

/* The largest difference between two tensors of one shape, NaN matching
 * NaN; INFINITY when either is missing or the shapes differ. */
static double max_diff(const Tensor *a, const Tensor *b)
{
    if (!a || !b || !tensor_same_shape(a, b))
        return INFINITY;
    Tensor *da = tensor_to_dtype(a, DTYPE_FLOAT64), *db = tensor_to_dtype(b, DTYPE_FLOAT64);
    const double *pa = tensor_data(da), *pb = tensor_data(db);
    double worst = 0;
    for (int64_t i = 0, n = tensor_numel(a); i < n; i++)
        if (isnan(pa[i]) != isnan(pb[i]) || fabs(pa[i] - pb[i]) > worst)
            worst = isnan(pa[i]) != isnan(pb[i]) ? INFINITY : fabs(pa[i] - pb[i]);
    tensor_release(da), tensor_release(db);
    return worst;
}

static double dot(const Tensor *a, const Tensor *b)
{
    Tensor *p = tensor_binary(BINARY_MUL, a, b), *s = tensor_sum(p, 0, NULL, false);
    double v = NAN;
    tensor_item(s, &v);
    tensor_release(p), tensor_release(s);
    return v;
}

static int failures_shown;

/* One spec on one input: the kernel agrees with the reference, and the
 * gradient kernel is the adjoint of the forward. */
static void agree(const Tensor *x, const PoolSpec *s)
{
    bool is_max = s->kind == POOL_MAX || s->kind == POOL_ADAPTIVE_MAX;
    Tensor *got = NULL, *pos = NULL, *want = NULL, *want_pos = NULL;
    int ok_got = is_max ? tensor_max_pool(x, s, &got, &pos) : ((got = tensor_avg_pool(x, s)) ? 0 : -1);
    int ok_want = is_max ? tensor_max_pool_ref(x, s, &want, &want_pos)
                         : ((want = tensor_avg_pool_ref(x, s)) ? 0 : -1);
    bool ok = ok_got == 0 && ok_want == 0 && max_diff(got, want) <= 1e-5 &&
              (!is_max || max_diff(pos, want_pos) == 0);
    CHECK(ok);
    if (!ok && failures_shown++ < 5)
        fprintf(stderr, "     %s k=%lldx%lld s=%lldx%lld p=%lldx%lld d=%lldx%lld ceil=%d incl=%d "
                "div=%lld out=%lldx%lld: %s\n", pool_name(s), (long long)s->kernel[0],
                (long long)s->kernel[1], (long long)s->stride[0], (long long)s->stride[1],
                (long long)s->padding[0], (long long)s->padding[1], (long long)s->dilation[0],
                (long long)s->dilation[1], s->ceil_mode, s->count_include_pad,
                (long long)s->divisor_override, (long long)s->output_size[0],
                (long long)s->output_size[1], ok_got ? tensor_error() : "values differ");
    if (ok) {
        Tensor *g = randn(got->ndim, got->shape, x->dtype);
        Tensor *back = is_max ? tensor_pool_scatter(g, pos, x->ndim, x->shape, s->dims)
                              : tensor_avg_pool_backward(g, s, x->ndim, x->shape);
        double lhs = dot(got, g), rhs = is_max ? NAN : dot(x, back);
        if (is_max) {
            Tensor *gathered = tensor_pool_gather(x, pos, s->dims);
            CHECK(max_diff(gathered, got) == 0);    /* gathering at the positions is the pool */
            Tensor *y = randn(x->ndim, x->shape, x->dtype), *gy = tensor_pool_gather(y, pos, s->dims);
            lhs = dot(back, y);
            rhs = dot(g, gy);
            tensor_release(gathered), tensor_release(y), tensor_release(gy);
        }
        CHECK_CLOSE(lhs, rhs, 1e-4);
        tensor_release(g), tensor_release(back);
    }
    tensor_release(got), tensor_release(pos), tensor_release(want), tensor_release(want_pos);
}

static void test_windows(DType dt)
{
    const int64_t shape[] = {2, 3, 7, 6};
    Tensor *x = ties(4, shape, dt);
    for (int kind = POOL_MAX; kind <= POOL_AVG; kind++)
        for (int64_t k = 1; k <= 3; k++)
            for (int64_t st = 1; st <= 3; st++)
                for (int64_t p = 0; p <= k / 2; p++)
                    for (int64_t d = 1; d <= (kind == POOL_MAX ? 2 : 1); d++)
                        for (int ceil = 0; ceil <= 1; ceil++)
                            for (int incl = 0; incl <= 1; incl++) {
                                PoolSpec s = pool_spec(kind, 2);
                                s.kernel[0] = k, s.kernel[1] = k == 3 ? 2 : k;
                                s.stride[0] = st, s.stride[1] = st == 1 ? 2 : st;
                                s.padding[0] = p, s.padding[1] = p && s.kernel[1] > 1 ? 1 : 0;
                                s.dilation[0] = d, s.dilation[1] = 1;
                                s.ceil_mode = ceil;
                                s.count_include_pad = incl;
                                agree(x, &s);
                            }
    /* divisor_override, and stride 0 (the default: the kernel size) */
    PoolSpec s = pool_spec(POOL_AVG, 2);
    s.kernel[0] = s.kernel[1] = 3;
    s.padding[0] = s.padding[1] = 1;
    s.divisor_override = 5;
    agree(x, &s);
    s.stride[0] = 0;
    s.divisor_override = 0;
    agree(x, &s);
    tensor_release(x);
}

static void test_adaptive(DType dt)
{
    const int64_t shape[] = {2, 2, 7, 5};
    Tensor *x = ties(4, shape, dt);
    const int64_t sizes[][2] = {{1, 1}, {3, 2}, {7, 5}, {4, 4}, {9, 11}, {2, 5}};
    for (int kind = POOL_ADAPTIVE_MAX; kind <= POOL_ADAPTIVE_AVG; kind++)
        for (int i = 0; i < 6; i++) {
            PoolSpec s = pool_spec(kind, 2);
            s.output_size[0] = sizes[i][0], s.output_size[1] = sizes[i][1];
            agree(x, &s);
        }
    tensor_release(x);
}

static void test_one_dim(DType dt)
{
    const int64_t shape[] = {3, 2, 11};
    Tensor *x = ties(3, shape, dt), *x2 = ties(2, shape + 1, dt);
    for (int64_t k = 1; k <= 4; k++)
        for (int64_t st = 1; st <= 3; st++)
            for (int64_t d = 1; d <= 3; d++)
                for (int ceil = 0; ceil <= 1; ceil++) {
                    PoolSpec s = pool_spec(POOL_MAX, 1);
                    s.kernel[1] = k, s.stride[1] = st, s.dilation[1] = d, s.padding[1] = k / 2;
                    s.ceil_mode = ceil;
                    agree(x, &s);
                    agree(x2, &s);    /* unbatched (C, L) */
                }
    tensor_release(x), tensor_release(x2);
}

/* A transposed input takes the contiguous copy; the 2x2 fast path and an
 * unbatched (C, H, W) input agree with the reference too. */
static void test_layouts(void)
{
    const int64_t shape[] = {2, 3, 8, 6};
    Tensor *x = ties(4, shape, DTYPE_FLOAT32), *xt = tensor_transpose(x, 2, 3);
    PoolSpec s = pool_spec(POOL_MAX, 2);
    s.kernel[0] = s.kernel[1] = 2;
    agree(x, &s);
    agree(xt, &s);
    s.kind = POOL_AVG;
    agree(xt, &s);
    Tensor *plane = tensor_select(x, 0, 1);
    s.kind = POOL_MAX;
    s.ceil_mode = true;
    s.kernel[0] = s.kernel[1] = 3;
    s.stride[0] = s.stride[1] = 2;
    agree(plane, &s);
    tensor_release(plane), tensor_release(xt), tensor_release(x);
}

/* A NaN wins its window, in the 2x2 path and the general one, at its place. */
static void test_nan(void)
{
    Tensor *x = arange(SHAPE(1, 1, 4, 4), DTYPE_FLOAT32);
    tensor_set(x, (const int64_t[]){0, 0, 1, 0}, NAN);
    for (int general = 0; general <= 1; general++) {
        PoolSpec s = pool_spec(POOL_MAX, 2);
        s.kernel[0] = s.kernel[1] = 2;
        s.padding[0] = general;    /* padding leaves the fast path */
        Tensor *y, *pos;
        CHECK(tensor_max_pool(x, &s, &y, &pos) == 0);
        int64_t row = general ? 1 : 0;
        CHECK(isnan(AT(y, 0, 0, row, 0)) && AT(pos, 0, 0, row, 0) == 4);
        tensor_release(y), tensor_release(pos);
    }
    tensor_release(x);
}

/* The 2x2 path on planes of several vectors of outputs (210 and 216: the
 * 16- and 8-wide bodies and the scalar tail), with ties, odd sizes that
 * leave a row and a column out, and NaNs, two to a window at times (the
 * last one wins, as in PyTorch). */
static void test_wide_2x2(DType dt)
{
    const int64_t shapes[][4] = {{2, 3, 12, 70}, {1, 2, 13, 73}};
    PoolSpec s = pool_spec(POOL_MAX, 2);
    s.kernel[0] = s.kernel[1] = 2;
    for (int k = 0; k < 2; k++) {
        Tensor *x = ties(4, shapes[k], dt);
        agree(x, &s);
        Tensor *xn = tensor_clone(x), *y, *pos, *want, *want_pos;
        for (int64_t i = 0, n = tensor_numel(xn); i < n; i += 1 + i % 5) {   /* runs of NaNs, gaps */
            if (dt == DTYPE_FLOAT32)
                ((float *)tensor_data(xn))[i] = NAN;
            else
                ((double *)tensor_data(xn))[i] = NAN;
        }
        CHECK(tensor_max_pool(xn, &s, &y, &pos) == 0);
        CHECK(tensor_max_pool_ref(xn, &s, &want, &want_pos) == 0);
        CHECK(max_diff(y, want) == 0 && max_diff(pos, want_pos) == 0);
        tensor_release(y), tensor_release(pos), tensor_release(want), tensor_release(want_pos);
        tensor_release(xn), tensor_release(x);
    }
}

/* An empty batch pools to an empty result, and its gradient is empty too. */
static void test_empty_batch(void)
{
    Tensor *x = tensor_empty(SHAPE(0, 2, 4, 4), DTYPE_FLOAT32), *y = NULL, *pos = NULL;
    PoolSpec s = pool_spec(POOL_MAX, 2);
    s.kernel[0] = s.kernel[1] = 2;
    CHECK(tensor_max_pool(x, &s, &y, &pos) == 0 && y && y->shape[0] == 0 && y->shape[2] == 2);
    Tensor *dx = y ? tensor_pool_scatter(y, pos, 4, x->shape, 2) : NULL;
    CHECK(dx && tensor_same_shape(dx, x));
    tensor_release(dx), tensor_release(y), tensor_release(pos), tensor_release(x);
}

static void test_errors(void)
{
    Tensor *x = arange(SHAPE(1, 2, 4, 4), DTYPE_FLOAT32), *y = NULL, *pos = NULL;
    PoolSpec s = pool_spec(POOL_MAX, 2);
    s.kernel[0] = s.kernel[1] = 5;
    CHECK_ERROR(tensor_max_pool(x, &s, &y, &pos) < 0, "the kernel is larger than the padded input");
    s.kernel[0] = s.kernel[1] = 2;
    s.padding[0] = 2;
    CHECK_ERROR(tensor_max_pool(x, &s, &y, &pos) < 0, "padding must be between 0 and half");
    s.padding[0] = 0;
    s.dilation[1] = 0;
    CHECK_ERROR(tensor_max_pool(x, &s, &y, &pos) < 0, "dilation must be positive");
    s.dilation[1] = 1;
    Tensor *flat = arange(SHAPE(4, 4), DTYPE_FLOAT32);
    CHECK_ERROR(tensor_max_pool(flat, &s, &y, &pos) < 0, "expected a 3-D (C, H, W) or 4-D");
    Tensor *ints = arange(SHAPE(1, 4, 4), DTYPE_INT64);
    CHECK_ERROR(tensor_max_pool(ints, &s, &y, &pos) < 0, "needs a floating point input");
    Tensor *empty = tensor_empty(SHAPE(1, 0, 4, 4), DTYPE_FLOAT32);
    CHECK_ERROR(tensor_avg_pool(empty, &s) == NULL, "max_pool2d: not an average pool");
    s.kind = POOL_AVG;
    CHECK_ERROR(tensor_avg_pool(empty, &s) == NULL, "non-zero channel and spatial sizes");
    PoolSpec a = pool_spec(POOL_ADAPTIVE_AVG, 2);
    a.output_size[0] = 0;
    CHECK_ERROR(tensor_avg_pool(x, &a) == NULL, "output_size must be positive");
    CHECK(y == NULL && pos == NULL);
    Tensor *g = arange(SHAPE(1, 2, 2, 2), DTYPE_FLOAT32), *at = arange(SHAPE(1, 2, 2, 2), DTYPE_INT64);
    tensor_set(at, (const int64_t[]){0, 1, 1, 0}, 99);
    CHECK_ERROR(tensor_pool_scatter(g, at, 4, (const int64_t[]){1, 2, 4, 4}, 2) == NULL,
                "max_pool backward: position 99 is outside a plane of 16 elements");
    tensor_release(g), tensor_release(at);
    tensor_release(x), tensor_release(flat), tensor_release(ints), tensor_release(empty);
}

int main(void)
{
    random_manual_seed(7);
    test_windows(DTYPE_FLOAT32);
    test_windows(DTYPE_FLOAT64);
    test_adaptive(DTYPE_FLOAT32);
    test_adaptive(DTYPE_FLOAT64);
    test_one_dim(DTYPE_FLOAT32);
    test_one_dim(DTYPE_FLOAT64);
    test_layouts();
    test_nan();
    test_wide_2x2(DTYPE_FLOAT32);
    test_wide_2x2(DTYPE_FLOAT64);
    test_empty_batch();
    test_errors();
    return check_summary();
}
