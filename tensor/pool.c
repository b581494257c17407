/*
 * pool.c — max and average pooling, plain and adaptive, with the kernels
 * their gradients need.
 *
 * Every pool is the same walk: for each output position (oh, ow) of a plane,
 * a window of input rows times a window of input columns.  The windows of
 * one axis depend only on the output index along it, so they are worked out
 * once per call as Spans (first tap, number of taps inside the input, step
 * between taps, and the axis's share of the average's divisor) and the
 * kernels below only walk them: no bounds test per element, and the same
 * loops serve the strided, dilated, padded, ceil-mode and adaptive cases.
 * Planes are independent, so threads take them in chunks of 8 as they free
 * up (a thread the OS preempts then holds up little); inputs are made
 * contiguous first and outputs are contiguous.
 *
 * Max pools keep PyTorch's tie and NaN rules (the first max wins; a NaN
 * replaces anything), so the positions match PyTorch's exactly.  Averages
 * add in double.
 */
#include "tensor/pool.h"
#include "tensor/simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

PoolSpec pool_spec(PoolKind kind, int dims)
{
    PoolSpec s = {.kind = kind, .dims = dims, .count_include_pad = true};
    for (int a = 0; a < 2; a++)
        s.kernel[a] = s.dilation[a] = s.output_size[a] = 1;
    return s;
}

const char *pool_name(const PoolSpec *s)
{
    static const char *const names[2][4] = {
        {"max_pool1d", "avg_pool1d", "adaptive_max_pool1d", "adaptive_avg_pool1d"},
        {"max_pool2d", "avg_pool2d", "adaptive_max_pool2d", "adaptive_avg_pool2d"},
    };
    return names[s->dims == 2][s->kind];
}

static bool is_adaptive(const PoolSpec *s)
{
    return s->kind == POOL_ADAPTIVE_MAX || s->kind == POOL_ADAPTIVE_AVG;
}

/* "3x3" for a 2-D pool's pair, "3" for a 1-D one's. */
static const char *pair_str(const PoolSpec *s, const int64_t *v, char *buf, size_t len)
{
    return shape_str(s->dims, v + 2 - s->dims, buf, len);
}

/* stride 0 stands for "the kernel size", PyTorch's default. */
static int64_t stride_of(const PoolSpec *s, int a)
{
    return s->stride[a] ? s->stride[a] : s->kernel[a];
}

static int64_t div_floor(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return a % b != 0 && (a < 0) != (b < 0) ? q - 1 : q;
}

/* PyTorch's pooling_output_shape: floor (or ceil) of the window count, but a
 * last window that would start in the right padding is dropped. */
static int64_t window_count(const PoolSpec *s, int a, int64_t in)
{
    int64_t k = s->kernel[a], st = stride_of(s, a), p = s->padding[a], d = s->dilation[a];
    int64_t out = div_floor(in + 2 * p - d * (k - 1) - 1 + (s->ceil_mode ? st - 1 : 0), st) + 1;
    if (s->ceil_mode && (out - 1) * st >= in + p)
        out--;
    return out;
}

/* Sizes past this are refused before any arithmetic could overflow with
 * them (no real plane is 2^31 wide). */
#define POOL_SIZE_LIMIT ((int64_t)1 << 31)

/* Every used entry of v lies in lo..POOL_SIZE_LIMIT; -1 with a message. */
static int check_range(const PoolSpec *s, const char *what, const int64_t *v, int64_t lo)
{
    char b[64];
    for (int a = 2 - s->dims; a < 2; a++)
        if (v[a] < lo || v[a] > POOL_SIZE_LIMIT)
            return tensor_fail("%s: %s must be %s and at most 2^31, got %s", pool_name(s), what,
                               lo ? "positive" : "non-negative", pair_str(s, v, b, sizeof b)), -1;
    return 0;
}

