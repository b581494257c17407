/*
 * ag_activation.h — the parameterised activations of tensor/activation.h,
 * differentiable (op_activation.c).
 */
#ifndef LUAGRAD_AG_ACTIVATION_H
#define LUAGRAD_AG_ACTIVATION_H

#include "autograd/autograd.h"
#include "tensor/activation.h"

Tensor *ag_activation(const Activation *act, const Tensor *x);
/* In place; recorded like the other in-place ops (history.c). */
int ag_activation_(const Activation *act, Tensor *x);
/* g * act'(x), itself recorded (its gradients are the second derivatives). */
Tensor *ag_activation_backward(const Activation *act, const Tensor *g, const Tensor *x);

#endif
