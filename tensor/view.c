/*
 * view.c — tensors that share another tensor's storage.
 *
 * A view only rewrites the header: shape, strides and offset.  Every function
 * here is O(ndim) and returns a new Tensor holding a reference to the same
 * Storage, so writes through a view are seen by its base.  The only copies
 * are the documented fallbacks of reshape and flatten, which (as in PyTorch)
 * copy when the strides cannot express the new shape.  view/reshape decide
 * that with PyTorch's computeStride: the old dims split into chunks that are
 * contiguous among themselves, and every new dim must fall inside one chunk.
 */
#include "tensor/tensor.h"

#include <stdlib.h>
#include <string.h>

/* The unchecked constructor behind every view; callers guarantee bounds. */
static Tensor *view_make(const Tensor *t, int ndim, const int64_t *shape,
                         const int64_t *stride, int64_t offset)
{
    Tensor *v = tensor_header_new();
    if (!v)
        return NULL;
    v->storage = t->storage;
    storage_retain(v->storage);
    v->offset = offset;
    v->ndim = ndim;
    memcpy(v->shape, shape, (size_t)ndim * sizeof shape[0]);
    memcpy(v->stride, stride, (size_t)ndim * sizeof stride[0]);
    v->dtype = t->dtype;
    v->refcount = 1;
    v->base = t->base ? t->base : (Tensor *)t;
    tensor_retain(v->base);
    v->autograd = NULL;
    return v;
}

Tensor *tensor_alias(const Tensor *t)
{
    return view_make(t, t->ndim, t->shape, t->stride, t->offset);
}

Tensor *tensor_as_strided(const Tensor *t, int ndim, const int64_t *shape,
                          const int64_t *stride, int64_t offset)
{
    int64_t numel, last = offset;
    if (!shape_check(ndim, shape, &numel))
        return tensor_fail("as_strided: %s", tensor_error());
    bool bad = offset < 0;
    for (int d = 0; d < ndim && numel > 0; d++) {
        int64_t reach;
        bad |= stride[d] < 0 || __builtin_mul_overflow(shape[d] - 1, stride[d], &reach) ||
               __builtin_add_overflow(last, reach, &last);
    }
    int64_t capacity = (int64_t)(t->storage->nbytes / dtype_size(t->dtype));
    if (bad || (numel > 0 && last >= capacity)) {
        char sb[128], tb[128];
        return tensor_fail("as_strided: a view of shape %s with strides %s at offset %lld "
                           "does not fit a storage of %lld elements",
                           shape_str(ndim, shape, sb, sizeof sb),
                           shape_str(ndim, stride, tb, sizeof tb), (long long)offset,
                           (long long)capacity);
    }
    return view_make(t, ndim, shape, stride, offset);
}

/* Resolves a -1 in a requested shape against t's element count. */
static bool view_infer(const char *fn, const Tensor *t, int ndim, const int64_t *shape,
                       int64_t *out)
{
    if (ndim < 0 || ndim > TENSOR_MAX_DIMS) {
        tensor_fail("%s: a tensor can have at most %d dims, got %d", fn, TENSOR_MAX_DIMS, ndim);
        return false;
    }
    int infer = -1;
    for (int d = 0; d < ndim; d++) {
        out[d] = shape[d];
        if (shape[d] == -1) {
            if (infer >= 0) {
                tensor_fail("%s: only one dim can be -1", fn);
                return false;
            }
            infer = d;
            out[d] = 1;
        }
    }
    int64_t known, numel = tensor_numel(t);
    if (!shape_check(ndim, out, &known)) {
        tensor_fail("%s: %s", fn, tensor_error());
        return false;
    }
    char buf[128];
    if (infer >= 0 && known == 0) {
        tensor_fail("%s: the -1 in shape %s is ambiguous for a tensor of 0 elements", fn,
                    shape_str(ndim, shape, buf, sizeof buf));
        return false;
    }
    if (infer >= 0 && numel % known == 0)
        out[infer] = numel / known;
    else if (infer >= 0 || known != numel) {
        tensor_fail("%s: shape %s is invalid for input of %lld elements", fn,
                    shape_str(ndim, shape, buf, sizeof buf), (long long)numel);
        return false;
    }
    return true;
}

/* PyTorch's computeStride: strides for viewing t as `shape` without copying,
 * or false when some new dim would straddle two non-contiguous chunks. */
