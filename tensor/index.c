/*
 * index.c — reading and writing through index tensors: index_select,
 * gather, take, scatter (of a source, a value, or adding), index_add,
 * index_copy and index_fill.
 *
 * They are all one strided loop run by iter_run, PyTorch's restriding trick:
 * the iteration space is the shape of the index (spread along the indexed
 * dim when it is a 1-D list of slices), and the indexed tensor is laid over
 * that space with stride 0 along the indexed dim, so every step starts at
 * slice 0 and moves k slices, k being the index value it reads.  One kernel
 * per element size thus serves every op, shape and layout; only the adds
 * need one per dtype.  All index values are checked in a first pass, so a
 * bad one fails before anything is written.  Writes run on one thread: with
 * repeated indices the last write wins and adds accumulate, deterministically.
 */
#include "tensor/tensor.h"

#include <string.h>

typedef struct {
    int64_t base, size;        /* values count from base, negative ones from size */
    int64_t step;              /* bytes between slices of the indexed dim */
    unsigned char value[8];    /* the fill value, or alpha, in the tensor's dtype */
} IndexCtx;

static inline int64_t index_offset(const IndexCtx *c, const char *p)
{
    int64_t v = *(const int64_t *)p;
    return (v < 0 ? v + c->size : v - c->base) * c->step;
}

/* Operands: read (out, src, index), write (dst, src, index), fill (dst, index);
 * the index decides where in src (read) or dst (write, fill). */
#define DEFINE_MOVE_LOOPS(T)                                                              \
    static void read_##T(char **p, const int64_t *st, int64_t n, void *ctx)               \
    {                                                                                     \
        for (int64_t i = 0; i < n; i++)                                                   \
            *(T *)(p[0] + i * st[0]) =                                                    \
                *(const T *)(p[1] + i * st[1] + index_offset(ctx, p[2] + i * st[2]));     \
    }                                                                                     \
    static void write_##T(char **p, const int64_t *st, int64_t n, void *ctx)              \
    {                                                                                     \
        for (int64_t i = 0; i < n; i++)                                                   \
            *(T *)(p[0] + i * st[0] + index_offset(ctx, p[2] + i * st[2])) =              \
                *(const T *)(p[1] + i * st[1]);                                           \
    }                                                                                     \
    static void fill_##T(char **p, const int64_t *st, int64_t n, void *ctx)               \
    {                                                                                     \
        T v;                                                                              \
        memcpy(&v, ((const IndexCtx *)ctx)->value, sizeof v);                            \
        for (int64_t i = 0; i < n; i++)                                                   \
            *(T *)(p[0] + i * st[0] + index_offset(ctx, p[1] + i * st[1])) = v;           \
    }
DEFINE_MOVE_LOOPS(uint8_t)
DEFINE_MOVE_LOOPS(uint32_t)
DEFINE_MOVE_LOOPS(uint64_t)

/* Indexed by element size. */
static const LoopFn read_loops[9] = {[1] = read_uint8_t, [4] = read_uint32_t, [8] = read_uint64_t};
static const LoopFn write_loops[9] = {[1] = write_uint8_t, [4] = write_uint32_t,
                                      [8] = write_uint64_t};
static const LoopFn fill_loops[9] = {[1] = fill_uint8_t, [4] = fill_uint32_t, [8] = fill_uint64_t};

