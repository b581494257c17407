/*
 * embedding.c — embedding lookups: a gather of rows forward, an add of rows
 * backward.
 *
 * Both work on whole rows of D contiguous elements, so the forward is one
 * memcpy per index (split across threads by index).  The backward's adds
 * collide when an index repeats, and most rows of the result (all those no
 * index names) are zeros.  So it first groups the index positions by the
 * row they name (a counting sort, each group in index order), then writes
 * every row of the result once, in order, split across threads by row:
 * zeros, plus its group's gradient rows.  Every row sums its contributions
 * in index order whatever the thread count, so the result is deterministic
 * and equal to the serial reference (zeros, then one add per index) bit for
 * bit, and the result is written in one pass instead of zero-filled and then
 * touched at random.  Indices are checked before anything is written.  The
 * backward reads the gradient's rows through their strides when its index
 * dims fold into one (as they do for the expanded gradient of a sum), so
 * that it is never copied.
 */
#include "tensor/embedding.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/simd.h"

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

/* The gradient (indices' shape..., D) as n rows: row i at element offset
 * i * rs, its elements cs apart; false when its index dims do not fold into
 * one stride. */
static bool grad_rows(const Tensor *g, int64_t *rs, int64_t *cs)
{
    int64_t rows = 1;   /* how many rows the dims after d make */
    *cs = g->stride[g->ndim - 1];
    *rs = 0;
    for (int d = g->ndim - 2; d >= 0; d--) {
        if (g->shape[d] == 1)
            continue;
        if (rows == 1)
            *rs = g->stride[d];
        else if (g->stride[d] != *rs * rows)
            return false;
        rows *= g->shape[d];
    }
    return true;
}

/* The checks and the (uninitialised) result of a backward; *idx
 * contiguous, *g readable as rows (grad_rows). */
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
    int64_t rs, cs;
    *idx = embedding_indices(fn, indices, num_weights, base);
    if (*idx && grad_rows(grad, &rs, &cs))
        tensor_retain(*g = (Tensor *)grad);
    else
        *g = *idx ? tensor_contiguous((Tensor *)grad) : NULL;
    Tensor *out = *g ? tensor_empty(2, (const int64_t[]){num_weights, grad->shape[grad->ndim - 1]},
                                    grad->dtype)
                     : NULL;
    if (!out) {
        tensor_release(*g);
        tensor_release(*idx);
    }
    return out;
}

/* The index positions grouped by the row they name, each group in index
 * order: row r's are order[first[r] .. first[r + 1]).  One malloc'd block
 * (first), order pointing into it; NULL when out of memory. */
static int64_t *group_by_row(const int64_t *v, int64_t n, int64_t rows, int64_t base,
                             int64_t **order)
{
    int64_t *first = calloc((size_t)(rows + 2 + n), sizeof *first);
    if (!first)
        return tensor_fail("embedding_backward: out of memory");
    *order = first + rows + 2;
    for (int64_t i = 0; i < n; i++)
        first[v[i] - base + 2]++;
    for (int64_t r = 2; r <= rows + 1; r++)   /* first[r + 1]: where row r's group starts */
        first[r] += first[r - 1];
    for (int64_t i = 0; i < n; i++)           /* ... and, once filled, where it ends */
        (*order)[first[v[i] - base + 1]++] = i;
    return first;
}

/* Rows r0..r1-1 of out = zeros + the gradient rows of their groups (row i
 * of g at i * rs, its elements cs apart: one value for a sum's gradient,
 * cs = 0), or zeros for the padding row. */
