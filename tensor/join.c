/*
 * join.c — building one tensor out of several or out of copies of one: cat,
 * stack, repeat and tile.
 *
 * Each is a few tensor_copy_ calls into views of a fresh result, so dtype
 * conversion, broadcasting and threads come from copy.c.  cat copies each
 * input into its narrow of the result.  repeat copies once: the result,
 * viewed with every repeated dim split into (repeat, size), receives the
 * source viewed the same way with stride 0 along each repeat — the repeats
 * are an expanded view, and one strided copy materialises them.
 */
#include "tensor/tensor.h"

#include <stdlib.h>
#include <string.h>

/* PyTorch still skips 1-D empty tensors in cat, whatever their neighbours. */
static bool cat_skipped(const Tensor *t)
{
    return t->ndim == 1 && t->shape[0] == 0;
}

Tensor *tensor_cat(int n, Tensor *const *ts, int dim)
{
    if (n == 0)
        return tensor_fail("cat: expected a non-empty list of tensors");
    DType dt = dtype_result_type(n, (const Tensor *const *)ts);
    const Tensor *ref = NULL;
    for (int i = 0; i < n && !ref; i++)
        if (!cat_skipped(ts[i]))
            ref = ts[i];
    if (!ref)
        return tensor_empty(1, (const int64_t[]){0}, dt);
    if (ref->ndim == 0)
        return tensor_fail("cat: a 0-dim tensor cannot be concatenated (use stack, or "
                           "unsqueeze it first)");
    int d = tensor_wrap_dim("cat", dim, ref->ndim);
    if (d < 0)
        return NULL;
    int64_t shape[TENSOR_MAX_DIMS];
    memcpy(shape, ref->shape, sizeof shape);
    shape[d] = 0;
    for (int i = 0; i < n; i++) {
        const Tensor *t = ts[i];
        if (cat_skipped(t))
            continue;
        bool ok = t->ndim == ref->ndim;
        for (int j = 0; ok && j < t->ndim; j++)
            ok = j == d || t->shape[j] == ref->shape[j];
        if (!ok) {
            char s1[128], s2[128];
            return tensor_fail("cat: shapes %s and %s differ outside the concatenated dim",
                               tensor_shape_str(ref, s1, sizeof s1),
                               tensor_shape_str(t, s2, sizeof s2));
        }
        shape[d] += t->shape[d];
    }
    Tensor *out = tensor_empty(ref->ndim, shape, dt);
    int64_t at = 0;
    for (int i = 0; out && i < n; i++) {
        if (cat_skipped(ts[i]))
            continue;
        Tensor *part = tensor_narrow(out, d, at, ts[i]->shape[d]);
        int status = part ? tensor_copy_(part, ts[i]) : -1;
        tensor_release(part);
        if (status < 0)
            tensor_release(out), out = NULL;
        at += ts[i]->shape[d];
    }
    return out;
}

Tensor *tensor_stack(int n, Tensor *const *ts, int dim)
{
    if (n == 0)
        return tensor_fail("stack: expected a non-empty list of tensors");
    for (int i = 1; i < n; i++) {
        if (!tensor_same_shape(ts[i], ts[0])) {
            char s1[128], s2[128];
            return tensor_fail("stack: expects tensors of equal shape, got %s and %s",
                               tensor_shape_str(ts[0], s1, sizeof s1),
                               tensor_shape_str(ts[i], s2, sizeof s2));
        }
    }
    Tensor **parts = calloc((size_t)n, sizeof *parts);
    if (!parts)
        return tensor_fail("out of memory");
    Tensor *out = NULL;
    int made = 0;
    while (made < n && (parts[made] = tensor_unsqueeze(ts[made], dim)))
        made++;
    if (made == n)
        out = tensor_cat(n, parts, dim < 0 ? dim + ts[0]->ndim + 1 : dim);
    for (int i = 0; i < made; i++)
        tensor_release(parts[i]);
    free(parts);
    return out;
}

Tensor *tensor_repeat(const Tensor *t, int n, const int64_t *repeats)
{
    if (n < t->ndim)
        return tensor_fail("repeat: %d repeat counts given for a %d-dim tensor (give at least "
                           "one per dim)", n, t->ndim);
    int lead = n - t->ndim, m = n;
    int64_t shape[TENSOR_MAX_DIMS];
    for (int i = 0; i < n; i++) {
        if (repeats[i] < 0)
            return tensor_fail("repeat: repeat counts must not be negative, got %lld",
                               (long long)repeats[i]);
        if (__builtin_mul_overflow(repeats[i], i < lead ? 1 : t->shape[i - lead], &shape[i]))
            return tensor_fail("repeat: the result's size overflows int64");
        m += repeats[i] != 1;
    }
    if (m > TENSOR_MAX_DIMS)
        return tensor_fail("repeat: too many repeated dims (the copy needs %d dims, at most %d "
                           "are supported)", m, TENSOR_MAX_DIMS);
    Tensor *out = tensor_empty(n, shape, t->dtype);
    if (!out || tensor_numel(out) == 0)
        return out;
    /* (repeat, size) pairs; a repeat of 1 needs no dim of its own. */
    int64_t pshape[TENSOR_MAX_DIMS], ostride[TENSOR_MAX_DIMS], sstride[TENSOR_MAX_DIMS];
    m = 0;
    for (int i = 0; i < n; i++) {
        int64_t size = i < lead ? 1 : t->shape[i - lead], st = i < lead ? 0 : t->stride[i - lead];
        if (repeats[i] != 1)
            pshape[m] = repeats[i], ostride[m] = out->stride[i] * size, sstride[m++] = 0;
        pshape[m] = size, ostride[m] = out->stride[i], sstride[m++] = st;
    }
    Tensor *dst = tensor_as_strided(out, m, pshape, ostride, 0);
    Tensor *src = tensor_as_strided(t, m, pshape, sstride, t->offset);
    int status = dst && src ? tensor_copy_(dst, src) : -1;
    tensor_release(dst), tensor_release(src);
    if (status < 0)
        tensor_release(out), out = NULL;
    return out;
}

Tensor *tensor_tile(const Tensor *t, int n, const int64_t *reps)
{
    if (n >= t->ndim)
        return tensor_repeat(t, n, reps);
    int64_t padded[TENSOR_MAX_DIMS];
    int lead = t->ndim - n;
    for (int i = 0; i < t->ndim; i++)
        padded[i] = i < lead ? 1 : reps[i - lead];
    return tensor_repeat(t, t->ndim, padded);
}
