/*
 * loss.h — the loss kernels with a C implementation (loss.c, loss_binary.c):
 * cross entropy (a fused, stable log-softmax + NLL), nll_loss, and the two
 * binary cross entropies.  The simpler losses (mse, l1, smooth_l1, huber,
 * kl_div) are compositions of differentiable ops in lib/nn/functional/loss.lua.
 *
 * Inputs with classes have them in dim 1 (dim 0 for a 1-D input, one sample
 * of C classes): (N, C) or (N, C, d1, ...).  The kernels see them as rows,
 * one per sample, of C contiguous logits; an input whose class dim is not
 * the last (N, C, d1, ...) is first copied to (N, d1, ..., C).
 *
 * Plain C like the rest of tensor/: failures return NULL with a message that
 * names the function and the shapes.
 */
#ifndef LUAGRAD_LOSS_H
#define LUAGRAD_LOSS_H

#include "tensor/tensor.h"

typedef enum { LOSS_NONE, LOSS_MEAN, LOSS_SUM } LossReduction;

/* "none", "mean", "sum"; -1 for another name. */
int loss_reduction_from_name(const char *name);

/* How a loss over class targets weighs and skips them. */
typedef struct {
    const Tensor *weight;     /* (C): one weight per class, or NULL for ones */
    int64_t ignore_index;     /* a target value (as given) that adds nothing */
    int64_t base;             /* the number of the first class: 1 from Lua, 0 from C */
    double label_smoothing;   /* cross_entropy: the share spread over all classes, in [0, 1] */
    LossReduction reduction;
} ClassLoss;

/* Whether `target` holds class probabilities for x (it has x's shape) rather
 * than class indices. */
bool loss_probability_target(const Tensor *x, const Tensor *target);

/*
 * cross_entropy: -log softmax(x)[target] per sample, or with probabilities
 * q: -sum_c q_c log softmax(x)_c; with label smoothing e the target becomes
 * (1 - e) target + e / C; each term is weighed by weight[class].  Reduced
 * like PyTorch: "mean" divides by the summed weights of the counted samples
 * (class indices) or by the number of samples (probabilities).
 *
 * `prob` (if not NULL) receives softmax(x), x's shape: what the backward
 * needs.  `denominator` receives what "mean" divided by (1 otherwise).
 */
Tensor *tensor_cross_entropy(const Tensor *x, const Tensor *target, const ClassLoss *o,
                             Tensor **prob, double *denominator);
/* d loss / d x from the output gradient `grad` (0-dim, or one per sample for
 * "none"): grad * (softmax - smoothed target), weighed. */
Tensor *tensor_cross_entropy_backward(const Tensor *grad, const Tensor *prob,
                                      const Tensor *target, const ClassLoss *o,
                                      double denominator);

/* nll_loss: -weight[t] x[t] per sample, x holding log-probabilities. */
Tensor *tensor_nll_loss(const Tensor *x, const Tensor *target, const ClassLoss *o,
                        double *denominator);
Tensor *tensor_nll_loss_backward(const Tensor *grad, const Tensor *x, const Tensor *target,
                                 const ClassLoss *o, double denominator);

/* The derivative of the per-sample loss with class-index targets is
 * softmax(x) * a - b: a (x's shape with 1 class) = (1 - e) w[t] + e W / C,
 * b (x's shape) = (1 - e) w[t] onehot(t) + e w / C, both 0 for ignored
 * samples (W: the sum of the weights; for nll_loss a is unused and e is 0).
 * The recorded backward (create_graph) builds on them. */
int tensor_class_loss_coefficients(const Tensor *x, const Tensor *target, const ClassLoss *o,
                                   Tensor **a, Tensor **b);

/* Elementwise binary cross entropies, then weighed (weight broadcast to x's
 * shape) and reduced; y must have x's shape.
 *   binary_cross_entropy: -(y max(log x, -100) + (1 - y) max(log(1 - x), -100)),
 *     x in [0, 1];
 *   binary_cross_entropy_with_logits: (1 - y) x + (1 + (p - 1) y) softplus(-x)
 *     with softplus(-x) = log1p(exp(-|x|)) + max(-x, 0), pos_weight p
 *     broadcast to x's shape (NULL: 1). */
Tensor *tensor_binary_cross_entropy(const Tensor *x, const Tensor *y, const Tensor *weight,
                                    LossReduction reduction);
Tensor *tensor_binary_cross_entropy_with_logits(const Tensor *x, const Tensor *y,
                                                const Tensor *weight, const Tensor *pos_weight,
                                                LossReduction reduction);

#endif
