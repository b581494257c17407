/*
 * ag_dropout.h — dropout, differentiable (autograd/op_dropout.c).
 *
 * Training-mode dropout of tensor/dropout.h, recorded as DropoutBackward,
 * whose gradient is grad * mask.  Eval mode and p = 0 are the identity and
 * are the caller's to short-cut (the binding returns x itself, as PyTorch).
 */
#ifndef LUAGRAD_AG_DROPOUT_H
#define LUAGRAD_AG_DROPOUT_H

#include "autograd/autograd.h"

/* feature: one draw per (sample, channel), PyTorch's feature_dropout. */
Tensor *ag_dropout(const Tensor *x, double p, bool feature);
int ag_dropout_(Tensor *x, double p, bool feature);

#endif
