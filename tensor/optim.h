/*
 * optim.h — the fused update kernels behind lib/optim: one pass over a
 * parameter, its gradient and the optimizer's state per step.
 *
 * Each function applies PyTorch 1.13's single-tensor update rule of one
 * optimizer to one parameter in place.  The per-step scalars (the step
 * count, bias corrections, NAdam's momentum products) are kept by the Lua
 * optimizer and passed in; the per-element arithmetic happens here, in the
 * parameter's precision with the constants rounded to it, as PyTorch's
 * kernels do.  Nothing is recorded for autograd; the parameter and every
 * state tensor count a write in their version, like any in-place op.
 *
 * The parameter, the gradient and the state tensors must share one shape
 * and one floating dtype.  Any of them may be strided: those are copied to
 * a contiguous buffer and back (the optimizer's own state is always
 * contiguous).  A state tensor the chosen options do not use is NULL.
 * Every function returns 0, or -1 with a message naming `fn`.
 */
#ifndef LUAGRAD_OPTIM_H
#define LUAGRAD_OPTIM_H

#include "tensor/tensor.h"

/* SGD with momentum: buf <- momentum * buf + (1 - dampening) * g (buf <- g
 * on the first step), then p <- p - lr * (nesterov ? g + momentum * buf : buf). */
typedef struct {
    double lr, momentum, dampening, weight_decay;
    bool nesterov, maximize;
    bool first;   /* the momentum buffer has no history yet */
} SgdOptions;
int optim_sgd_step(Tensor *param, const Tensor *grad, Tensor *momentum_buffer,
                   const SgdOptions *o);

/* Adam, and AdamW with `decoupled` (the weight decay shrinks p instead of
 * adding to g).  step counts from 1. */
typedef struct {
    double lr, beta1, beta2, eps, weight_decay, step;
    bool amsgrad, maximize, decoupled;
} AdamOptions;
int optim_adam_step(Tensor *param, const Tensor *grad, Tensor *exp_avg, Tensor *exp_avg_sq,
                    Tensor *max_exp_avg_sq, const AdamOptions *o);

/* grad_avg only when centered, momentum_buffer only when momentum > 0. */
typedef struct {
    double lr, alpha, eps, weight_decay, momentum;
    bool centered, maximize;
} RmspropOptions;
int optim_rmsprop_step(Tensor *param, const Tensor *grad, Tensor *square_avg, Tensor *grad_avg,
                       Tensor *momentum_buffer, const RmspropOptions *o);

typedef struct {
    double lr, lr_decay, weight_decay, eps, step;
    bool maximize;
} AdagradOptions;
int optim_adagrad_step(Tensor *param, const Tensor *grad, Tensor *sum, const AdagradOptions *o);

typedef struct {
    double lr, rho, eps, weight_decay;
    bool maximize;
} AdadeltaOptions;
int optim_adadelta_step(Tensor *param, const Tensor *grad, Tensor *square_avg, Tensor *acc_delta,
                        const AdadeltaOptions *o);

typedef struct {
    double lr, beta1, beta2, eps, weight_decay, step;
    bool maximize;
} AdamaxOptions;
int optim_adamax_step(Tensor *param, const Tensor *grad, Tensor *exp_avg, Tensor *exp_inf,
                      const AdamaxOptions *o);

/* mu_product: the product of the momentum coefficients mu_t of the steps
 * before this one (1 before the first); updated to include this step's. */
typedef struct {
    double lr, beta1, beta2, eps, weight_decay, momentum_decay, step;
} NadamOptions;
int optim_nadam_step(Tensor *param, const Tensor *grad, Tensor *exp_avg, Tensor *exp_avg_sq,
                     double *mu_product, const NadamOptions *o);

#endif
