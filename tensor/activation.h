/*
 * activation.h — the parameterised activations (activation.c): leaky_relu,
 * elu, softplus and hardtanh, elementwise with their derivatives.  (relu,
 * gelu, silu, sigmoid and tanh take no parameters and are unary ops of
 * tensor.h; softmax and log_softmax are scans.)
 */
#ifndef LUAGRAD_ACTIVATION_H
#define LUAGRAD_ACTIVATION_H

#include "tensor/tensor.h"

typedef enum {
    ACT_LEAKY_RELU,   /* x > 0 ? x : a x                              (a: negative_slope) */
    ACT_ELU,          /* x > 0 ? x : a (exp(x) - 1)                   (a: alpha) */
    ACT_SOFTPLUS,     /* a x > b ? x : log1p(exp(a x)) / a            (a: beta, b: threshold) */
    ACT_HARDTANH,     /* min(max(x, a), b)                            (a: min_val, b: max_val) */
    ACT_COUNT
} ActivationKind;

typedef struct {
    ActivationKind kind;
    double a, b;
} Activation;

/* "leaky_relu", ... */
const char *activation_name(ActivationKind kind);
/* Floating inputs only, as in PyTorch; the result keeps x's dtype. */
Tensor *tensor_activation(const Activation *act, const Tensor *x);
int tensor_activation_(const Activation *act, Tensor *x);
/* g * act'(x), g and x of one shape and dtype.  At a kink the derivative
 * is PyTorch's: leaky_relu and elu take the left side at 0, hardtanh is 0
 * at both bounds, softplus is 1 above the threshold. */
Tensor *tensor_activation_backward(const Activation *act, const Tensor *g, const Tensor *x);

#endif
