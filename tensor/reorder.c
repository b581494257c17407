/*
 * reorder.c — the same elements in another order: flip and roll.
 *
 * flip reads its input through a view with negated strides (starting at the
 * last element of each flipped dim) and copies that into a fresh tensor:
 * one strided copy, whatever the dims.  The negative-stride view never
 * leaves this file, since the rest of the library assumes strides >= 0.
 * roll along a dim is two copies: the last `shift` slices go to the front
 * and the rest after them.
 */
#include "tensor/tensor.h"

Tensor *tensor_flip(const Tensor *t, int n, const int *dims)
{
    bool seen[TENSOR_MAX_DIMS] = {false};
    Tensor *v = tensor_alias(t);
    for (int i = 0; v && i < n; i++) {
        int d = tensor_wrap_dim("flip", dims[i], t->ndim);
        if (d < 0 || seen[d]) {
            if (d >= 0)
                tensor_fail("flip: dim %d appears twice", dims[i]);
            tensor_release(v);
            return NULL;
        }
        seen[d] = true;
        if (t->shape[d] > 1) {
            v->offset += (t->shape[d] - 1) * t->stride[d];
            v->stride[d] = -t->stride[d];
        }
    }
    Tensor *out = v ? tensor_clone(v) : NULL;
    tensor_release(v);
    return out;
}

/* out = t rolled by `shift` along dim d (0 <= d < ndim). */
static Tensor *roll_dim(const Tensor *t, int d, int64_t shift)
{
    int64_t size = t->shape[d];
    if (size == 0)
        return tensor_clone(t);
    shift %= size;
    if (shift < 0)
        shift += size;
    Tensor *out = tensor_empty(t->ndim, t->shape, t->dtype);
    /* (from, to, length): the tail moves to the front, the head behind it. */
    const int64_t moves[2][3] = {{size - shift, 0, shift}, {0, shift, size - shift}};
    for (int i = 0; out && i < 2; i++) {
        Tensor *src = tensor_narrow(t, d, moves[i][0], moves[i][2]);
        Tensor *dst = src ? tensor_narrow(out, d, moves[i][1], moves[i][2]) : NULL;
        if (!dst || tensor_copy_(dst, src) < 0)
            tensor_release(out), out = NULL;
        tensor_release(src), tensor_release(dst);
    }
    return out;
}

Tensor *tensor_roll(const Tensor *t, int n, const int64_t *shifts, const int *dims)
{
    if (n == 0) {   /* the flattened tensor, rolled, in t's shape */
        Tensor *flat = tensor_reshape(t, 1, (const int64_t[]){-1});
        Tensor *rolled = flat ? roll_dim(flat, 0, shifts[0]) : NULL;
        Tensor *out = rolled ? tensor_view(rolled, t->ndim, t->shape) : NULL;
        tensor_release(flat), tensor_release(rolled);
        return out;
    }
    Tensor *out = tensor_alias(t);
    for (int i = 0; out && i < n; i++) {
        int d = tensor_wrap_dim("roll", dims[i], t->ndim);
        Tensor *next = d < 0 ? NULL : roll_dim(out, d, shifts[i]);
        tensor_release(out);
        out = next;
    }
    return out;
}