/* The kernel, stride, dilation and padding make sense on their own. */
static int check_params(const PoolSpec *s)
{
    char b1[64], b2[64];
    int64_t strides[2] = {stride_of(s, 0), stride_of(s, 1)};
    if (check_range(s, "kernel_size", s->kernel, 1) < 0 || check_range(s, "stride", strides, 1) < 0 ||
        check_range(s, "dilation", s->dilation, 1) < 0 || check_range(s, "padding", s->padding, 0) < 0)
        return -1;
    for (int a = 2 - s->dims; a < 2; a++)
        if (s->padding[a] > s->kernel[a] / 2)
            return tensor_fail("%s: padding must be between 0 and half the kernel size, got "
                               "padding %s with kernel_size %s", pool_name(s),
                               pair_str(s, s->padding, b1, sizeof b1),
                               pair_str(s, s->kernel, b2, sizeof b2)), -1;
    if (s->kind == POOL_AVG && s->divisor_override < 0)
        return tensor_fail("%s: divisor_override must be positive, got %lld", pool_name(s),
                           (long long)s->divisor_override), -1;
    return 0;
}

int pool_output_shape(const PoolSpec *s, int ndim, const int64_t *in, int64_t *out)
{
    const char *fn = pool_name(s);
    char b1[96], b2[96];
    int lo = s->dims + 1;
    if (ndim != lo && ndim != lo + 1)
        return tensor_fail("%s: expected a %d-D (%s) or %d-D (%s) input, got %s", fn, lo,
                           s->dims == 2 ? "C, H, W" : "C, L", lo + 1,
                           s->dims == 2 ? "N, C, H, W" : "N, C, L",
                           shape_str(ndim, in, b1, sizeof b1)), -1;
    for (int d = ndim - lo; d < ndim; d++)
        if (in[d] == 0)
            return tensor_fail("%s: expected an input with non-zero channel and spatial sizes, "
                               "got %s", fn, shape_str(ndim, in, b1, sizeof b1)), -1;
    if (!is_adaptive(s) && check_params(s) < 0)
        return -1;
    memcpy(out, in, (size_t)ndim * sizeof in[0]);
    for (int a = 2 - s->dims; a < 2; a++) {
        int d = ndim - 2 + a;
        if (is_adaptive(s) && check_range(s, "output_size", s->output_size, 1) < 0)
            return -1;
        if (is_adaptive(s) && in[d] > POOL_SIZE_LIMIT)
            return tensor_fail("%s: input sizes past 2^31 are not supported, got %s", fn,
                               shape_str(ndim, in, b1, sizeof b1)), -1;
        out[d] = is_adaptive(s) ? s->output_size[a] : window_count(s, a, in[d]);
    }
    for (int d = ndim - s->dims; d < ndim; d++)
        if (out[d] < 1) {
            char k[48], st[48], p[48], dl[48];
            int64_t strides[2] = {stride_of(s, 0), stride_of(s, 1)};
            return tensor_fail("%s: the kernel is larger than the padded input: input %s with "
                               "kernel_size %s (stride %s, padding %s, dilation %s) gives an "
                               "output of %s", fn, shape_str(ndim, in, b1, sizeof b1),
                               pair_str(s, s->kernel, k, sizeof k),
                               pair_str(s, strides, st, sizeof st),
                               pair_str(s, s->padding, p, sizeof p),
                               pair_str(s, s->dilation, dl, sizeof dl),
                               shape_str(ndim, out, b2, sizeof b2)), -1;
        }
    return 0;
}

/* ---- the windows of one axis ------------------------------------------------- */

/* Output index o reads the taps first, first + step, ... (count of them, all
 * inside the input); `size` is this axis's factor of the average's divisor. */
typedef struct {
    int64_t first, count, step;
    double size;
} Span;

static void axis_spans(const PoolSpec *s, int a, int64_t in, int64_t out, Span *sp)
{
    for (int64_t o = 0; o < out; o++) {
        if (is_adaptive(s)) {
            /* PyTorch's start_index and end_index: floor and ceil of o * in / out. */
            int64_t start = o * in / out, end = ((o + 1) * in + out - 1) / out;
            sp[o] = (Span){start, end - start, 1, (double)(end - start)};
            continue;
        }
        int64_t k = s->kernel[a], start = o * stride_of(s, a) - s->padding[a];
        if (s->kind == POOL_MAX) {
            int64_t d = s->dilation[a];
            int64_t i0 = start < 0 ? (-start + d - 1) / d : 0;
            int64_t i1 = (in - start + d - 1) / d;
            int64_t n = (i1 < k ? i1 : k) - i0;
            sp[o] = (Span){start + i0 * d, n > 0 ? n : 0, d, 0};
        } else {
            /* The divisor with count_include_pad counts the padding the
             * window covers, but not what lies past it (ceil mode). */
            int64_t end = start + k < in + s->padding[a] ? start + k : in + s->padding[a];
            int64_t first = start > 0 ? start : 0, last = end < in ? end : in;
            double size = (double)(s->count_include_pad ? end - start : last - first);
            sp[o] = (Span){first, last - first, 1, size};
        }
    }
}

