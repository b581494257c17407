/*
 * ag_loss.h — the differentiable losses with C kernels (op_loss.c):
 * cross_entropy, nll_loss and the binary cross entropies, as the tensor
 * kernels of tensor/loss.h plus recording.
 *
 * Gradients flow to the input and, where PyTorch gives one, to a floating
 * target (class probabilities, binary targets); class weights and
 * pos_weight get none.
 */
#ifndef LUAGRAD_AG_LOSS_H
#define LUAGRAD_AG_LOSS_H

#include "autograd/autograd.h"
#include "tensor/loss.h"

Tensor *ag_cross_entropy(const Tensor *x, const Tensor *target, const ClassLoss *o);
Tensor *ag_nll_loss(const Tensor *x, const Tensor *target, const ClassLoss *o);
Tensor *ag_binary_cross_entropy(const Tensor *x, const Tensor *y, const Tensor *weight,
                                LossReduction reduction);
Tensor *ag_binary_cross_entropy_with_logits(const Tensor *x, const Tensor *y, const Tensor *weight,
                                            const Tensor *pos_weight, LossReduction reduction);

#endif
