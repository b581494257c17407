/*
 * dropout.h — the kernels of dropout (tensor/dropout.c).
 *
 * Training-mode dropout keeps each element (or, for feature dropout, each
 * whole channel) with probability 1 - p and scales what it keeps by
 * 1 / (1 - p), so the expected value is unchanged (PyTorch's "inverted"
 * dropout).  The mask, holding 0 or 1 / (1 - p) in x's dtype, is what
 * backward multiplies the gradient by.  Eval mode and p = 0 are the identity
 * and never reach these kernels.
 */
#ifndef LUAGRAD_TENSOR_DROPOUT_H
#define LUAGRAD_TENSOR_DROPOUT_H

#include "tensor/tensor.h"

/* The mask's shape: x's, or for feature dropout (x->shape[0], x->shape[1],
 * 1, ...), one draw per channel of each sample (x needs >= 2 dims then). */
int dropout_mask_shape(const char *fn, const Tensor *x, bool feature, int64_t *shape);
/* *out = x * mask with a fresh *mask (floating x, p in [0, 1]); the mask is
 * drawn and scaled, and x multiplied, in one pass after the bernoulli fill. */
int tensor_dropout(const Tensor *x, double p, bool feature, Tensor **out, Tensor **mask);
/* The same in place: x *= mask. */
int tensor_dropout_(Tensor *x, double p, bool feature, Tensor **mask);
/* The naive composition (bernoulli fill, scale, multiply as three ops): the
 * yardstick the fused pass is tested against; the same seed gives the same
 * mask. */
int tensor_dropout_ref(const Tensor *x, double p, bool feature, Tensor **out, Tensor **mask);

#endif
