/*
 * mask.c — selecting by a bool mask: masked_select, masked_scatter_ and
 * nonzero.
 *
 * Each result depends on how many elements came before in row-major order,
 * so these walk their operands on one thread, in order: first a pass that
 * counts the selected elements (to size the result, or to check that the
 * source is long enough before anything is written), then the pass that
 * moves them.  iter_run keeps row-major order when it runs serially, so the
 * moving loops only need a cursor into the packed side.
 */
#include "tensor/tensor.h"

#include <string.h>

static void count_loop(char **p, const int64_t *st, int64_t n, void *ctx)
{
    int64_t count = 0;
    for (int64_t i = 0; i < n; i++)
        count += p[0][i * st[0]] != 0;
    *(int64_t *)ctx += count;
}

static int64_t count_true(const Tensor *mask)
{
    int64_t count = 0;
    iter_run(1, (Tensor *[]){(Tensor *)mask}, mask->ndim, mask->shape, count_loop, &count, false);
    return count;
}

/* Operands (t, mask); ctx is the cursor into the packed elements: select
 * appends t's selected elements there, scatter takes them from there. */
#define DEFINE_PACK_LOOPS(T)                                                              \
    static void select_##T(char **p, const int64_t *st, int64_t n, void *ctx)             \
    {                                                                                     \
        T *out = *(T **)ctx;                                                              \
        for (int64_t i = 0; i < n; i++)                                                   \
            if (p[1][i * st[1]])                                                          \
                *out++ = *(const T *)(p[0] + i * st[0]);                                  \
        *(T **)ctx = out;                                                                 \
    }                                                                                     \
    static void scatter_##T(char **p, const int64_t *st, int64_t n, void *ctx)            \
    {                                                                                     \
        const T *src = *(const T **)ctx;                                                  \
        for (int64_t i = 0; i < n; i++)                                                   \
            if (p[1][i * st[1]])                                                          \
                *(T *)(p[0] + i * st[0]) = *src++;                                        \
        *(const T **)ctx = src;                                                           \
    }
DEFINE_PACK_LOOPS(uint8_t)
DEFINE_PACK_LOOPS(uint32_t)
DEFINE_PACK_LOOPS(uint64_t)

/* Indexed by element size. */
static const LoopFn select_loops[9] = {[1] = select_uint8_t, [4] = select_uint32_t,
                                       [8] = select_uint64_t};
static const LoopFn scatter_loops[9] = {[1] = scatter_uint8_t, [4] = scatter_uint32_t,
                                        [8] = scatter_uint64_t};

static bool mask_is_bool(const char *fn, const Tensor *mask)
{
    if (mask->dtype != DTYPE_BOOL)
        tensor_fail("%s: the mask must be a bool tensor, got %s (compare, e.g. x:gt(0), or "
                    "convert with :bool())", fn, dtype_name(mask->dtype));
    return mask->dtype == DTYPE_BOOL;
}

Tensor *tensor_masked_select(const Tensor *t, const Tensor *mask)
{
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    if (!mask_is_bool("masked_select", mask) ||
        !broadcast_shapes("masked_select", t->ndim, t->shape, mask->ndim, mask->shape, &ndim,
                          shape))
        return NULL;
    Tensor *tx = tensor_expand(t, ndim, shape), *mx = tensor_expand(mask, ndim, shape);
    Tensor *out = tx && mx ? tensor_empty(1, (const int64_t[]){count_true(mx)}, t->dtype) : NULL;
    if (out) {
        void *cursor = tensor_data(out);
        iter_run(2, (Tensor *[]){tx, mx}, ndim, shape, select_loops[dtype_size(t->dtype)],
                 &cursor, false);
    }
    tensor_release(tx), tensor_release(mx);
    return out;
}

int tensor_masked_scatter_(Tensor *t, const Tensor *mask, const Tensor *src)
{
    const char *fn = "masked_scatter_";
    if (!tensor_begin_write(fn, t) || !mask_is_bool(fn, mask))
        return -1;
    if (src->dtype != t->dtype) {
        tensor_fail("%s: the source has dtype %s but self has %s", fn, dtype_name(src->dtype),
                    dtype_name(t->dtype));
        return -1;
    }
    char s1[128], s2[128];
    Tensor *mx = tensor_expand(mask, t->ndim, t->shape);
    if (!mx) {
        tensor_fail("%s: a mask of shape %s cannot be broadcast to self's shape %s", fn,
                    tensor_shape_str(mask, s1, sizeof s1), tensor_shape_str(t, s2, sizeof s2));
        return -1;
    }
    int64_t count = count_true(mx), have = tensor_numel(src);
    if (have < count) {
        tensor_release(mx);
        tensor_fail("%s: the mask selects %lld elements but the source has only %lld", fn,
                    (long long)count, (long long)have);
        return -1;
    }
    /* The source is read in row-major order, packed, and not from t's memory. */
    Tensor *packed = tensor_is_contiguous(src) && src->storage != t->storage ? tensor_alias(src)
                                                                             : tensor_clone(src);
    int status = -1;
    if (packed) {
        const void *cursor = tensor_data(packed);
        iter_run(2, (Tensor *[]){t, mx}, t->ndim, t->shape, scatter_loops[dtype_size(t->dtype)],
                 &cursor, false);
        status = 0;
    }
    tensor_release(mx), tensor_release(packed);
    return status;
}

static bool element_nonzero(DType dt, const char *p)
{
    switch (dt) {
    case DTYPE_FLOAT32: return *(const float *)p != 0;
    case DTYPE_FLOAT64: return *(const double *)p != 0;
    case DTYPE_INT64: return *(const int64_t *)p != 0;
    default: return *(const uint8_t *)p != 0;
    }
}

/* Counts the nonzero elements in row-major order, writing their coordinates
 * (plus base) into `out` when given. */
static int64_t nonzero_walk(const Tensor *t, int64_t *out, int64_t base)
{
    int64_t n = tensor_numel(t), idx[TENSOR_MAX_DIMS] = {0}, off = 0, count = 0;
    int64_t es = (int64_t)dtype_size(t->dtype);
    const char *p = tensor_data(t);
    for (int64_t i = 0; i < n; i++) {
        if (element_nonzero(t->dtype, p + off * es)) {
            for (int d = 0; out && d < t->ndim; d++)
                out[count * t->ndim + d] = idx[d] + base;
            count++;
        }
        walk_next(t->ndim, t->shape, idx, 1, (const int64_t *[]){t->stride}, &off);
    }
    return count;
}

Tensor *tensor_nonzero(const Tensor *t, int64_t base)
{
    int64_t count = nonzero_walk(t, NULL, base);
    Tensor *out = tensor_empty(2, (const int64_t[]){count, t->ndim}, DTYPE_INT64);
    if (out && count > 0 && t->ndim > 0)
        nonzero_walk(t, tensor_data(out), base);
    return out;
}
