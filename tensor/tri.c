/*
 * tri.c — triangles and diagonals of matrices: tril_, triu_, diagonal and
 * diag.
 *
 * diagonal is a pure view: stepping one row and one column at once is a
 * stride of (row stride + column stride), so the diagonal of any view costs
 * nothing and writes through it reach the matrix.  diag builds on it (a copy
 * of that view, or a zero matrix whose diagonal view receives a vector).
 * tril_/triu_ clear the other triangle row by row; zero is all-zero bytes in
 * every dtype, so one memset-based loop serves them all.
 */
#include "tensor/tensor.h"

#include <string.h>

/* Zeroes n elements of es bytes, `step` bytes apart. */
static void zero_run(char *p, int64_t n, int64_t step, int64_t es)
{
    if (step == es) {
        memset(p, 0, (size_t)(n * es));
        return;
    }
    for (int64_t i = 0; i < n; i++)
        memset(p + i * step, 0, (size_t)es);
}

/* Keeps the triangle on and below (lower) or above diagonal k of every
 * matrix in the last two dims; the rest becomes zero. */
static int tri_keep(const char *fn, Tensor *t, int64_t k, bool lower)
{
    if (t->ndim < 2) {
        tensor_fail("%s: expected a tensor with at least 2 dims, got %d-D", fn, t->ndim);
        return -1;
    }
    if (!tensor_begin_write(fn, t))
        return -1;
    int nb = t->ndim - 2;
    int64_t rows = t->shape[nb], cols = t->shape[nb + 1], es = (int64_t)dtype_size(t->dtype);
    int64_t s0 = t->stride[nb] * es, s1 = t->stride[nb + 1] * es;
    if (tensor_numel(t) == 0)
        return 0;
    /* Beyond these bounds k changes nothing; clamping keeps i + k in range. */
    k = k < -rows ? -rows : k > cols ? cols : k;
    int64_t batches = tensor_numel(t) / (rows * cols), idx[TENSOR_MAX_DIMS] = {0}, off = 0;
    char *base = tensor_data(t);
    for (int64_t b = 0; b < batches; b++) {
        for (int64_t i = 0; i < rows; i++) {
            /* Zero columns [lo, hi) of row i. */
            int64_t edge = lower ? i + k + 1 : i + k;
            edge = edge < 0 ? 0 : edge > cols ? cols : edge;
            int64_t lo = lower ? edge : 0, hi = lower ? cols : edge;
            zero_run(base + off * es + i * s0 + lo * s1, hi - lo, s1, es);
        }
        walk_next(nb, t->shape, idx, 1, (const int64_t *[]){t->stride}, &off);
    }
    return 0;
}

int tensor_tril_(Tensor *t, int64_t k)
{
    return tri_keep("tril_", t, k, true);
}

int tensor_triu_(Tensor *t, int64_t k)
{
    return tri_keep("triu_", t, k, false);
}

Tensor *tensor_diagonal(const Tensor *t, int64_t offset, int d1, int d2)
{
    int a = tensor_wrap_dim("diagonal", d1, t->ndim);
    int b = a < 0 ? -1 : tensor_wrap_dim("diagonal", d2, t->ndim);
    if (b < 0)
        return NULL;
    if (a == b)
        return tensor_fail("diagonal: dim1 and dim2 must differ, both are %d", d1);
    int64_t n1 = t->shape[a], n2 = t->shape[b], len, start = t->offset;
    if (offset >= 0) {
        len = offset >= n2 ? 0 : (n1 < n2 - offset ? n1 : n2 - offset);
        start += len > 0 ? offset * t->stride[b] : 0;
    } else {
        len = -offset >= n1 ? 0 : (n1 + offset < n2 ? n1 + offset : n2);
        start += len > 0 ? -offset * t->stride[a] : 0;
    }
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < t->ndim; d++)
        if (d != a && d != b)
            shape[n] = t->shape[d], stride[n++] = t->stride[d];
    shape[n] = len, stride[n++] = t->stride[a] + t->stride[b];
    return tensor_as_strided(t, n, shape, stride, start);
}

Tensor *tensor_diag(const Tensor *t, int64_t offset)
{
    if (t->ndim == 2) {
        Tensor *v = tensor_diagonal(t, offset, 0, 1);
        Tensor *out = v ? tensor_clone(v) : NULL;
        tensor_release(v);
        return out;
    }
    if (t->ndim != 1)
        return tensor_fail("diag: expected a 1-D or 2-D tensor, got %d-D", t->ndim);
    if (offset > INT32_MAX || offset < -INT32_MAX)
        return tensor_fail("diag: offset %lld is too large", (long long)offset);
    int64_t n = t->shape[0] + (offset < 0 ? -offset : offset);
    Tensor *out = tensor_zeros(2, (const int64_t[]){n, n}, t->dtype);
    Tensor *v = out ? tensor_diagonal(out, offset, 0, 1) : NULL;
    if (!v || tensor_copy_(v, t) < 0)
        tensor_release(out), out = NULL;
    tensor_release(v);
    return out;
}