/* dst[index] += alpha * src; integers wrap (unsigned arithmetic), bool ORs. */
#define ADD_FLOAT(d, a, s) ((d) + (a) * (s))
#define ADD_INT64(d, a, s) ((int64_t)((uint64_t)(d) + (uint64_t)(a) * (uint64_t)(s)))
#define ADD_UINT8(d, a, s) ((uint8_t)((d) + (a) * (s)))
#define ADD_BOOL(d, a, s) ((uint8_t)((d) || ((a) && (s))))
#define DEFINE_ADD_LOOP(NAME, T, ADD)                                                     \
    static void add_##NAME(char **p, const int64_t *st, int64_t n, void *ctx)             \
    {                                                                                     \
        T alpha;                                                                          \
        memcpy(&alpha, ((const IndexCtx *)ctx)->value, sizeof alpha);                     \
        for (int64_t i = 0; i < n; i++) {                                                 \
            T *d = (T *)(p[0] + i * st[0] + index_offset(ctx, p[2] + i * st[2]));         \
            *d = ADD(*d, alpha, *(const T *)(p[1] + i * st[1]));                          \
        }                                                                                 \
    }
DEFINE_ADD_LOOP(float32, float, ADD_FLOAT)
DEFINE_ADD_LOOP(float64, double, ADD_FLOAT)
DEFINE_ADD_LOOP(int64, int64_t, ADD_INT64)
DEFINE_ADD_LOOP(uint8, uint8_t, ADD_UINT8)
DEFINE_ADD_LOOP(bool, uint8_t, ADD_BOOL)

static const LoopFn add_loops[DTYPE_COUNT] = {
    [DTYPE_FLOAT32] = add_float32, [DTYPE_FLOAT64] = add_float64, [DTYPE_INT64] = add_int64,
    [DTYPE_UINT8] = add_uint8,     [DTYPE_BOOL] = add_bool,
};

/* ---- checking index values ------------------------------------------------------ */

typedef struct {
    int64_t base, size;
    bool negatives, found;
    int64_t bad;
} IndexCheck;

static void check_loop(char **p, const int64_t *st, int64_t n, void *ctx)
{
    IndexCheck *c = ctx;
    for (int64_t i = 0; i < n && !c->found; i++) {
        int64_t v = *(const int64_t *)(p[0] + i * st[0]);
        bool ok = (v >= c->base && v - c->base < c->size) ||
                  (c->negatives && v < 0 && v >= -c->size);
        if (!ok)
            c->found = true, c->bad = v;
    }
}

/* An int64 index whose values all address one of `size` slices. */
static bool index_valid(const char *fn, const Tensor *index, int64_t size, int64_t base,
                        bool negatives)
{
    if (index->dtype != DTYPE_INT64) {
        tensor_fail("%s: the index must be an int64 tensor, got %s", fn, dtype_name(index->dtype));
        return false;
    }
    IndexCheck c = {base, size, negatives, false, 0};
    iter_run(1, (Tensor *[]){(Tensor *)index}, index->ndim, index->shape, check_loop, &c, false);
    if (c.found)
        tensor_fail("%s: index %lld out of range for a dim of size %lld", fn, (long long)c.bad,
                    (long long)size);
    return !c.found;
}

/* ---- laying tensors over an iteration space --------------------------------------- */

/* Scalars index like 1-D tensors of one element. */
static Tensor *as_vector(const Tensor *t)
{
    return t->ndim == 0 ? tensor_view(t, 1, (const int64_t[]){1}) : tensor_alias(t);
}

/* t over `shape` (no larger than t outside dim d) with dim d pinned to slice 0. */
static Tensor *pin_dim(const Tensor *t, const int64_t *shape, int d)
{
    int64_t stride[TENSOR_MAX_DIMS];
    memcpy(stride, t->stride, sizeof stride);
    stride[d] = 0;
    return tensor_as_strided(t, t->ndim, shape, stride, t->offset);
}

/* A list of slices (1-D or 0-D index) spread along dim d of `shape`. */
static Tensor *spread_index(const Tensor *index, int ndim, const int64_t *shape, int d)
{
    int64_t stride[TENSOR_MAX_DIMS] = {0};
    stride[d] = index->ndim ? index->stride[0] : 0;
    return tensor_as_strided(index, ndim, shape, stride, index->offset);
}

static bool index_is_list(const char *fn, const Tensor *index)
{
    if (index->ndim > 1)
        tensor_fail("%s: the index must be 1-D, got %d-D", fn, index->ndim);
    return index->ndim <= 1;
}