/* The geometry of one call: planes of (ih, iw) in and (oh, ow) out. */
typedef struct {
    int64_t planes, ih, iw, oh, ow;
    Span *rows, *cols;     /* oh then ow entries, one allocation */
    int32_t *corners;      /* the 2x2 path: each window's first position (plain_2x2) */
} Geometry;

static int geometry(const PoolSpec *s, int ndim, const int64_t *in, const int64_t *out,
                    Geometry *g)
{
    g->ih = s->dims == 2 ? in[ndim - 2] : 1;
    g->iw = in[ndim - 1];
    g->oh = s->dims == 2 ? out[ndim - 2] : 1;
    g->ow = out[ndim - 1];
    g->planes = 1;
    g->corners = NULL;
    for (int d = 0; d < ndim - s->dims; d++)
        g->planes *= in[d];
    g->rows = malloc((size_t)(g->oh + g->ow) * sizeof(Span));
    if (!g->rows)
        return tensor_fail("out of memory"), -1;
    g->cols = g->rows + g->oh;
    axis_spans(s, 0, g->ih, g->oh, g->rows);
    axis_spans(s, 1, g->iw, g->ow, g->cols);
    return 0;
}

/* Plane work splits across threads once the call is big enough. */
static bool worth_threads(const Geometry *g)
{
    return g->planes > 1 && g->planes * (g->ih * g->iw + g->oh * g->ow) >= PARALLEL_GRAIN;
}

/* ---- the plane kernels, for float and double ---------------------------------- */

#define DEFINE_MAX_PLANE(name, T)                                                         \
    static void name(const Geometry *g, const T *x, T *y, int64_t *idx)                  \
    {                                                                                     \
        for (int64_t oh = 0; oh < g->oh; oh++) {                                          \
            const Span r = g->rows[oh];                                                   \
            for (int64_t ow = 0; ow < g->ow; ow++) {                                      \
                const Span c = g->cols[ow];                                               \
                int64_t best_at = r.first * g->iw + c.first;                              \
                T best = -INFINITY;                                                       \
                for (int64_t i = 0, h = r.first; i < r.count; i++, h += r.step) {         \
                    const T *row = x + h * g->iw;                                         \
                    for (int64_t j = 0, w = c.first; j < c.count; j++, w += c.step) {     \
                        T v = row[w];                                                     \
                        bool take = v > best || v != v;                                   \
                        best = take ? v : best;                                           \
                        best_at = take ? h * g->iw + w : best_at;                         \
                    }                                                                     \
                }                                                                         \
                *y++ = best;                                                              \
                *idx++ = best_at;                                                         \
            }                                                                             \
        }                                                                                 \
    }
DEFINE_MAX_PLANE(max_plane_f32, float)
DEFINE_MAX_PLANE(max_plane_f64, double)

/* The common 2x2, stride 2 window fully inside the plane (LeNet's pool),
 * without the span walk: the same comparisons in the same order, as
 * selects that GCC vectorises (on real data the max's place is a coin
 * toss, so branches would mispredict).  The loop runs over the whole output
 * plane, reading each window from its first position in g->corners by
 * gathers: rows of outputs are short (14 and 5 in LeNet), and a loop per
 * row spent most of its time in the scalar remainder of each.  That took
 * LeNet's two pools from 1.2 and 0.5 ms to 0.13 and 0.05 ms on one core. */
