/*
 * ag_norm.h — the normalisations of tensor/norm.h as differentiable ops
 * (autograd/op_norm.c).
 *
 * Gradients reach the input, weight and bias (NULL weight or bias: none);
 * the running statistics of batch_norm are buffers it updates, never
 * differentiated.  The backward is one fused kernel; a backward with
 * create_graph instead writes the same formula with recorded ops, so second
 * derivatives work.
 */
#ifndef LUAGRAD_AG_NORM_H
#define LUAGRAD_AG_NORM_H

#include "autograd/autograd.h"
#include "tensor/norm.h"

Tensor *ag_batch_norm(const Tensor *x, const Tensor *weight, const Tensor *bias,
                      Tensor *running_mean, Tensor *running_var, bool training, double momentum,
                      double eps);
Tensor *ag_layer_norm(const Tensor *x, int nshape, const int64_t *normalized_shape,
                      const Tensor *weight, const Tensor *bias, double eps);
Tensor *ag_group_norm(const Tensor *x, int64_t groups, const Tensor *weight, const Tensor *bias,
                      double eps);

#endif
