/*
 * pool_ref.c — the textbook pools, the yardstick for pool.c's kernels.
 *
 * Each output element works out its own window the way PyTorch's reference
 * loops do (start = o * stride - padding, then clipped; adaptive windows
 * from floor and ceil of o * in / out) and reads every value through
 * tensor_get, whatever the layout.  It shares only the output-shape rule
 * with pool.c, not the precomputed windows or the plane walk it checks.
 * Slow on purpose; only tests call it.
 */
#include "tensor/pool.h"

#include <math.h>

/* The window of output index o along spatial axis a (0: H, 1: W): taps
 * start, start + step, ... before `end` (exclusive), and the axis's share
 * of the average's divisor when padding counts. */
static void window(const PoolSpec *s, int a, int64_t in, int64_t out, int64_t o,
                   int64_t *start, int64_t *end, int64_t *step, int64_t *padded)
{
    if (s->kind == POOL_ADAPTIVE_MAX || s->kind == POOL_ADAPTIVE_AVG) {
        *start = (int64_t)floor((double)(o * in) / (double)out);
        *end = (int64_t)ceil((double)((o + 1) * in) / (double)out);
        *step = 1;
        *padded = *end - *start;
        return;
    }
    int64_t k = s->kernel[a], st = s->stride[a] ? s->stride[a] : k, p = s->padding[a];
    int64_t d = s->kind == POOL_MAX ? s->dilation[a] : 1;
    int64_t lo = o * st - p, hi = lo + (k - 1) * d + 1;
    if (hi > in + p)
        hi = in + p;
    *padded = hi - lo;
    while (lo < 0)
        lo += d;
    *start = lo;
    *end = hi < in ? hi : in;
    *step = d;
}

/* Runs one pool over every output element; max pools fill indices. */
static int pool_ref(const Tensor *x, const PoolSpec *s, Tensor **out, Tensor **indices)
{
    int64_t shape[TENSOR_MAX_DIMS];
    if (pool_output_shape(s, x->ndim, x->shape, shape) < 0)
        return -1;
    bool is_max = s->kind == POOL_MAX || s->kind == POOL_ADAPTIVE_MAX;
    Tensor *y = tensor_empty(x->ndim, shape, x->dtype);
    Tensor *idx = is_max ? tensor_empty(x->ndim, shape, DTYPE_INT64) : NULL;
    if (!y || (is_max && !idx)) {
        tensor_release(y), tensor_release(idx);
        return -1;
    }
    int nd = x->ndim, hd = nd - 2;   /* the H dim; a 1-D pool has none */
    int64_t ih = s->dims == 2 ? x->shape[hd] : 1, iw = x->shape[nd - 1];
    int64_t oh = s->dims == 2 ? shape[hd] : 1, ow = shape[nd - 1];
    int64_t pos[TENSOR_MAX_DIMS] = {0};
    int lead = nd - s->dims;
    do {
        for (int64_t i = 0; i < oh; i++)
            for (int64_t j = 0; j < ow; j++) {
                int64_t h0, h1, hs, hp, w0, w1, ws, wp;
                window(s, 0, ih, oh, i, &h0, &h1, &hs, &hp);
                window(s, 1, iw, ow, j, &w0, &w1, &ws, &wp);
                double best = -INFINITY, sum = 0;
                int64_t best_at = h0 * iw + w0, count = 0;
                for (int64_t h = h0; h < h1; h += hs)
                    for (int64_t w = w0; w < w1; w += ws) {
                        int64_t at[TENSOR_MAX_DIMS];
                        for (int d = 0; d < lead; d++)
                            at[d] = pos[d];
                        if (s->dims == 2)
                            at[hd] = h;
                        at[nd - 1] = w;
                        double v = tensor_get(x, at);
                        if (v > best || isnan(v)) {
                            best = v;
                            best_at = h * iw + w;
                        }
                        sum += v;
                        count++;
                    }
                double divisor = s->divisor_override && s->kind == POOL_AVG
                                     ? (double)s->divisor_override
                                 : s->count_include_pad || s->kind == POOL_ADAPTIVE_AVG
                                     ? (double)(hp * wp)
                                     : (double)count;
                pos[nd - 1] = j;
                if (s->dims == 2)
                    pos[hd] = i;
                tensor_set(y, pos, is_max ? best : sum / divisor);
                if (is_max)
                    tensor_set(idx, pos, (double)best_at);
            }
        for (int d = nd - 1; d >= lead; d--)
            pos[d] = 0;
    } while (walk_next(lead, x->shape, pos, 0, NULL, NULL));
    *out = y;
    if (indices)
        *indices = idx;
    return 0;
}

int tensor_max_pool_ref(const Tensor *x, const PoolSpec *s, Tensor **out, Tensor **indices)
{
    return pool_ref(x, s, out, indices);
}

Tensor *tensor_avg_pool_ref(const Tensor *x, const PoolSpec *s)
{
    Tensor *out = NULL;
    return pool_ref(x, s, &out, NULL) < 0 ? NULL : out;
}
