/*
 * ag_pool.h — the pools of tensor/pool.h as differentiable ops
 * (autograd/op_pool.c).
 *
 * A max pool routes each output's gradient to the position its max came
 * from; an average pool spreads it evenly over the window.  Both gradients
 * are linear in the output gradient, so they are ops of their own whose
 * derivatives are again a pool (gather at the positions, or the average
 * pool itself): a backward with create_graph records them, and second
 * derivatives need nothing more.
 */
#ifndef LUAGRAD_AG_POOL_H
#define LUAGRAD_AG_POOL_H

#include "autograd/autograd.h"
#include "tensor/pool.h"

/* Max pools (POOL_MAX, POOL_ADAPTIVE_MAX): the values are recorded, the
 * 0-based positions never. */
int ag_max_pool(const Tensor *x, const PoolSpec *s, Tensor **out, Tensor **indices);
/* Average pools (POOL_AVG, POOL_ADAPTIVE_AVG). */
Tensor *ag_avg_pool(const Tensor *x, const PoolSpec *s);
/* The gradients, recorded: an average pool's for an input of in_shape, and
 * a max pool's (grad scattered to the positions) with its adjoint (x read at
 * them). */
Tensor *ag_avg_pool_backward(const Tensor *grad, const PoolSpec *s, int ndim,
                             const int64_t *in_shape);
Tensor *ag_pool_scatter(const Tensor *grad, const Tensor *indices, int ndim,
                        const int64_t *in_shape, int dims);
Tensor *ag_pool_gather(const Tensor *x, const Tensor *indices, int dims);

#endif