static IndexCtx index_ctx(const Tensor *t, int d, int64_t base)
{
    return (IndexCtx){base, t->shape[d], t->stride[d] * (int64_t)dtype_size(t->dtype), {0}};
}

/* Runs loop over (a, b[, c]) in the space of a's shape; a NULL operand means
 * an earlier step failed.  Takes over the references to b and c. */
static int index_run(LoopFn loop, int narg, Tensor *a, Tensor *b, Tensor *c, IndexCtx *ctx,
                     bool parallel)
{
    int status = -1;
    if (a && b && (narg == 2 || c)) {
        Tensor *args[3] = {a, b, c};
        iter_run(narg, args, a->ndim, a->shape, loop, ctx, parallel);
        status = 0;
    }
    tensor_release(b), tensor_release(c);
    return status;
}

/* ---- reading ------------------------------------------------------------------------ */

/* index_select along dim 0 of a contiguous tensor copies whole rows: one
 * memcpy each instead of the strided loop's index lookup per element (a
 * DataLoader batch of 100 Fashion-MNIST images: 10 us instead of 1 ms). */
static void copy_rows(const Tensor *t, const Tensor *index, int64_t base, Tensor *out)
{
    int64_t n = tensor_numel(index), step = index->ndim ? index->stride[0] : 0;
    size_t row = (size_t)(t->shape[0] ? tensor_numel(t) / t->shape[0] : 0) * dtype_size(t->dtype);
    const int64_t *idx = (const int64_t *)index->storage->data + index->offset;
    const char *src = tensor_data(t);
    char *dst = tensor_data(out);
    /* Copying is bound by memory bandwidth: threads only pay on large gathers. */
    #pragma omp parallel for if ((int64_t)row * n > ((int64_t)1 << 22)) schedule(static)
    for (int64_t k = 0; k < n; k++)
        memcpy(dst + (size_t)k * row, src + (size_t)(idx[k * step] - base) * row, row);
}

Tensor *tensor_index_select(const Tensor *t, int dim, const Tensor *index, int64_t base)
{
    Tensor *tv = as_vector(t), *out = NULL;
    int d = tv ? tensor_wrap_dim("index_select", dim, tv->ndim) : -1;
    if (d >= 0 && index_is_list("index_select", index) &&
        index_valid("index_select", index, tv->shape[d], base, false)) {
        int64_t shape[TENSOR_MAX_DIMS];
        memcpy(shape, tv->shape, sizeof shape);
        shape[d] = tensor_numel(index);
        out = tensor_empty(tv->ndim, shape, t->dtype);
        IndexCtx c = index_ctx(tv, d, base);
        if (out && d == 0 && tensor_is_contiguous(tv) && tensor_numel(out) > 0)
            copy_rows(tv, index, base, out);
        else if (out && index_run(read_loops[dtype_size(t->dtype)], 3, out, pin_dim(tv, shape, d),
                             spread_index(index, tv->ndim, shape, d), &c, true) < 0)
            tensor_release(out), out = NULL;
    }
    tensor_release(tv);
    return out;
}

/* index's shape fits self (and src) as gather and scatter require. */
static bool index_fits(const char *fn, const Tensor *index, const Tensor *self,
                       const Tensor *src, int d)
{
    bool ok = index->ndim == self->ndim && (!src || src->ndim == self->ndim);
    for (int i = 0; ok && i < index->ndim; i++)
        ok = (i == d || index->shape[i] <= self->shape[i]) &&
             (!src || index->shape[i] <= src->shape[i]);
    if (!ok) {
        char s1[128], s2[128], s3[128];
        tensor_fail("%s: an index of shape %s does not fit self of shape %s%s%s (it must have "
                    "as many dims and be no larger, except along the indexed dim of self)", fn,
                    tensor_shape_str(index, s1, sizeof s1), tensor_shape_str(self, s2, sizeof s2),
                    src ? " and source of shape " : "",
                    src ? tensor_shape_str(src, s3, sizeof s3) : "");
    }
    return ok;
}

