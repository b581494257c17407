/*
 * op_pool.c — max and average pooling with their derivatives.
 *
 * A max pool's gradient adds each output gradient at the plane position its
 * max came from (PoolScatter); an average pool's spreads it over the window
 * with the forward's divisor (AvgPoolBackward).  Both are linear in the
 * gradient, and each has a pool for its own derivative: scatter and gather
 * at the same positions are adjoint, and so are the average pool and its
 * backward.  So every formula here is a recorded op, and a backward run with
 * create_graph can be differentiated again.  Nodes keep the pool's spec in
 * `extra` (a malloc'd copy) and the positions as a saved tensor.
 */
#include <stdlib.h>

#include "autograd/ag_pool.h"
#include "autograd/node.h"

static void free_spec(AgNode *n)
{
    free(n->extra);
}

static const PoolSpec *spec_of(const AgNode *n)
{
    return n->extra;
}

/* A node for op over `in`, holding a copy of s; NULL when out of memory. */
static AgNode *pool_node(const AgOp *op, const Tensor *in, const PoolSpec *s)
{
    AgNode *n = ag_node_new(op, 1, &in);
    if (n && !(n->extra = malloc(sizeof *s))) {
        ag_node_release(n);
        return tensor_fail("out of memory: cannot allocate a graph node");
    }
    if (n)
        *(PoolSpec *)n->extra = *s;
    return n;
}

/* A max pool's gradient goes where the max was; an average pool's spreads
 * over the window. */
static int max_pool_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    const AgInput *in = &n->input[0];
    gi[0] = tmp(ag_pool_scatter(g[0], saved(n, 0), in->ndim, in->shape, spec_of(n)->dims));
    return 0;
}

static int avg_pool_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    const AgInput *in = &n->input[0];
    gi[0] = tmp(ag_avg_pool_backward(g[0], spec_of(n), in->ndim, in->shape));
    return 0;
}

#define MAX_FORMULA "d(max_pool(x))/dx: g routed to where each window's maximum was"
#define AVG_FORMULA "d(avg_pool(x))/dx: g shared evenly over each window"

/* Indexed by [dims == 2][kind]. */
static const AgOp pool_ops[2][4] = {
    {{"MaxPool1dBackward", max_pool_backward, free_spec, MAX_FORMULA},
     {"AvgPool1dBackward", avg_pool_backward, free_spec, AVG_FORMULA},
     {"AdaptiveMaxPool1dBackward", max_pool_backward, free_spec, MAX_FORMULA},
     {"AdaptiveAvgPool1dBackward", avg_pool_backward, free_spec, AVG_FORMULA}},
    {{"MaxPool2dBackward", max_pool_backward, free_spec, MAX_FORMULA},
     {"AvgPool2dBackward", avg_pool_backward, free_spec, AVG_FORMULA},
     {"AdaptiveMaxPool2dBackward", max_pool_backward, free_spec, MAX_FORMULA},
     {"AdaptiveAvgPool2dBackward", avg_pool_backward, free_spec, AVG_FORMULA}},
};

/* ---- max pools -------------------------------------------------------------------- */

int ag_max_pool(const Tensor *x, const PoolSpec *s, Tensor **out, Tensor **indices)
{
    if (!x || tensor_max_pool(x, s, out, indices) < 0)
        return -1;
    if (!ag_should_record(1, &x))
        return 0;
    AgNode *n = pool_node(&pool_ops[s->dims == 2][s->kind], x, s);
    if (n && ag_save(n, 0, *indices) < 0) {
        ag_node_release(n);
        n = NULL;
    }
    if (!(*out = ag_finish(n, *out))) {
        tensor_release(*indices);
        *indices = NULL;
        return -1;
    }
    return 0;
}

/* Scatter and gather at saved positions; i[0] holds the pool's spatial dims. */
static int pool_scatter_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(ag_pool_gather(g[0], saved(n, 0), (int)n->i[0]));
    return 0;
}

static int pool_gather_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    const AgInput *in = &n->input[0];
    gi[0] = tmp(ag_pool_scatter(g[0], saved(n, 0), in->ndim, in->shape, (int)n->i[0]));
    return 0;
}

static const AgOp pool_scatter_op = {"MaxPoolBackwardBackward", pool_scatter_backward, NULL,
                                     "d(max_pool_backward(x))/dx: g gathered at the maxima"};
static const AgOp pool_gather_op = {"MaxPoolGatherBackward", pool_gather_backward, NULL,
                                    "d(x at the maxima)/dx: g put back at the maxima"};

/* Records op over `t` with the positions saved, when t requires grad. */
static Tensor *record_positions(const AgOp *op, const Tensor *t, const Tensor *indices, int dims,
                                Tensor *out)
{
    if (!out || !ag_should_record(1, &t))
        return out;
    AgNode *n = ag_node_new(op, 1, &t);
    if (n) {
        n->i[0] = dims;
        if (ag_save(n, 0, indices) < 0) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

Tensor *ag_pool_scatter(const Tensor *grad, const Tensor *indices, int ndim,
                        const int64_t *in_shape, int dims)
{
    if (!grad || !indices)
        return NULL;
    return record_positions(&pool_scatter_op, grad, indices, dims,
                            tensor_pool_scatter(grad, indices, ndim, in_shape, dims));
}

Tensor *ag_pool_gather(const Tensor *x, const Tensor *indices, int dims)
{
    if (!x || !indices)
        return NULL;
    return record_positions(&pool_gather_op, x, indices, dims,
                            tensor_pool_gather(x, indices, dims));
}

/* ---- average pools ---------------------------------------------------------------- */

static int avg_pool_backward_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(ag_avg_pool(g[0], spec_of(n)));
    return 0;
}

static const AgOp avg_pool_backward_op = {"AvgPoolBackwardBackward", avg_pool_backward_backward,
                                          free_spec, "d(avg_pool_backward(x))/dx: avg_pool(g)"};

/* The ending of both: records op over t (keeping s) when t requires grad. */
static Tensor *record_avg(const AgOp *op, const Tensor *t, const PoolSpec *s, Tensor *out)
{
    if (!out || !ag_should_record(1, &t))
        return out;
    return ag_finish(pool_node(op, t, s), out);
}

Tensor *ag_avg_pool(const Tensor *x, const PoolSpec *s)
{
    if (!x)
        return NULL;
    return record_avg(&pool_ops[s->dims == 2][s->kind], x, s, tensor_avg_pool(x, s));
}

Tensor *ag_avg_pool_backward(const Tensor *grad, const PoolSpec *s, int ndim,
                             const int64_t *in_shape)
{
    if (!grad)
        return NULL;
    return record_avg(&avg_pool_backward_op, grad, s,
                      tensor_avg_pool_backward(grad, s, ndim, in_shape));
}