static bool view_strides(const Tensor *t, int ndim, const int64_t *shape, int64_t *stride)
{
    if (t->ndim == 0 || tensor_numel(t) == 0) {
        /* Any strides work; use contiguous ones (sizes 0 count as 1). */
        int64_t s = 1;
        for (int d = ndim - 1; d >= 0; d--) {
            stride[d] = s;
            s *= shape[d] > 1 ? shape[d] : 1;
        }
        return true;
    }
    int view_d = ndim - 1;
    int64_t chunk_stride = t->stride[t->ndim - 1], tensor_numel = 1, view_numel = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        tensor_numel *= t->shape[d];
        /* A chunk ends where the next-outer dim is not laid out right after it. */
        if (d == 0 ||
            (t->shape[d - 1] != 1 && t->stride[d - 1] != tensor_numel * chunk_stride)) {
            while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
                stride[view_d] = view_numel * chunk_stride;
                view_numel *= shape[view_d];
                view_d--;
            }
            if (view_numel != tensor_numel)
                return false;
            if (d > 0) {
                chunk_stride = t->stride[d - 1];
                tensor_numel = view_numel = 1;
            }
        }
    }
    return true;   /* the element counts agree (view_infer), so every new dim is placed */
}

Tensor *tensor_view(const Tensor *t, int ndim, const int64_t *shape)
{
    int64_t out[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    if (!view_infer("view", t, ndim, shape, out))
        return NULL;
    if (!view_strides(t, ndim, out, stride)) {
        char a[128], b[128], c[128];
        return tensor_fail("view: shape %s is not compatible with the input's shape and "
                           "strides (%s with strides %s); use reshape",
                           shape_str(ndim, out, a, sizeof a), tensor_shape_str(t, b, sizeof b),
                           shape_str(t->ndim, t->stride, c, sizeof c));
    }
    return view_make(t, ndim, out, stride, t->offset);
}

Tensor *tensor_reshape(const Tensor *t, int ndim, const int64_t *shape)
{
    int64_t out[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    if (!view_infer("reshape", t, ndim, shape, out))
        return NULL;
    if (view_strides(t, ndim, out, stride))
        return view_make(t, ndim, out, stride, t->offset);
    Tensor *c = tensor_clone(t);
    if (!c)
        return NULL;
    Tensor *v = tensor_view(c, ndim, out);
    tensor_release(c);
    return v;
}

Tensor *tensor_transpose(const Tensor *t, int d0, int d1)
{
    d0 = tensor_wrap_dim("transpose", d0, t->ndim);
    d1 = d0 < 0 ? -1 : tensor_wrap_dim("transpose", d1, t->ndim);
    if (d1 < 0)
        return NULL;
    Tensor *v = tensor_alias(t);
    if (v) {
        v->shape[d0] = t->shape[d1], v->shape[d1] = t->shape[d0];
        v->stride[d0] = t->stride[d1], v->stride[d1] = t->stride[d0];
    }
    return v;
}

Tensor *tensor_permute(const Tensor *t, const int *dims)
{
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    bool seen[TENSOR_MAX_DIMS] = {false};
    for (int i = 0; i < t->ndim; i++) {
        int d = tensor_wrap_dim("permute", dims[i], t->ndim);
        if (d < 0)
            return NULL;
        if (seen[d])
            return tensor_fail("permute: dim %d appears twice; dims must be a permutation",
                               dims[i]);
        seen[d] = true;
        shape[i] = t->shape[d];
        stride[i] = t->stride[d];
    }
    return view_make(t, t->ndim, shape, stride, t->offset);
}

Tensor *tensor_narrow(const Tensor *t, int dim, int64_t start, int64_t length)
{
    int d = tensor_wrap_dim("narrow", dim, t->ndim);
    if (d < 0)
        return NULL;
    int64_t size = t->shape[d];
    if (start < -size || start > size)
        return tensor_fail("narrow: start %lld out of range for dim %d of size %lld",
                           (long long)start, dim, (long long)size);
    if (start < 0)
        start += size;
    if (length < 0 || length > size - start)
        return tensor_fail("narrow: start %lld + length %lld exceeds size %lld of dim %d",
                           (long long)start, (long long)length, (long long)size, dim);
    Tensor *v = view_make(t, t->ndim, t->shape, t->stride, t->offset + start * t->stride[d]);
    if (v)
        v->shape[d] = length;
    return v;
}

Tensor *tensor_select(const Tensor *t, int dim, int64_t index)
{
    int d = tensor_wrap_dim("select", dim, t->ndim);
    if (d < 0)
        return NULL;
    int64_t size = t->shape[d];
    if (index < -size || index >= size)
        return tensor_fail("select: index %lld out of range for dim %d of size %lld",
                           (long long)index, dim, (long long)size);
    if (index < 0)
        index += size;
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    for (int i = 0, j = 0; i < t->ndim; i++) {
        if (i != d)
            shape[j] = t->shape[i], stride[j++] = t->stride[i];
    }
    return view_make(t, t->ndim - 1, shape, stride, t->offset + index * t->stride[d]);
}

/* PyTorch's expand: -1 keeps a size, new dims are added on the left, and
 * only size-1 dims grow (with stride 0, so no memory is copied). */
Tensor *tensor_expand(const Tensor *t, int ndim, const int64_t *shape)
{
    char a[128], b[128];
    if (ndim < t->ndim || ndim > TENSOR_MAX_DIMS)
        return tensor_fail("expand: cannot expand shape %s to %s (%s)",
                           tensor_shape_str(t, a, sizeof a), shape_str(ndim, shape, b, sizeof b),
                           ndim < t->ndim ? "fewer dims" : "too many dims");
    int64_t out[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS], numel;
    int lead = ndim - t->ndim;
    for (int i = 0; i < ndim; i++) {
        int64_t old = i < lead ? 1 : t->shape[i - lead];
        out[i] = shape[i] == -1 && i >= lead ? old : shape[i];
        stride[i] = i < lead || old != out[i] ? 0 : t->stride[i - lead];
        if (out[i] >= 0 && old != out[i] && old != 1)
            return tensor_fail("expand: cannot expand shape %s to %s (dim %d: %lld vs %lld; "
                               "only size-1 dims can grow)",
                               tensor_shape_str(t, a, sizeof a),
                               shape_str(ndim, shape, b, sizeof b), i + 1, (long long)old,
                               (long long)out[i]);
    }
    if (!shape_check(ndim, out, &numel))
        return tensor_fail("expand: %s", tensor_error());
    return view_make(t, ndim, out, stride, t->offset);
}

static Tensor *view_drop_ones(const Tensor *t, int only)
{
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < t->ndim; d++) {
        if (t->shape[d] != 1 || (only >= 0 && d != only))
            shape[n] = t->shape[d], stride[n++] = t->stride[d];
    }
    return view_make(t, n, shape, stride, t->offset);
}

Tensor *tensor_squeeze(const Tensor *t, int dim)
{
    /* PyTorch lets a 0-dim tensor be squeezed at dim 0 or -1, as a no-op. */
    if (t->ndim == 0 && (dim == 0 || dim == -1))
        return tensor_alias(t);
    int d = tensor_wrap_dim("squeeze", dim, t->ndim);
    return d < 0 ? NULL : view_drop_ones(t, d);
}

Tensor *tensor_squeeze_all(const Tensor *t)
{
    return view_drop_ones(t, -1);
}

Tensor *tensor_unsqueeze(const Tensor *t, int dim)
{
    if (t->ndim == TENSOR_MAX_DIMS)
        return tensor_fail("unsqueeze: a tensor can have at most %d dims", TENSOR_MAX_DIMS);
    int d = tensor_wrap_dim("unsqueeze", dim, t->ndim + 1);
    if (d < 0)
        return NULL;
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    for (int i = 0, j = 0; i <= t->ndim; i++) {
        if (i == d) {
            /* Any stride is valid for size 1; PyTorch's keeps the tensor contiguous. */
            shape[i] = 1;
            stride[i] = d < t->ndim ? t->shape[d] * t->stride[d] : 1;
        } else {
            shape[i] = t->shape[j], stride[i] = t->stride[j++];
        }
    }
    return view_make(t, t->ndim + 1, shape, stride, t->offset);
}

Tensor *tensor_flatten(const Tensor *t, int start, int end)
{
    if (t->ndim == 0)
        return tensor_reshape(t, 1, (const int64_t[]){1});
    int s = tensor_wrap_dim("flatten", start, t->ndim);
    int e = s < 0 ? -1 : tensor_wrap_dim("flatten", end, t->ndim);
    if (e < 0)
        return NULL;
    if (s > e)
        return tensor_fail("flatten: start dim %d must not come after end dim %d", start, end);
    int64_t shape[TENSOR_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < t->ndim; d++) {
        if (d <= s || d > e)
            shape[n++] = t->shape[d];
        else
            shape[n - 1] *= t->shape[d];
    }
    return tensor_reshape(t, n, shape);
}

/* Sliding windows: dim shrinks to the number of windows and a new last dim
 * of `size` walks inside one window, both with strides from the original. */
Tensor *tensor_unfold(const Tensor *t, int dim, int64_t size, int64_t step)
{
    int d = tensor_wrap_dim("unfold", dim, t->ndim);
    if (d < 0)
        return NULL;
    if (t->ndim == TENSOR_MAX_DIMS)
        return tensor_fail("unfold: a tensor can have at most %d dims", TENSOR_MAX_DIMS);
    if (size < 0 || size > t->shape[d])
        return tensor_fail("unfold: size %lld out of range for dim %d of size %lld",
                           (long long)size, dim, (long long)t->shape[d]);
    if (step <= 0)
        return tensor_fail("unfold: step must be positive, got %lld", (long long)step);
    Tensor *v = view_make(t, t->ndim, t->shape, t->stride, t->offset);
    if (v) {
        v->shape[d] = (t->shape[d] - size) / step + 1;
        v->stride[d] = t->stride[d] * step;
        v->shape[v->ndim] = size;
        v->stride[v->ndim] = t->stride[d];
        v->ndim++;
    }
    return v;
}