Tensor *tensor_gather(const Tensor *t, int dim, const Tensor *index, int64_t base)
{
    Tensor *tv = as_vector(t), *iv = as_vector(index), *out = NULL;
    int d = tv && iv ? tensor_wrap_dim("gather", dim, tv->ndim) : -1;
    if (d >= 0 && index_fits("gather", iv, tv, NULL, d) &&
        index_valid("gather", iv, tv->shape[d], base, false)) {
        out = tensor_empty(index->ndim, index->shape, t->dtype);
        Tensor *ov = out ? as_vector(out) : NULL;
        IndexCtx c = index_ctx(tv, d, base);
        if (ov)
            tensor_retain(iv);
        if (!ov || index_run(read_loops[dtype_size(t->dtype)], 3, ov, pin_dim(tv, iv->shape, d),
                             iv, &c, true) < 0)
            tensor_release(out), out = NULL;
        tensor_release(ov);
    }
    tensor_release(tv), tensor_release(iv);
    return out;
}

Tensor *tensor_take(const Tensor *t, const Tensor *index, int64_t base)
{
    int64_t n = tensor_numel(t);
    if (!index_valid("take", index, n, base, true))
        return NULL;
    Tensor *flat = tensor_is_contiguous(t) ? tensor_alias(t) : tensor_clone(t);
    Tensor *out = flat ? tensor_empty(index->ndim, index->shape, t->dtype) : NULL;
    int64_t zero[TENSOR_MAX_DIMS] = {0};
    IndexCtx c = {base, n, (int64_t)dtype_size(t->dtype), {0}};
    if (out) {
        tensor_retain((Tensor *)index);
        if (index_run(read_loops[dtype_size(t->dtype)], 3, out,
                      tensor_as_strided(flat, index->ndim, index->shape, zero, flat->offset),
                      (Tensor *)index, &c, true) < 0)
            tensor_release(out), out = NULL;
    }
    tensor_release(flat);
    return out;
}

/* ---- writing ------------------------------------------------------------------------ */

/* A source for an in-place write: src itself, or a copy when it shares t's
 * memory (reading and writing one storage could read what was just written). */
static Tensor *write_source(const char *fn, const Tensor *t, const Tensor *src)
{
    if (src->dtype != t->dtype)
        return tensor_fail("%s: the source has dtype %s but self has %s", fn,
                           dtype_name(src->dtype), dtype_name(t->dtype));
    return src->storage == t->storage ? tensor_clone(src) : tensor_alias(src);
}

/* The scatter family: dst[index] (op) src or value, over index's shape. */
static int scatter_run(const char *fn, Tensor *t, int dim, const Tensor *index, const Tensor *src,
                       const double *value, LoopFn loop, int64_t base)
{
    if (!tensor_begin_write(fn, t))
        return -1;
    Tensor *tv = as_vector(t), *iv = as_vector(index), *sv = NULL, *dst = NULL;
    int status = -1;
    int d = tv && iv ? tensor_wrap_dim(fn, dim, tv->ndim) : -1;
    if (src)
        sv = d >= 0 ? write_source(fn, t, src) : NULL;
    Tensor *svv = sv ? as_vector(sv) : NULL;
    if (d < 0 || (src && !svv) || !index_fits(fn, iv, tv, svv, d) ||
        !index_valid(fn, iv, tv->shape[d], base, false))
        goto done;
    IndexCtx c = index_ctx(tv, d, base);
    dtype_store(t->dtype, c.value, value ? *value : 1);   /* without a value: add's alpha */
    dst = pin_dim(tv, iv->shape, d);
    tensor_retain(iv);
    if (!src) {
        status = index_run(loop, 2, dst, iv, NULL, &c, false);
    } else {
        Tensor *s = tensor_as_strided(svv, iv->ndim, iv->shape, svv->stride, svv->offset);
        status = index_run(loop, 3, dst, s, iv, &c, false);
    }
done:
    tensor_release(dst), tensor_release(svv), tensor_release(sv);
    tensor_release(tv), tensor_release(iv);
    return status;
}

