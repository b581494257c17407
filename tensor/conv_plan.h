/*
 * conv_plan.h — private to tensor/conv*.c: the checked geometry of one
 * convolution, shared by the fast kernels (conv.c) and the reference
 * loops (conv_ref.c), so both refuse the same inputs with the same words.
 *
 * A plan is always that of a convolution: a transposed convolution is
 * planned as the convolution whose input gradient it computes (its input
 * is that convolution's output).  Operands are read as contiguous buffers:
 * an unbatched (C, H, W) or a 1-D (N, C, L) tensor has the memory layout of
 * (1, C, H, W) or (N, C, 1, L), so no views are needed.
 */
#ifndef LUAGRAD_TENSOR_CONV_PLAN_H
#define LUAGRAD_TENSOR_CONV_PLAN_H

#include "tensor/conv.h"

typedef struct {
    DType dtype;
    bool batched;               /* the operands have a batch dim */
    int64_t n, c, h, w;         /* the convolution's input (N, C, H, W) */
    int64_t o, oh, ow;          /* its output (N, O, OH, OW) */
    int64_t kh, kw, groups;     /* weight (O, C / groups, kH, kW) */
    int64_t sh, sw, ph, pw, dh, dw;   /* stride, padding before, dilation */
} ConvPlan;

/* Each checks its operands and fills the plan; false with a message naming
 * conv_name(p), the operand and the shapes.  b may be NULL. */
bool conv_plan_forward(const ConvParams *p, const Tensor *x, const Tensor *w, const Tensor *b,
                       ConvPlan *plan);
bool conv_plan_transpose(const ConvParams *p, const Tensor *x, const Tensor *w, const Tensor *b,
                         ConvPlan *plan);
bool conv_plan_input_grad(const ConvParams *p, const Tensor *g, const Tensor *w,
                          const int64_t *in_size, ConvPlan *plan);
bool conv_plan_weight_grad(const ConvParams *p, const Tensor *g, const Tensor *x,
                           const int64_t *k_size, ConvPlan *plan);

/* A new contiguous tensor for the convolution's input (channels c, size
 * h x w) or output (o, oh x ow), shaped as the user's operands are
 * (batched or not, 1-D or 2-D); zero-filled when `zero`. */
Tensor *conv_new_input(const ConvPlan *plan, const ConvParams *p, bool zero);
Tensor *conv_new_output(const ConvPlan *plan, const ConvParams *p, bool zero);
/* A new contiguous weight (O, C / groups, kH, kW), (O, C / groups, kW) in 1-D. */
Tensor *conv_new_weight(const ConvPlan *plan, const ConvParams *p, bool zero);

#endif
