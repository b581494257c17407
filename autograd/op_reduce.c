/*
 * op_reduce.c — reductions with their derivatives.
 *
 * A reduction's gradient spreads the output's gradient back over the
 * reduced dims: reshape it to the output's keepdim shape (size 1 in each
 * reduced dim) and expand to the input's shape.  The node keeps the reduced
 * dims in i[]: i[0] the count (0: all dims), i[1..] the dims, 0-based.
 */
#include <string.h>

#include "autograd/node.h"

/* Records the reduced dims of t (normalised) in n; -1 on a bad dim. */
static int store_dims(AgNode *n, const Tensor *t, int ndims, const int *dims)
{
    n->i[0] = ndims;
    for (int k = 0; k < ndims; k++) {
        int d = tensor_wrap_dim("sum", dims[k], t->ndim > 0 ? t->ndim : 1);
        if (d < 0)
            return -1;
        n->i[1 + k] = d;
    }
    return 0;
}

/* The input's shape with every reduced dim set to 1. */
static void keepdim_shape(const AgNode *n, int64_t *shape)
{
    const AgInput *in = &n->input[0];
    memcpy(shape, in->shape, (size_t)in->ndim * sizeof shape[0]);
    if (n->i[0] == 0)
        for (int d = 0; d < in->ndim; d++)
            shape[d] = 1;
    for (int k = 0; k < n->i[0]; k++)
        if (in->ndim > 0)
            shape[n->i[1 + k]] = 1;
}

/* g (the reduction's output gradient) spread over the input's shape. */
Tensor *reduce_grad_spread(const AgNode *n, const Tensor *g)
{
    const AgInput *in = &n->input[0];
    int64_t shape[TENSOR_MAX_DIMS];
    keepdim_shape(n, shape);
    Tensor *kept = tmp(ag_reshape(g, in->ndim, shape));
    return tmp(ag_expand(kept, in->ndim, in->shape));
}

/* How many input elements each output element summarises. */
double reduce_count(const AgNode *n)
{
    const AgInput *in = &n->input[0];
    int64_t shape[TENSOR_MAX_DIMS], all = 1, kept = 1;
    keepdim_shape(n, shape);
    for (int d = 0; d < in->ndim; d++) {
        all *= in->shape[d];
        kept *= shape[d];
    }
    return kept > 0 ? (double)all / (double)kept : 0;
}

static int sum_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = reduce_grad_spread(n, g[0]);
    return 0;
}

static int mean_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = reduce_grad_spread(n, f_scale(g[0], 1.0 / reduce_count(n)));
    return 0;
}

static const AgOp sum_op = {"SumBackward", sum_backward, NULL};
static const AgOp mean_op = {"MeanBackward", mean_backward, NULL};

/* A reduction node for t over dims, or NULL (with out released) on failure. */
AgNode *reduce_node(const AgOp *op, const Tensor *t, int ndims, const int *dims)
{
    AgNode *n = ag_node_new(op, 1, &t);
    if (n && store_dims(n, t, ndims, dims) < 0) {
        ag_node_release(n);
        return NULL;
    }
    return n;
}

Tensor *ag_sum(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    if (!t)
        return NULL;
    Tensor *out = tensor_sum(t, ndims, dims, keepdim);
    if (!out || !ag_should_record(1, &t))
        return out;
    return ag_finish(reduce_node(&sum_op, t, ndims, dims), out);
}

Tensor *ag_mean(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    if (!t)
        return NULL;
    Tensor *out = tensor_mean(t, ndims, dims, keepdim);
    if (!out || !ag_should_record(1, &t))
        return out;
    return ag_finish(reduce_node(&mean_op, t, ndims, dims), out);
}