int tensor_scatter_(Tensor *t, int dim, const Tensor *index, const Tensor *src, int64_t base)
{
    return scatter_run("scatter_", t, dim, index, src, NULL, write_loops[dtype_size(t->dtype)],
                       base);
}

int tensor_scatter_value_(Tensor *t, int dim, const Tensor *index, double value, int64_t base)
{
    return scatter_run("scatter_", t, dim, index, NULL, &value, fill_loops[dtype_size(t->dtype)],
                       base);
}

int tensor_scatter_add_(Tensor *t, int dim, const Tensor *index, const Tensor *src,
                        int64_t base)
{
    return scatter_run("scatter_add_", t, dim, index, src, NULL, add_loops[t->dtype], base);
}

/* The index family: slices index[i] of dst (op) slice i of src, or value. */
static int index_slices(const char *fn, Tensor *t, int dim, const Tensor *index, const Tensor *src,
                        double value, LoopFn loop, int64_t base, bool negatives)
{
    if (!tensor_begin_write(fn, t) || !index_is_list(fn, index))
        return -1;
    Tensor *tv = as_vector(t), *sv = NULL, *svv = NULL;
    int status = -1;
    int d = tv ? tensor_wrap_dim(fn, dim, tv->ndim) : -1;
    int64_t shape[TENSOR_MAX_DIMS], k = tensor_numel(index);
    if (d < 0 || !index_valid(fn, index, tv->shape[d], base, negatives))
        goto done;
    memcpy(shape, tv->shape, sizeof shape);
    shape[d] = k;
    if (src) {
        sv = write_source(fn, t, src);
        svv = sv ? as_vector(sv) : NULL;
        if (!svv)
            goto done;
        if (svv->ndim != tv->ndim ||
            memcmp(svv->shape, shape, (size_t)tv->ndim * sizeof shape[0]) != 0) {
            char s1[128], s2[128], s3[128];
            tensor_fail("%s: the source must have shape %s (self's %s with the indexed dim "
                        "sized by the %lld indices), got %s", fn,
                        shape_str(tv->ndim, shape, s1, sizeof s1),
                        tensor_shape_str(tv, s2, sizeof s2), (long long)k,
                        tensor_shape_str(src, s3, sizeof s3));
            goto done;
        }
    }
    IndexCtx c = index_ctx(tv, d, base);
    dtype_store(t->dtype, c.value, value);
    Tensor *dst = pin_dim(tv, shape, d), *spread = spread_index(index, tv->ndim, shape, d);
    if (src) {
        tensor_retain(svv);
        status = index_run(loop, 3, dst, svv, spread, &c, false);
    } else {
        status = index_run(loop, 2, dst, spread, NULL, &c, false);
    }
    tensor_release(dst);
done:
    tensor_release(svv), tensor_release(sv), tensor_release(tv);
    return status;
}

int tensor_index_add_(Tensor *t, int dim, const Tensor *index, const Tensor *src, double alpha,
                      int64_t base)
{
    return index_slices("index_add_", t, dim, index, src, alpha, add_loops[t->dtype], base, false);
}

int tensor_index_copy_(Tensor *t, int dim, const Tensor *index, const Tensor *src, int64_t base)
{
    return index_slices("index_copy_", t, dim, index, src, 0, write_loops[dtype_size(t->dtype)],
                        base, false);
}

int tensor_index_fill_(Tensor *t, int dim, const Tensor *index, double value, int64_t base)
{
    return index_slices("index_fill_", t, dim, index, NULL, value,
                        fill_loops[dtype_size(t->dtype)], base, true);
}
