/*
 * conv.h — convolutions of the tensor library (conv.c; the naive reference
 * in conv_ref.c): conv1d, conv2d and their transposes, forward and the
 * pieces of their backward.
 *
 * Everything is a 2-D convolution underneath: a 1-D one is a 2-D one whose
 * input has height 1.  Shapes follow PyTorch: input (N, C, H, W) or
 * unbatched (C, H, W) — (N, C, L) or (C, L) in 1-D —, weight
 * (O, C/groups, kH, kW) for a convolution and (C_in, O/groups, kH, kW) for
 * a transposed one, bias (O).  Inputs must share one floating dtype.
 *
 * A transposed convolution is the gradient of a convolution with respect
 * to its input, so three kernels cover the family: conv, its input
 * gradient (= conv_transpose without the bias) and its weight gradient.
 * The derivatives of each are the other two (autograd/op_conv.c).
 */
#ifndef LUAGRAD_TENSOR_CONV_H
#define LUAGRAD_TENSOR_CONV_H

#include "tensor/tensor.h"

/* The geometry of a convolution, per spatial dim: index 0 is the height,
 * 1 the width (in 1-D only index 1 is used; index 0 stays 1, 0, 0, 1, 0).
 * Padding may differ before and after (padding='same' with an even kernel
 * pads one more after, as PyTorch does). */
typedef struct {
    int64_t stride[2];
    int64_t pad_lo[2], pad_hi[2];
    int64_t dilation[2];
    int64_t output_padding[2];   /* transposed only: extra size after */
    int64_t groups;
    int64_t nspatial;            /* 1 or 2 */
    int64_t transposed;          /* 0 or 1: which function the messages name */
} ConvParams;

/* Stride 1, no padding, dilation 1, one group. */
ConvParams conv_params_default(int nspatial, bool transposed);
/* "conv2d", "conv_transpose1d", ...: the name messages use. */
const char *conv_name(const ConvParams *p);

/* y = conv(x, w) + b (b may be NULL). */
Tensor *tensor_conv(const Tensor *x, const Tensor *w, const Tensor *b, const ConvParams *p);
/* The transposed convolution of x with w, plus b: the gradient of
 * conv(., w) at an input whose size is (x's - 1) * stride - padding +
 * dilation * (k - 1) + output_padding + 1. */
Tensor *tensor_conv_transpose(const Tensor *x, const Tensor *w, const Tensor *b,
                              const ConvParams *p);
/* The gradient of conv(x, w) with respect to x, for the output gradient g
 * and an input of spatial size in_size (nspatial sizes: (H, W) or (L)). */
Tensor *tensor_conv_input_grad(const Tensor *g, const Tensor *w, const int64_t *in_size,
                               const ConvParams *p);
/* The gradient of conv(x, w) with respect to w (of spatial size k_size),
 * for the output gradient g. */
Tensor *tensor_conv_weight_grad(const Tensor *g, const Tensor *x, const int64_t *k_size,
                                const ConvParams *p);

/* The same three as direct loops in double precision: the yardstick the
 * im2col + GEMM kernels are tested against (conv_ref.c).  Shapes are
 * checked as above; p must not be transposed. */
Tensor *tensor_conv_ref(const Tensor *x, const Tensor *w, const Tensor *b, const ConvParams *p);
Tensor *tensor_conv_input_grad_ref(const Tensor *g, const Tensor *w, const int64_t *in_size,
                                   const ConvParams *p);
Tensor *tensor_conv_weight_grad_ref(const Tensor *g, const Tensor *x, const int64_t *k_size,
                                    const ConvParams *p);

#endif