#define DEFINE_MAX2X2_PLANE(name, T)                                                      \
    SIMD_CLONES static void name(const Geometry *g, const T *x, T *y, int64_t *idx)       \
    {                                                                                     \
        const int32_t iw = (int32_t)g->iw, *corner = g->corners;                          \
        _Pragma("omp simd") for (int64_t o = 0; o < g->oh * g->ow; o++) {                 \
            const int32_t at = corner[o];                                                 \
            T best = x[at], v;                                                            \
            int32_t off = 0;                                                              \
            bool take;                                                                    \
            v = x[at + 1], take = v > best || v != v;                                     \
            best = take ? v : best, off = take ? 1 : off;                                 \
            v = x[at + iw], take = v > best || v != v;                                    \
            best = take ? v : best, off = take ? iw : off;                                \
            v = x[at + iw + 1], take = v > best || v != v;                                \
            best = take ? v : best, off = take ? iw + 1 : off;                            \
            y[o] = best;                                                                  \
            idx[o] = at + off;                                                            \
        }                                                                                 \
    }
DEFINE_MAX2X2_PLANE(max2x2_plane_f32, float)
DEFINE_MAX2X2_PLANE(max2x2_plane_f64, double)

#define DEFINE_AVG_PLANE(name, T)                                                         \
    static void name(const Geometry *g, double divisor, const void *src, void *dst)       \
    {                                                                                     \
        const T *x = src;                                                                 \
        T *y = dst;                                                                       \
        for (int64_t oh = 0; oh < g->oh; oh++) {                                          \
            const Span r = g->rows[oh];                                                   \
            for (int64_t ow = 0; ow < g->ow; ow++) {                                      \
                const Span c = g->cols[ow];                                               \
                double sum = 0;                                                           \
                for (int64_t h = r.first; h < r.first + r.count; h++)                     \
                    for (int64_t w = c.first; w < c.first + c.count; w++)                 \
                        sum += x[h * g->iw + w];                                          \
                *y++ = (T)(sum / (divisor ? divisor : r.size * c.size));                  \
            }                                                                             \
        }                                                                                 \
    }
DEFINE_AVG_PLANE(avg_plane_f32, float)
DEFINE_AVG_PLANE(avg_plane_f64, double)

/* dx (zeroed by the caller) += dy / divisor over each window. */
#define DEFINE_AVG_BACK_PLANE(name, T)                                                    \
    static void name(const Geometry *g, double divisor, const void *src, void *dst)       \
    {                                                                                     \
        const T *dy = src;                                                                \
        T *dx = dst;                                                                      \
        for (int64_t oh = 0; oh < g->oh; oh++) {                                          \
            const Span r = g->rows[oh];                                                   \
            for (int64_t ow = 0; ow < g->ow; ow++) {                                      \
                const Span c = g->cols[ow];                                               \
                T share = (T)(*dy++ / (divisor ? divisor : r.size * c.size));             \
                for (int64_t h = r.first; h < r.first + r.count; h++)                     \
                    for (int64_t w = c.first; w < c.first + c.count; w++)                 \
                        dx[h * g->iw + w] += share;                                       \
            }                                                                             \
        }                                                                                 \
    }
DEFINE_AVG_BACK_PLANE(avg_back_plane_f32, float)
DEFINE_AVG_BACK_PLANE(avg_back_plane_f64, double)

/* ---- running a kernel over the planes ------------------------------------------- */

/* x contiguous (a new reference), or NULL with a message naming fn when x
 * is not floating. */
static Tensor *floating_input(const char *fn, const Tensor *x)
{
    if (!dtype_is_floating(x->dtype))
        return tensor_fail("%s: needs a floating point input, got %s (convert it with "
                           ":float())", fn, dtype_name(x->dtype));
    return tensor_contiguous((Tensor *)x);
}

/* Whether the 2x2 path takes the pool; if so, its corners are filled in
 * (false also when they cannot be allocated: the general path needs none). */
