/*
 * norm.h — normalisation kernels (norm.c): batch_norm, layer_norm and
 * group_norm, each a forward that also returns the statistics it used and a
 * fused backward that gives the input, weight and bias gradients in one
 * call, as PyTorch's native kernels do.
 *
 * Every form computes y = (x - mean) * invstd * weight + bias with
 * invstd = 1 / sqrt(var + eps), var the biased variance; they differ in
 * which elements share a mean:
 *   batch_norm  x (N, C, *): one per channel, over the batch and the rest
 *               (or the running statistics in evaluation);
 *   layer_norm  x (*, normalized_shape): one per leading position, over the
 *               trailing dims that normalized_shape names;
 *   group_norm  x (N, C, *): one per sample and group of C / groups channels.
 * Statistics are computed in double (two passes: mean, then squared
 * deviations) and returned in the input's dtype: mean and invstd of shape
 * (C) for batch_norm, (rows) for layer_norm, (N, groups) for group_norm.
 * weight and bias may be NULL (no affine); when given they have the input's
 * dtype and shape (C), or normalized_shape for layer_norm.  Floating dtypes.
 */
#ifndef LUAGRAD_NORM_H
#define LUAGRAD_NORM_H

#include "tensor/tensor.h"

/* training: batch statistics, and when running_mean/running_var are given
 * (both or neither) they move toward them in place: r = (1 - momentum) * r
 * + momentum * stat, with the unbiased variance, as PyTorch.  Otherwise the
 * running statistics normalise and must be given. */
int tensor_batch_norm(const Tensor *x, const Tensor *weight, const Tensor *bias,
                      Tensor *running_mean, Tensor *running_var, bool training, double momentum,
                      double eps, Tensor **out, Tensor **mean, Tensor **invstd);
/* The gradients for the forward that returned mean and invstd (training:
 * the statistics depended on x; evaluation: they were constants).  Any of
 * gx, gw, gb may be NULL when not wanted; gw and gb need a weight. */
int tensor_batch_norm_backward(const Tensor *grad, const Tensor *x, const Tensor *weight,
                               const Tensor *mean, const Tensor *invstd, bool training,
                               Tensor **gx, Tensor **gw, Tensor **gb);

/* normalized_shape (nshape dims) must equal x's trailing dims. */
int tensor_layer_norm(const Tensor *x, int nshape, const int64_t *normalized_shape,
                      const Tensor *weight, const Tensor *bias, double eps, Tensor **out,
                      Tensor **mean, Tensor **invstd);
int tensor_layer_norm_backward(const Tensor *grad, const Tensor *x, int nshape,
                               const Tensor *weight, const Tensor *mean, const Tensor *invstd,
                               Tensor **gx, Tensor **gw, Tensor **gb);

/* groups must divide C (x's dim 1). */
int tensor_group_norm(const Tensor *x, int64_t groups, const Tensor *weight, const Tensor *bias,
                      double eps, Tensor **out, Tensor **mean, Tensor **invstd);
int tensor_group_norm_backward(const Tensor *grad, const Tensor *x, int64_t groups,
                               const Tensor *weight, const Tensor *mean, const Tensor *invstd,
                               Tensor **gx, Tensor **gw, Tensor **gb);

#endif
