/*
 * copy.c — copying between tensors, converting dtype on the way.
 *
 * Every copy is one strided loop run by iter_run over (dst, src expanded to
 * dst's shape), so broadcasting, views and threads come for free.  The loops
 * are a 5x5 table, one per (dst, src) dtype pair, stamped out by a macro
 * from one template; the conversion rules are C casts as in PyTorch's
 * c10::convert, except that float -> uint8 goes through int64 (so -1.0 gives
 * 255 rather than undefined behaviour), float -> int64 of NaN, Inf or a value
 * out of range gives INT64_MIN (x86's answer, made defined) and anything ->
 * bool is `!= 0`.  The
 * common case of a contiguous copy of one dtype is a single memmove (a memcpy
 * that also allows two overlapping views of one storage).
 */
#include "tensor/tensor.h"

#include <omp.h>
#include <string.h>

/* The conversion of a value `x` into each destination type. */
#define CAST_FLOAT32(x) ((float)(x))
#define CAST_FLOAT64(x) ((double)(x))
#define CAST_INT64(x) DTYPE_TO_INT64(x)
#define CAST_UINT8(x) ((uint8_t)DTYPE_TO_INT64(x))
#define CAST_BOOL(x) ((uint8_t)((x) != 0))

/* X(dst dtype, dst C type, src dtype, src C type) for every pair. */
#define PAIRS_FROM(X, D, TD)                                                             \
    X(D, TD, FLOAT32, float) X(D, TD, FLOAT64, double) X(D, TD, INT64, int64_t)          \
    X(D, TD, UINT8, uint8_t) X(D, TD, BOOL, uint8_t)
#define ALL_PAIRS(X)                                                                     \
    PAIRS_FROM(X, FLOAT32, float) PAIRS_FROM(X, FLOAT64, double)                         \
    PAIRS_FROM(X, INT64, int64_t) PAIRS_FROM(X, UINT8, uint8_t) PAIRS_FROM(X, BOOL, uint8_t)

/* The dense branch is a plain indexed loop marked `omp simd`, which makes
 * GCC vectorise it at -O2 too (its -O2 cost model otherwise declines loops
 * of unknown length).  That promise of independent iterations holds because
 * tensor_copy_ never runs a loop over overlapping operands. */
#define DEFINE_CONVERT(D, TD, S, TS)                                                     \
    static void convert_##D##_##S(char **p, const int64_t *st, int64_t n, void *ctx)      \
    {                                                                                    \
        TD *dst = (TD *)p[0];                                                            \
        const TS *src = (const TS *)p[1];                                                \
        if (st[0] == sizeof(TD) && st[1] == sizeof(TS)) {                                \
            _Pragma("omp simd")                                                          \
            for (int64_t i = 0; i < n; i++)                                              \
                dst[i] = CAST_##D(src[i]);                                               \
        } else {                                                                         \
            for (int64_t i = 0; i < n; i++)                                              \
                *(TD *)(p[0] + i * st[0]) = CAST_##D(*(const TS *)(p[1] + i * st[1]));   \
        }                                                                                \
    }
ALL_PAIRS(DEFINE_CONVERT)

#define CONVERT_ENTRY(D, TD, S, TS) [DTYPE_##D][DTYPE_##S] = convert_##D##_##S,
static const LoopFn convert_loops[DTYPE_COUNT][DTYPE_COUNT] = {ALL_PAIRS(CONVERT_ENTRY)};

static bool copy_same_view(const Tensor *a, const Tensor *b)
{
    return a->storage == b->storage && a->offset == b->offset && a->dtype == b->dtype &&
           tensor_same_shape(a, b) &&
           memcmp(a->stride, b->stride, (size_t)a->ndim * sizeof a->stride[0]) == 0;
}

/* One memcpy per thread when the buffers are large and cannot overlap (one
 * core alone does not saturate memory bandwidth); memmove otherwise. */