static bool plain_2x2(const PoolSpec *s, Geometry *g)
{
    if (!(s->kind == POOL_MAX && s->dims == 2 && s->kernel[0] == 2 && s->kernel[1] == 2 &&
          stride_of(s, 0) == 2 && stride_of(s, 1) == 2 && s->padding[0] == 0 &&
          s->padding[1] == 0 && s->dilation[0] == 1 && s->dilation[1] == 1 &&
          2 * g->oh <= g->ih && 2 * g->ow <= g->iw && g->ih * g->iw <= INT32_MAX))
        return false;
    if (!(g->corners = malloc((size_t)(g->oh * g->ow) * sizeof *g->corners)))
        return false;
    for (int64_t r = 0; r < g->oh; r++)
        for (int64_t c = 0; c < g->ow; c++)
            g->corners[r * g->ow + c] = (int32_t)(2 * r * g->iw + 2 * c);
    return true;
}

/* The ending every kernel shares: frees, then reports an interrupt. */
static int finish(Geometry *g, Tensor *x, int status)
{
    free(g->rows);
    free(g->corners);
    tensor_release(x);
    if (status == 0 && tensor_check_interrupt())
        return -1;
    return status;
}

int tensor_max_pool(const Tensor *x, const PoolSpec *s, Tensor **out, Tensor **indices)
{
    *out = *indices = NULL;
    if (s->kind != POOL_MAX && s->kind != POOL_ADAPTIVE_MAX)
        return tensor_fail("%s: not a max pool", pool_name(s)), -1;
    int64_t shape[TENSOR_MAX_DIMS];
    if (pool_output_shape(s, x->ndim, x->shape, shape) < 0)
        return -1;
    Tensor *xc = floating_input(pool_name(s), x);
    Geometry g;
    if (!xc || geometry(s, x->ndim, x->shape, shape, &g) < 0) {
        tensor_release(xc);
        return -1;
    }
    Tensor *y = tensor_empty(x->ndim, shape, x->dtype);
    Tensor *idx = tensor_empty(x->ndim, shape, DTYPE_INT64);
    if (!y || !idx) {
        tensor_release(y), tensor_release(idx);
        return finish(&g, xc, -1);
    }
    bool f32 = x->dtype == DTYPE_FLOAT32, plain = plain_2x2(s, &g);
    int64_t in_plane = g.ih * g.iw, out_plane = g.oh * g.ow;
    char *src = tensor_data(xc), *dst = tensor_data(y);
    int64_t *pos = tensor_data(idx);
    size_t es = dtype_size(x->dtype);
#pragma omp parallel for schedule(dynamic, 8) if (worth_threads(&g))
    for (int64_t p = 0; p < g.planes; p++) {
        if (tensor_interrupt_requested)
            continue;
        const void *xp = src + (size_t)(p * in_plane) * es;
        void *yp = dst + (size_t)(p * out_plane) * es;
        int64_t *ip = pos + p * out_plane;
        if (f32)
            (plain ? max2x2_plane_f32 : max_plane_f32)(&g, xp, yp, ip);
        else
            (plain ? max2x2_plane_f64 : max_plane_f64)(&g, xp, yp, ip);
    }
    int status = finish(&g, xc, 0);
    if (status < 0) {
        tensor_release(y), tensor_release(idx);
        return -1;
    }
    *out = y;
    *indices = idx;
    return 0;
}

typedef void (*AvgPlaneFn)(const Geometry *g, double divisor, const void *src, void *dst);

/* The average pool of t (forward: t has in_shape, the result out_shape) or
 * its gradient (backward: t has out_shape, the result in_shape), a plane at
 * a time. */
static Tensor *avg_run(const PoolSpec *s, const Tensor *t, int ndim, const int64_t *in_shape,
                       const int64_t *out_shape, bool backward)
{
    Tensor *tc = floating_input(pool_name(s), t);
    Geometry g;
    if (!tc || geometry(s, ndim, in_shape, out_shape, &g) < 0) {
        tensor_release(tc);
        return NULL;
    }
    Tensor *r = backward ? tensor_zeros(ndim, in_shape, t->dtype)
                         : tensor_empty(ndim, out_shape, t->dtype);
    int64_t in_plane = g.ih * g.iw, out_plane = g.oh * g.ow, planes = r ? g.planes : 0;
    int64_t src_plane = backward ? out_plane : in_plane, dst_plane = backward ? in_plane : out_plane;
    double divisor = s->kind == POOL_AVG ? (double)s->divisor_override : 0;
    bool f32 = t->dtype == DTYPE_FLOAT32;
    AvgPlaneFn fn = backward ? (f32 ? avg_back_plane_f32 : avg_back_plane_f64)
                             : (f32 ? avg_plane_f32 : avg_plane_f64);
    size_t es = dtype_size(t->dtype);
    const char *src = tensor_data(tc);
    char *dst = r ? tensor_data(r) : NULL;
#pragma omp parallel for schedule(dynamic, 8) if (worth_threads(&g))
    for (int64_t p = 0; p < planes; p++) {
        if (!tensor_interrupt_requested)
            fn(&g, divisor, src + (size_t)(p * src_plane) * es, dst + (size_t)(p * dst_plane) * es);
    }
    if (finish(&g, tc, r ? 0 : -1) < 0) {
        tensor_release(r);
        return NULL;
    }
    return r;
}

