/*
 * reduce_plan.c — bringing any reduction to the canonical (outer, size,
 * inner) form of reduce.h, and putting its results back in the input's dim
 * order.
 *
 * A contiguous input whose reduced dims are adjacent (ignoring dims of size
 * 1) is already in that form: outer is the product of the dims before them,
 * inner of those after.  A non-contiguous input is first looked at in its
 * memory order (dims sorted by decreasing stride): a transposed or permuted
 * tensor is contiguous there, so x:t():sum(1) reads memory straight through
 * instead of copying.  Only when the reduced dims are still not adjacent, or
 * the input is not a permutation of a contiguous block (narrowed, expanded),
 * is it copied: kept dims first, reduced dims last.  When the plan reordered
 * the kept dims, the results come out in that order and reduce_place copies
 * them into place through a permuted view of the output.
 */
#include "tensor/reduce.h"

#include <string.h>

static int plan_dims(const char *fn, const Tensor *t, int ndims, const int *dims, bool *reduced)
{
    for (int d = 0; d < t->ndim; d++)
        reduced[d] = ndims == 0;
    for (int k = 0; k < ndims; k++) {
        /* A 0-dim tensor takes dim 0 (or -1) as PyTorch does: one element. */
        int d = tensor_wrap_dim(fn, dims[k], t->ndim > 0 ? t->ndim : 1);
        if (d < 0)
            return -1;
        if (t->ndim == 0)
            continue;
        if (reduced[d]) {
            tensor_fail("%s: dim %d appears more than once in the list of dims", fn, dims[k]);
            return -1;
        }
        reduced[d] = true;
    }
    return 0;
}

/* The dims sorted by decreasing stride (stable): for a permutation of a
 * contiguous block, the permutation that makes it contiguous again. */
static void plan_memory_order(const Tensor *t, int *perm)
{
    for (int i = 0; i < t->ndim; i++) {
        int d = i, j = i;
        for (; j > 0 && t->stride[perm[j - 1]] < t->stride[d]; j--)
            perm[j] = perm[j - 1];
        perm[j] = d;
    }
}

/* Where the reduced dims of x (size-1 dims ignored) start and end; false
 * when a kept dim of size > 1 lies between two of them. */
static bool plan_span(const ReducePlan *p, int *first, int *last)
{
    bool kept_since = false;
    *first = *last = -1;
    for (int j = 0; j < p->x->ndim; j++) {
        if (p->x->shape[j] == 1)
            continue;
        if (!p->reduced[p->perm[j]]) {
            kept_since = *first >= 0;
            continue;
        }
        if (kept_since)
            return false;
        if (*first < 0)
            *first = j;
        *last = j;
    }
    return true;
}

/* Copies x with its kept dims first and its reduced dims last. */
static int plan_gather(ReducePlan *p)
{
    int order[TENSOR_MAX_DIMS], perm[TENSOR_MAX_DIMS], n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int j = 0; j < p->x->ndim; j++)
            if (p->reduced[p->perm[j]] == (pass == 1)) {
                order[n] = j;
                perm[n++] = p->perm[j];
            }
    Tensor *v = tensor_permute(p->x, order);
    Tensor *c = v ? tensor_clone(v) : NULL;
    tensor_release(v);
    if (!c)
        return -1;
    tensor_release(p->x);
    p->x = c;
    memcpy(p->perm, perm, sizeof perm);
    return 0;
}

int reduce_plan(ReducePlan *p, const char *fn, const Tensor *t, int ndims, const int *dims,
                bool keepdim, bool logical_order)
{
    p->x = NULL;
    p->ndim = t->ndim;
    p->keepdim = keepdim;
    memcpy(p->in_shape, t->shape, sizeof t->shape);
    if (plan_dims(fn, t, ndims, dims, p->reduced) < 0)
        return -1;
    for (int d = 0; d < t->ndim; d++)
        p->perm[d] = d;
    if (!tensor_is_contiguous(t) && !logical_order) {
        plan_memory_order(t, p->perm);
        Tensor *v = tensor_permute(t, p->perm);
        if (v && tensor_is_contiguous(v))
            p->x = v;
        else {
            tensor_release(v);
            for (int d = 0; d < t->ndim; d++)
                p->perm[d] = d;
        }
    }
    if (!p->x)
        p->x = tensor_is_contiguous(t) ? tensor_alias(t) : tensor_clone(t);
    int first, last;
    bool ok = p->x && (plan_span(p, &first, &last) ||
                       (plan_gather(p) == 0 && plan_span(p, &first, &last)));
    if (!ok) {
        reduce_plan_free(p);
        return -1;
    }
    p->outer = p->size = p->inner = 1;
    for (int j = 0; j < p->x->ndim; j++) {
        int64_t *part = first < 0 || j < first ? &p->outer : j <= last ? &p->size : &p->inner;
        *part *= p->x->shape[j];
    }
    return 0;
}

void reduce_plan_free(ReducePlan *p)
{
    tensor_release(p->x);
    p->x = NULL;
}

/* True when the kept dims of size > 1 appear in x in input order, so results
 * in plan order are already in output order. */
static bool place_in_order(const ReducePlan *p)
{
    int prev = -1;
    for (int j = 0; j < p->x->ndim; j++) {
        int d = p->perm[j];
        if (p->reduced[d] || p->in_shape[d] == 1)
            continue;
        if (d < prev)
            return false;
        prev = d;
    }
    return true;
}

Tensor *reduce_place(const ReducePlan *p, Tensor *res)
{
    if (!res)
        return NULL;
    int64_t keep_shape[TENSOR_MAX_DIMS], out_shape[TENSOR_MAX_DIMS], plan_shape[TENSOR_MAX_DIMS];
    int nout = 0;
    for (int d = 0; d < p->ndim; d++) {
        keep_shape[d] = p->reduced[d] ? 1 : p->in_shape[d];
        if (!p->reduced[d])
            out_shape[nout++] = p->in_shape[d];
    }
    if (place_in_order(p)) {
        Tensor *v = p->keepdim ? tensor_view(res, p->ndim, keep_shape)
                               : tensor_view(res, nout, out_shape);
        tensor_release(res);
        return v;
    }
    for (int j = 0; j < p->ndim; j++)
        plan_shape[j] = keep_shape[p->perm[j]];
    Tensor *out = tensor_empty(p->ndim, keep_shape, res->dtype);
    Tensor *dst = out ? tensor_permute(out, p->perm) : NULL;
    Tensor *src = dst ? tensor_view(res, p->ndim, plan_shape) : NULL;
    int rc = src ? tensor_copy_(dst, src) : -1;
    tensor_release(src), tensor_release(dst), tensor_release(res);
    if (rc < 0 || p->keepdim) {
        if (rc < 0)
            tensor_release(out);
        return rc < 0 ? NULL : out;
    }
    Tensor *v = tensor_view(out, nout, out_shape);
    tensor_release(out);
    return v;
}

Tensor *reduce_split_dim(const char *fn, const Tensor *t, int dim, int64_t *outer, int64_t *size,
                         int64_t *inner)
{
    int d = tensor_wrap_dim(fn, dim, t->ndim > 0 ? t->ndim : 1);
    if (d < 0)
        return NULL;
    Tensor *x = tensor_is_contiguous(t) ? tensor_alias(t) : tensor_clone(t);
    if (!x)
        return NULL;
    *outer = *size = *inner = 1;
    for (int j = 0; j < t->ndim; j++)
        *(j < d ? outer : j == d ? size : inner) *= t->shape[j];
    return x;
}
