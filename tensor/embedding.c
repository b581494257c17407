/*
 * embedding.c — embedding lookups: a gather of rows forward, an add of rows
 * backward.
 *
 * Both work on whole rows of D contiguous elements, so the forward is one
 * memcpy per index (split across threads by index) and the backward one
 * vector add per index.  The backward's adds collide when an index repeats;
 * instead of atomics or per-thread tables, each thread owns the output rows
 * r with r % nthreads == its number and walks the whole index list, adding
 * only into its own rows.  Every row then sums its contributions in index
 * order whatever the thread count, so the result is deterministic and equal
 * to the serial reference bit for bit.  Indices are checked before anything
 * is written.
 */
#include "tensor/embedding.h"

#include <omp.h>
#include <string.h>

/* indices as a contiguous int64 tensor whose values all name a row; NULL
 * with "embedding: index 11 out of range for num_embeddings 10 (...)". */
static Tensor *embedding_indices(const char *fn, const Tensor *indices, int64_t rows, int64_t base)
{
    if (indices->dtype != DTYPE_INT64)
        return tensor_fail("%s: expected int64 indices, got %s", fn, dtype_name(indices->dtype));
    Tensor *idx = tensor_contiguous((Tensor *)indices);
    if (!idx)
        return NULL;
    const int64_t *v = tensor_data(idx);
    for (int64_t i = 0, n = tensor_numel(idx); i < n; i++) {
        if (v[i] < base || v[i] - base >= rows) {
            tensor_fail("%s: index %lld out of range for num_embeddings %lld (indices are "
                        "%lld..%lld)", fn, (long long)v[i], (long long)rows, (long long)base,
                        (long long)(base + rows - 1));
            tensor_release(idx);
            return NULL;
        }
    }
    return idx;
}

/* indices' shape with `last` appended; false when that is too many dims. */
static bool embedding_shape(const char *fn, const Tensor *indices, int64_t last, int64_t *shape)
{
    if (indices->ndim + 1 > TENSOR_MAX_DIMS) {
        tensor_fail("%s: indices with %d dims are too many (at most %d)", fn, indices->ndim,
                    TENSOR_MAX_DIMS - 1);
        return false;
    }
    memcpy(shape, indices->shape, (size_t)indices->ndim * sizeof shape[0]);
    shape[indices->ndim] = last;
    return true;
}

Tensor *tensor_embedding(const Tensor *weight, const Tensor *indices, int64_t base)
{
    char buf[128];
    if (weight->ndim != 2)
        return tensor_fail("embedding: expected a 2-D weight (num_embeddings x embedding_dim), "
                           "got %s", tensor_shape_str(weight, buf, sizeof buf));
    int64_t shape[TENSOR_MAX_DIMS], rows = weight->shape[0], dim = weight->shape[1];
    if (!embedding_shape("embedding", indices, dim, shape))
        return NULL;
    Tensor *idx = embedding_indices("embedding", indices, rows, base);
    Tensor *w = idx ? tensor_contiguous((Tensor *)weight) : NULL;
    Tensor *out = w ? tensor_empty(indices->ndim + 1, shape, weight->dtype) : NULL;
    if (out && tensor_numel(out) > 0) {
        const int64_t *v = tensor_data(idx);
        int64_t n = tensor_numel(idx);
        size_t row_bytes = (size_t)dim * dtype_size(weight->dtype);
        const char *src = tensor_data(w);
        char *dst = tensor_data(out);
#pragma omp parallel for schedule(static) if (n * dim >= PARALLEL_GRAIN)
        for (int64_t i = 0; i < n; i++)
            memcpy(dst + (size_t)i * row_bytes, src + (size_t)(v[i] - base) * row_bytes, row_bytes);
    }
    tensor_release(w);
    tensor_release(idx);
    return out;
}