static void copy_bytes(char *dst, const char *src, size_t n, bool disjoint)
{
    if (!disjoint || n < (size_t)PARALLEL_GRAIN * 32) {
        if (n > 0)
            memmove(dst, src, n);
        return;
    }
#pragma omp parallel
    {
        size_t threads = (size_t)omp_get_num_threads(), me = (size_t)omp_get_thread_num();
        size_t chunk = (n + threads - 1) / threads;
        size_t start = me * chunk, end = start + chunk < n ? start + chunk : n;
        if (start < end)
            memcpy(dst + start, src + start, end - start);
    }
}

int tensor_copy_(Tensor *dst, const Tensor *src)
{
    if (!tensor_begin_write("copy_", dst))
        return -1;
    if (copy_same_view(dst, src))
        return 0;
    if (dst->dtype == src->dtype && tensor_same_shape(dst, src) && tensor_is_contiguous(dst) &&
        tensor_is_contiguous(src)) {
        copy_bytes(tensor_data(dst), tensor_data(src), (size_t)tensor_numel(dst) * dtype_size(dst->dtype),
                   dst->storage != src->storage);
        return 0;
    }
    Tensor *s = tensor_expand(src, dst->ndim, dst->shape);
    if (!s) {
        char a[128], b[128];
        tensor_fail("copy_: a source of shape %s cannot be broadcast to the destination's "
                    "shape %s", tensor_shape_str(src, a, sizeof a),
                    tensor_shape_str(dst, b, sizeof b));
        return -1;
    }
    /* Reading and writing one storage through different views could read
     * elements already overwritten, so copy the source aside first. */
    if (s->storage == dst->storage) {
        Tensor *aside = tensor_clone(s);
        tensor_release(s);
        if (!aside)
            return -1;
        s = aside;
    }
    Tensor *args[2] = {dst, s};
    iter_run(2, args, dst->ndim, dst->shape, convert_loops[dst->dtype][s->dtype], NULL, true);
    tensor_release(s);
    return 0;
}

Tensor *tensor_clone(const Tensor *t)
{
    return tensor_to_dtype(t, t->dtype);
}

Tensor *tensor_to_dtype(const Tensor *t, DType dt)
{
    Tensor *c = tensor_empty(t->ndim, t->shape, dt);
    if (c && tensor_copy_(c, t) < 0) {
        tensor_release(c);
        return NULL;
    }
    return c;
}

Tensor *tensor_contiguous(Tensor *t)
{
    if (!tensor_is_contiguous(t))
        return tensor_clone(t);
    tensor_retain(t);
    return t;
}

/* The value is converted once into `bytes`; the loop only stores it. */
typedef struct {
    unsigned char bytes[8];
    size_t size;
} FillValue;

static void fill_loop(char **p, const int64_t *st, int64_t n, void *ctx)
{
    const FillValue *f = ctx;
    if (f->size == 1 && st[0] == 1) {
        memset(p[0], f->bytes[0], (size_t)n);
    } else if (f->size == 4) {
        uint32_t v;
        memcpy(&v, f->bytes, 4);
        for (int64_t i = 0; i < n; i++)
            *(uint32_t *)(p[0] + i * st[0]) = v;
    } else if (f->size == 8) {
        uint64_t v;
        memcpy(&v, f->bytes, 8);
        for (int64_t i = 0; i < n; i++)
            *(uint64_t *)(p[0] + i * st[0]) = v;
    } else {
        for (int64_t i = 0; i < n; i++)
            p[0][i * st[0]] = (char)f->bytes[0];
    }
}

int tensor_fill_(Tensor *t, double value)
{
    if (!tensor_begin_write("fill_", t))
        return -1;
    FillValue f = {.size = dtype_size(t->dtype)};
    dtype_store(t->dtype, f.bytes, value);
    Tensor *args[1] = {t};
    iter_run(1, args, t->ndim, t->shape, fill_loop, &f, true);
    return 0;
}