#define DEFINE_ROW_SUMS(T)                                                                        \
    SIMD_CLONES static void row_sums_##T(T *out, const T *g, int64_t rs, int64_t cs,              \
                                         const int64_t *first, const int64_t *order, int64_t r0,  \
                                         int64_t r1, int64_t dim, int64_t pad)                    \
    {                                                                                             \
        for (int64_t r = r0; r < r1; r++) {                                                       \
            T *restrict dst = out + r * dim;                                                      \
            _Pragma("omp simd") for (int64_t c = 0; c < dim; c++)                                 \
                dst[c] = 0;                                                                       \
            for (int64_t k = first[r]; k < first[r + 1] && r != pad; k++) {                       \
                const T *restrict src = g + order[k] * rs;                                        \
                if (cs == 0) {                                                                    \
                    T value = src[0];                                                             \
                    _Pragma("omp simd") for (int64_t c = 0; c < dim; c++)                         \
                        dst[c] += value;                                                          \
                } else if (cs == 1) {                                                             \
                    _Pragma("omp simd") for (int64_t c = 0; c < dim; c++)                         \
                        dst[c] += src[c];                                                         \
                } else {                                                                          \
                    _Pragma("omp simd") for (int64_t c = 0; c < dim; c++)                         \
                        dst[c] += src[c * cs];                                                    \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
    }
DEFINE_ROW_SUMS(float)
DEFINE_ROW_SUMS(double)

/* Writes all of out (num_weights, dim) from g's rows and their indices. */
typedef int (*RowSumsFn)(Tensor *out, const Tensor *g, const int64_t *v, int64_t n, int64_t base,
                         int64_t pad);

/* Each thread writes one block of consecutive rows. */
static int row_sums_grouped(Tensor *out, const Tensor *g, const int64_t *v, int64_t n, int64_t base,
                            int64_t pad)
{
    int64_t rows = out->shape[0], dim = out->shape[1], rs, cs, *order = NULL;
    int64_t *first = group_by_row(v, n, rows, base, &order);
    if (!first)
        return -1;
    grad_rows(g, &rs, &cs);
    bool f32 = out->dtype == DTYPE_FLOAT32;
#pragma omp parallel if (rows * dim >= PARALLEL_GRAIN)
    {
        int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
        int64_t r0 = rows * t / nt, r1 = rows * (t + 1) / nt;
        if (f32)
            row_sums_float(tensor_data(out), tensor_data(g), rs, cs, first, order, r0, r1, dim, pad);
        else
            row_sums_double(tensor_data(out), tensor_data(g), rs, cs, first, order, r0, r1, dim, pad);
    }
    free(first);
    return 0;
}

/* The reference: zeros, then one element at a time through dtype_load/dtype_store. */
static int row_sums_serial(Tensor *out, const Tensor *g, const int64_t *v, int64_t n, int64_t base,
                           int64_t pad)
{
    int64_t dim = out->shape[1], rs, cs;
    size_t es = dtype_size(out->dtype);
    memset(tensor_data(out), 0, (size_t)tensor_numel(out) * es);
    grad_rows(g, &rs, &cs);
    for (int64_t i = 0; i < n; i++) {
        for (int64_t c = 0; c < dim && v[i] - base != pad; c++) {
            char *dst = (char *)tensor_data(out) + (size_t)((v[i] - base) * dim + c) * es;
            const char *src = (const char *)tensor_data(g) + (size_t)(i * rs + c * cs) * es;
            dtype_store(out->dtype, dst, dtype_load(out->dtype, dst) + dtype_load(g->dtype, src));
        }
    }
    return 0;
}

static Tensor *embedding_backward_run(const Tensor *grad, const Tensor *indices, int64_t num_weights,
                                      int64_t padding_idx, int64_t base, RowSumsFn sums)
{
    Tensor *idx, *g;
    Tensor *out = embedding_backward_setup(grad, indices, num_weights, padding_idx, base, &idx, &g);
    if (!out)
        return NULL;
    if (sums(out, g, tensor_data(idx), tensor_numel(idx), base, padding_idx) < 0) {
        tensor_release(out);
        out = NULL;
    }
    tensor_release(g);
    tensor_release(idx);
    return out;
}

Tensor *tensor_embedding_backward(const Tensor *grad, const Tensor *indices, int64_t num_weights,
                                  int64_t padding_idx, int64_t base)
{
    return embedding_backward_run(grad, indices, num_weights, padding_idx, base, row_sums_grouped);
}

Tensor *tensor_embedding_backward_ref(const Tensor *grad, const Tensor *indices,
                                      int64_t num_weights, int64_t padding_idx, int64_t base)
{
    return embedding_backward_run(grad, indices, num_weights, padding_idx, base, row_sums_serial);
}