Tensor *tensor_avg_pool(const Tensor *x, const PoolSpec *s)
{
    int64_t shape[TENSOR_MAX_DIMS];
    if (s->kind != POOL_AVG && s->kind != POOL_ADAPTIVE_AVG)
        return tensor_fail("%s: not an average pool", pool_name(s));
    if (pool_output_shape(s, x->ndim, x->shape, shape) < 0)
        return NULL;
    return avg_run(s, x, x->ndim, x->shape, shape, false);
}

Tensor *tensor_avg_pool_backward(const Tensor *grad, const PoolSpec *s, int ndim,
                                 const int64_t *in_shape)
{
    int64_t shape[TENSOR_MAX_DIMS];
    if (pool_output_shape(s, ndim, in_shape, shape) < 0)
        return NULL;
    if (grad->ndim != ndim || memcmp(grad->shape, shape, (size_t)ndim * sizeof shape[0])) {
        char b1[96], b2[96];
        return tensor_fail("%s backward: expected a gradient of shape %s, got %s", pool_name(s),
                           shape_str(ndim, shape, b1, sizeof b1),
                           tensor_shape_str(grad, b2, sizeof b2));
    }
    return avg_run(s, grad, ndim, in_shape, shape, true);
}

/* ---- a max pool's gradient: scatter by position, and its adjoint gather ------- */

/* Elements per plane of a tensor pooled over `dims` spatial dims. */
static int64_t plane_size(const Tensor *t, int dims)
{
    return dims == 2 ? t->shape[t->ndim - 2] * t->shape[t->ndim - 1] : t->shape[t->ndim - 1];
}

/* `values` (grad, or the input of a gather) is floating, indices int64, and
 * both have the leading (plane) dims of `planes`; -1 with a message. */
static int check_positions(const char *fn, const Tensor *values, const Tensor *indices,
                           int ndim, const int64_t *planes, int dims)
{
    char b1[96], b2[96], b3[96];
    bool ok = indices->dtype == DTYPE_INT64 && dtype_is_floating(values->dtype) &&
              values->ndim == ndim && indices->ndim == ndim && ndim > dims;
    for (int d = 0; ok && d < ndim - dims; d++)
        ok = values->shape[d] == planes[d] && indices->shape[d] == planes[d];
    if (!ok)
        return tensor_fail("%s: expected floating values and int64 positions with the planes "
                           "of %s, got %s %s and %s positions %s", fn,
                           shape_str(ndim, planes, b1, sizeof b1), dtype_name(values->dtype),
                           tensor_shape_str(values, b2, sizeof b2), dtype_name(indices->dtype),
                           tensor_shape_str(indices, b3, sizeof b3)), -1;
    return 0;
}

/* Positions outside 0..plane-1 (only a caller's own indices can hold them). */
static int check_positions_range(const char *fn, const int64_t *pos, int64_t n, int64_t plane)
{
    for (int64_t k = 0; k < n; k++)
        if (pos[k] < 0 || pos[k] >= plane)
            return tensor_fail("%s: position %lld is outside a plane of %lld elements", fn,
                               (long long)pos[k], (long long)plane), -1;
    return 0;
}

