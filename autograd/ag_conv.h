/*
 * ag_conv.h — the differentiable convolutions (autograd/op_conv.c).
 *
 * The same arguments and results as tensor/conv.h, plus recording.  Each of
 * the three ops is recorded with a backward written in the other two, so
 * convolutions can be differentiated twice (gradients of gradients, as in a
 * gradient penalty) as well as once.
 */
#ifndef LUAGRAD_AG_CONV_H
#define LUAGRAD_AG_CONV_H

#include "autograd/autograd.h"
#include "tensor/conv.h"

/* conv(x, w) + b, or the transposed convolution when p->transposed; b may be NULL. */
Tensor *ag_conv(const Tensor *x, const Tensor *w, const Tensor *b, const ConvParams *p);
/* The input and weight gradients of conv(., .) with params p, recorded. */
Tensor *ag_conv_input_grad(const Tensor *g, const Tensor *w, const int64_t *in_size,
                           const ConvParams *p);
Tensor *ag_conv_weight_grad(const Tensor *g, const Tensor *x, const int64_t *k_size,
                            const ConvParams *p);

#endif
