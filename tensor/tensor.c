/*
 * tensor.c — creating tensors, their refcounts, and questions about shape.
 *
 * A Tensor is a small header (shape, strides, offset, dtype) over a
 * refcounted Storage; many tensors may share one storage, and a storage is
 * freed when its last tensor goes.  Everything here is O(ndim) except the
 * allocation itself.  Sizes from users pass through shape_check, which is the
 * one place that rejects negative sizes and int64 overflow.
 */
#include "tensor/tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool shape_check(int ndim, const int64_t *shape, int64_t *numel)
{
    if (ndim < 0 || ndim > TENSOR_MAX_DIMS) {
        tensor_fail("a tensor can have at most %d dims, got %d", TENSOR_MAX_DIMS, ndim);
        return false;
    }
    /* The product skips zeros: a 0 somewhere must not hide sizes whose
     * product overflows, since strides (and numel taken in another order)
     * multiply the other sizes anyway. */
    int64_t n = 1;
    bool empty = false;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0) {
            tensor_fail("negative size %lld in dim %d", (long long)shape[d], d + 1);
            return false;
        }
        empty |= shape[d] == 0;
        if (__builtin_mul_overflow(n, shape[d] ? shape[d] : 1, &n)) {
            tensor_fail("size overflows int64");
            return false;
        }
    }
    *numel = empty ? 0 : n;
    return true;
}

Tensor *tensor_header_new(void)
{
    Tensor *t = block_alloc(sizeof *t, false);
    return t ? t : tensor_fail("out of memory: cannot allocate a tensor header");
}

static void tensor_header_free(Tensor *t)
{
    block_free(t, sizeof *t);
}

static Tensor *tensor_alloc(int ndim, const int64_t *shape, DType dt, bool zero)
{
    int64_t numel;
    if (!shape_check(ndim, shape, &numel))
        return NULL;
    size_t nbytes;
    if (__builtin_mul_overflow((size_t)numel, dtype_size(dt), &nbytes))
        return tensor_fail("size overflows int64: %lld elements of %s", (long long)numel,
                           dtype_name(dt));
    void *header;
    Storage *s = storage_new_with_header(nbytes, zero, sizeof(Tensor), &header);
    if (!s)
        return NULL;
    Tensor *t = header ? header : tensor_header_new();
    if (!t) {
        storage_release(s);
        return NULL;
    }
    t->storage = s;
    t->offset = 0;
    t->ndim = ndim;
    t->dtype = dt;
    t->refcount = 1;
    t->base = NULL;
    t->autograd = NULL;
    int64_t stride = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        t->shape[d] = shape[d];
        t->stride[d] = stride;
        stride *= shape[d] > 1 ? shape[d] : 1;
    }
    return t;
}

Tensor *tensor_empty(int ndim, const int64_t *shape, DType dt)
{
    return tensor_alloc(ndim, shape, dt, false);
}

Tensor *tensor_zeros(int ndim, const int64_t *shape, DType dt)
{
    return tensor_alloc(ndim, shape, dt, true);
}

Tensor *tensor_scalar(double value, DType dt)
{
    Tensor *t = tensor_alloc(0, NULL, dt, false);
    if (t)
        dtype_store(dt, t->storage->data, value);
    return t;
}

void tensor_retain(Tensor *t)
{
    t->refcount++;
}

static void (*meta_release)(struct AgMeta *meta);

void tensor_set_meta_release(void (*release)(struct AgMeta *meta))
{
    meta_release = release;
}

void tensor_release(Tensor *t)
{
    if (!t || --t->refcount > 0)
        return;
    if (t->autograd)
        meta_release(t->autograd);
    tensor_release(t->base);
    Storage *s = t->storage;
    if ((void *)t != s->block)       /* else the header goes with its storage's block */
        tensor_header_free(t);
    storage_release(s);
}

bool tensor_begin_write(const char *fn, Tensor *t)
{
    t->storage->version++;
    for (int d = 0; d < t->ndim; d++) {
        if (t->stride[d] == 0 && t->shape[d] > 1) {
            char buf[128];
            tensor_fail("%s: the tensor written to is an expanded view (shape %s) whose "
                        "elements share memory; clone() it first",
                        fn, tensor_shape_str(t, buf, sizeof buf));
            return false;
        }
    }
    return true;
}

const char *shape_str(int ndim, const int64_t *shape, char *buf, size_t len)
{
    if (ndim == 0) {
        snprintf(buf, len, "[]");
        return buf;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (int d = 0; d < ndim && used < len; d++) {
        int n = snprintf(buf + used, len - used, d ? "x%lld" : "%lld", (long long)shape[d]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

const char *tensor_shape_str(const Tensor *t, char *buf, size_t len)
{
    return shape_str(t->ndim, t->shape, buf, len);
}

int tensor_wrap_dim(const char *fn, int dim, int ndim)
{
    if (dim < -ndim || dim >= ndim) {
        tensor_fail("%s: dim %d out of range for a %d-dim tensor", fn, dim, ndim);
        return -1;
    }
    return dim < 0 ? dim + ndim : dim;
}

static void *tensor_element(const Tensor *t, const int64_t *index)
{
    int64_t off = 0;
    for (int d = 0; d < t->ndim; d++)
        off += index[d] * t->stride[d];
    return (char *)tensor_data(t) + off * (int64_t)dtype_size(t->dtype);
}

double tensor_get(const Tensor *t, const int64_t *index)
{
    return dtype_load(t->dtype, tensor_element(t, index));
}

void tensor_set(Tensor *t, const int64_t *index, double v)
{
    dtype_store(t->dtype, tensor_element(t, index), v);
}

int tensor_item(const Tensor *t, double *out)
{
    int64_t n = tensor_numel(t);
    if (n != 1) {
        tensor_fail("item: a tensor with %lld elements cannot be converted to a number",
                    (long long)n);
        return -1;
    }
    int64_t zeros[TENSOR_MAX_DIMS] = {0};
    *out = tensor_get(t, zeros);
    return 0;
}