/* The checks and the zeroed result of a backward; *idx and *g contiguous. */
static Tensor *embedding_backward_setup(const Tensor *grad, const Tensor *indices,
                                        int64_t num_weights, int64_t padding_idx, int64_t base,
                                        Tensor **idx, Tensor **g)
{
    const char *fn = "embedding_backward";
    char a[128], b[128];
    if (!dtype_is_floating(grad->dtype))
        return tensor_fail("%s: expected a floating gradient, got %s", fn, dtype_name(grad->dtype));
    bool fits = grad->ndim == indices->ndim + 1 &&
                memcmp(grad->shape, indices->shape, (size_t)indices->ndim * sizeof(int64_t)) == 0;
    if (!fits)
        return tensor_fail("%s: a gradient of shape %s does not fit indices of shape %s", fn,
                           tensor_shape_str(grad, a, sizeof a), tensor_shape_str(indices, b, sizeof b));
    if (num_weights < 0 || padding_idx < -1 || padding_idx >= num_weights)
        return tensor_fail("%s: padding_idx %lld out of range for num_embeddings %lld", fn,
                           (long long)padding_idx, (long long)num_weights);
    *idx = embedding_indices(fn, indices, num_weights, base);
    *g = *idx ? tensor_contiguous((Tensor *)grad) : NULL;
    Tensor *out = *g ? tensor_zeros(2, (const int64_t[]){num_weights, grad->shape[grad->ndim - 1]},
                                    grad->dtype)
                     : NULL;
    if (!out) {
        tensor_release(*g);
        tensor_release(*idx);
    }
    return out;
}

/* Adds row i of g into row v[i] - base of out, for the rows r with
 * r % stride == first. */
#define DEFINE_ROW_ADDS(T)                                                                \
    static void row_adds_##T(T *out, const T *g, const int64_t *v, int64_t n, int64_t dim, \
                             int64_t base, int64_t pad, int64_t first, int64_t stride)    \
    {                                                                                     \
        for (int64_t i = 0; i < n; i++) {                                                 \
            int64_t r = v[i] - base;                                                      \
            if (r == pad || r % stride != first)                                          \
                continue;                                                                 \
            T *dst = out + r * dim;                                                       \
            const T *src = g + i * dim;                                                   \
            for (int64_t c = 0; c < dim; c++)                                             \
                dst[c] += src[c];                                                         \
        }                                                                                 \
    }
DEFINE_ROW_ADDS(float)
DEFINE_ROW_ADDS(double)

/* Adds the rows of g (n x dim) into out at rows v[i] - base, skipping pad. */
typedef void (*RowAddsFn)(Tensor *out, const Tensor *g, const int64_t *v, int64_t n, int64_t base,
                          int64_t pad);

static void row_adds_threaded(Tensor *out, const Tensor *g, const int64_t *v, int64_t n,
                              int64_t base, int64_t pad)
{
    int64_t dim = out->shape[1];
    if (n == 0 || dim == 0)
        return;
    bool f32 = out->dtype == DTYPE_FLOAT32;
#pragma omp parallel if (n * dim >= PARALLEL_GRAIN)
    {
        int64_t first = omp_get_thread_num(), stride = omp_get_num_threads();
        if (f32)
            row_adds_float(tensor_data(out), tensor_data(g), v, n, dim, base, pad, first, stride);
        else
            row_adds_double(tensor_data(out), tensor_data(g), v, n, dim, base, pad, first, stride);
    }
}

/* The reference: one element at a time through dtype_load/dtype_store. */
static void row_adds_serial(Tensor *out, const Tensor *g, const int64_t *v, int64_t n, int64_t base,
                            int64_t pad)
{
    int64_t dim = out->shape[1];
    size_t es = dtype_size(out->dtype);
    for (int64_t i = 0; i < n; i++) {
        for (int64_t c = 0; c < dim && v[i] - base != pad; c++) {
            char *dst = (char *)tensor_data(out) + (size_t)((v[i] - base) * dim + c) * es;
            const char *src = (const char *)tensor_data(g) + (size_t)(i * dim + c) * es;
            dtype_store(out->dtype, dst, dtype_load(out->dtype, dst) + dtype_load(g->dtype, src));
        }
    }
}

static Tensor *embedding_backward_run(const Tensor *grad, const Tensor *indices, int64_t num_weights,
                                      int64_t padding_idx, int64_t base, RowAddsFn adds)
{
    Tensor *idx, *g;
    Tensor *out = embedding_backward_setup(grad, indices, num_weights, padding_idx, base, &idx, &g);
    if (!out)
        return NULL;
    adds(out, g, tensor_data(idx), tensor_numel(idx), base, padding_idx);
    tensor_release(g);
    tensor_release(idx);
    return out;
}

Tensor *tensor_embedding_backward(const Tensor *grad, const Tensor *indices, int64_t num_weights,
                                  int64_t padding_idx, int64_t base)
{
    return embedding_backward_run(grad, indices, num_weights, padding_idx, base, row_adds_threaded);
}

Tensor *tensor_embedding_backward_ref(const Tensor *grad, const Tensor *indices,
                                      int64_t num_weights, int64_t padding_idx, int64_t base)
{
    return embedding_backward_run(grad, indices, num_weights, padding_idx, base, row_adds_serial);
}