Tensor *tensor_pool_scatter(const Tensor *grad, const Tensor *indices, int ndim,
                            const int64_t *in_shape, int dims)
{
    if (check_positions("max_pool backward", grad, indices, ndim, in_shape, dims) < 0)
        return NULL;
    if (!tensor_same_shape(grad, indices)) {
        char b1[96], b2[96];
        return tensor_fail("max_pool backward: a gradient of shape %s for positions of shape %s",
                           tensor_shape_str(grad, b1, sizeof b1),
                           tensor_shape_str(indices, b2, sizeof b2));
    }
    Tensor *gc = tensor_contiguous((Tensor *)grad), *ic = tensor_contiguous((Tensor *)indices);
    Tensor *dx = gc && ic ? tensor_empty(ndim, in_shape, grad->dtype) : NULL;
    int64_t out_plane = plane_size(grad, dims), n = tensor_numel(grad);
    int64_t in_plane = dims == 2 ? in_shape[ndim - 2] * in_shape[ndim - 1] : in_shape[ndim - 1];
    int64_t planes = dx && out_plane ? n / out_plane : 0;
    size_t es = dtype_size(grad->dtype);
    if (dx && planes == 0 && tensor_numel(dx) > 0)
        memset(tensor_data(dx), 0, (size_t)tensor_numel(dx) * es);
    const int64_t *pos = ic ? tensor_data(ic) : NULL;
    bool f32 = grad->dtype == DTYPE_FLOAT32, bad = false;
    /* Each plane is zeroed and filled by one thread, while it is in cache:
     * zeroing the whole result first, on one thread, took longer than the
     * scatter.  Positions are checked first (only a caller's own can be
     * out of range). */
#pragma omp parallel for schedule(static) if (n >= PARALLEL_GRAIN && planes > 1) reduction(|| : bad)
    for (int64_t p = 0; p < planes; p++) {
        const int64_t *ip = pos + p * out_plane;
        char *dp = (char *)tensor_data(dx) + (size_t)(p * in_plane) * es;
        memset(dp, 0, (size_t)in_plane * es);
        bool ok = true;
        for (int64_t j = 0; j < out_plane; j++)
            ok &= ip[j] >= 0 && ip[j] < in_plane;
        if (!ok) {
            bad = true;
        } else if (f32) {
            const float *gp = (const float *)tensor_data(gc) + p * out_plane;
            for (int64_t j = 0; j < out_plane; j++)
                ((float *)dp)[ip[j]] += gp[j];
        } else {
            const double *gp = (const double *)tensor_data(gc) + p * out_plane;
            for (int64_t j = 0; j < out_plane; j++)
                ((double *)dp)[ip[j]] += gp[j];
        }
    }
    if (bad) {
        check_positions_range("max_pool backward", pos, n, in_plane);   /* says which */
        tensor_release(dx);
        dx = NULL;
    }
    tensor_release(gc), tensor_release(ic);
    return dx;
}

Tensor *tensor_pool_gather(const Tensor *x, const Tensor *indices, int dims)
{
    if (check_positions("max_pool gather", x, indices, x->ndim, x->shape, dims) < 0)
        return NULL;
    Tensor *xc = tensor_contiguous((Tensor *)x), *ic = tensor_contiguous((Tensor *)indices);
    Tensor *y = xc && ic ? tensor_empty(indices->ndim, indices->shape, x->dtype) : NULL;
    int64_t out_plane = plane_size(indices, dims), in_plane = plane_size(x, dims);
    int64_t n = tensor_numel(indices);
    if (y && check_positions_range("max_pool gather", tensor_data(ic), n, in_plane) < 0) {
        tensor_release(y);
        y = NULL;
    }
    int64_t planes = y && out_plane ? n / out_plane : 0;
    size_t es = dtype_size(x->dtype);
    for (int64_t p = 0; p < planes; p++) {
        const int64_t *ip = (const int64_t *)tensor_data(ic) + p * out_plane;
        const char *xp = (const char *)tensor_data(xc) + (size_t)(p * in_plane) * es;
        char *yp = (char *)tensor_data(y) + (size_t)(p * out_plane) * es;
        for (int64_t j = 0; j < out_plane; j++)
            memcpy(yp + (size_t)j * es, xp + (size_t)ip[j] * es, es);
    }
    tensor_release(xc), tensor_release(ic);
    return y;
}
