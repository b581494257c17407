/*
 * loss_binary.c — the binary cross entropies, elementwise: one pass computes
 * each element's loss through the elementwise runner (which broadcasts
 * pos_weight and converts dtypes), then the weight multiplies it and the
 * reduction folds it.
 *
 * With logits the loss is written so that no exp can overflow:
 * log(1 + exp(-x)) = log1p(exp(-|x|)) + max(-x, 0).  On probabilities the
 * logs are clamped at -100 as PyTorch does, so x = 0 or 1 gives a finite
 * loss; inputs outside [0, 1] (or NaN) are an error.
 */
#include "tensor/elementwise.h"
#include "tensor/loss.h"

#include <math.h>
#include <string.h>
#include <tgmath.h>

typedef struct {
    int out_of_range;    /* set by any thread that met an input outside [0, 1] */
} BinaryLossCtx;

/* out = EXPR(x, y, p); a flag in ctx records elements where BAD holds. */
#define BINARY_LOSS_LOOP(NAME, T, BAD, EXPR)                                             \
    static void NAME(char **ptr, const int64_t *st, int64_t n, void *ctx)                \
    {                                                                                    \
        bool bad = false;                                                                \
        for (int64_t i = 0; i < n; i++) {                                                \
            const T x = *(const T *)(ptr[1] + i * st[1]), y = *(const T *)(ptr[2] + i * st[2]); \
            const T p = *(const T *)(ptr[3] + i * st[3]);                                \
            (void)p;                                                                     \
            bad |= (BAD);                                                                \
            *(T *)(ptr[0] + i * st[0]) = (EXPR);                                         \
        }                                                                                \
        if (bad)                                                                         \
            __atomic_store_n(&((BinaryLossCtx *)ctx)->out_of_range, 1, __ATOMIC_RELAXED); \
    }

#define LOGITS_E                                                                         \
    (1 - y) * x + (1 + (p - 1) * y) * (log1p(exp(-fabs(x))) + (x < 0 ? -x : EW_K(0)))
#define PROBS_E                                                                          \
    -(y * fmax(log(x), EW_K(-100)) + (1 - y) * fmax(log1p(-x), EW_K(-100)))

BINARY_LOSS_LOOP(logits_f32, float, false, LOGITS_E)
BINARY_LOSS_LOOP(logits_f64, double, false, LOGITS_E)
BINARY_LOSS_LOOP(probs_f32, float, !(x >= 0 && x <= 1), PROBS_E)
BINARY_LOSS_LOOP(probs_f64, double, !(x >= 0 && x <= 1), PROBS_E)

/* Whether `t` (may be NULL) broadcasts to x's shape without growing it. */
static bool fits_input(const char *fn, const char *what, const Tensor *t, const Tensor *x)
{
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    if (!t || (broadcast_shapes(fn, t->ndim, t->shape, x->ndim, x->shape, &nd, shape) &&
               nd == x->ndim && memcmp(shape, x->shape, (size_t)nd * sizeof *shape) == 0))
        return true;
    char ts[128], xs[128];
    tensor_fail("%s: %s of shape %s does not broadcast to the input's shape %s", fn, what,
                tensor_shape_str(t, ts, sizeof ts), tensor_shape_str(x, xs, sizeof xs));
    return false;
}

static Tensor *weighed_and_reduced(Tensor *loss, const Tensor *weight, LossReduction r)
{
    if (loss && weight && tensor_binary_(BINARY_MUL, loss, weight) < 0) {
        tensor_release(loss);
        return NULL;
    }
    if (!loss || r == LOSS_NONE)
        return loss;
    Tensor *out = r == LOSS_MEAN ? tensor_mean(loss, 0, NULL, false) : tensor_sum(loss, 0, NULL, false);
    tensor_release(loss);
    return out;
}

static Tensor *binary_loss(const char *fn, const Tensor *x, const Tensor *y, const Tensor *weight,
                           const Tensor *pos_weight, LossReduction r, const LoopFn *loops)
{
    char xs[128], ys[128];
    if (!dtype_is_floating(x->dtype))
        return tensor_fail("%s: the input must be floating point (float32 or float64), got %s", fn,
                           dtype_name(x->dtype));
    if (!tensor_same_shape(x, y))
        return tensor_fail("%s: the target's shape %s must be the input's shape %s", fn,
                           tensor_shape_str(y, ys, sizeof ys), tensor_shape_str(x, xs, sizeof xs));
    if (!fits_input(fn, "weight", weight, x) || !fits_input(fn, "pos_weight", pos_weight, x))
        return NULL;
    Tensor *one = pos_weight ? NULL : tensor_scalar(1, x->dtype);
    const Tensor *in[3] = {x, y, pos_weight ? pos_weight : one};
    DType dts[3] = {x->dtype, x->dtype, x->dtype};
    BinaryLossCtx ctx = {0};
    Tensor *loss = in[2] ? ew_apply(fn, 3, in, dts, x->dtype, loops[x->dtype], &ctx) : NULL;
    tensor_release(one);
    if (loss && ctx.out_of_range) {
        tensor_release(loss);
        return tensor_fail("%s: every element of the input must be a probability between 0 and "
                           "1 (for logits use binary_cross_entropy_with_logits)", fn);
    }
    return weighed_and_reduced(loss, weight, r);
}

Tensor *tensor_binary_cross_entropy(const Tensor *x, const Tensor *y, const Tensor *weight,
                                    LossReduction reduction)
{
    static const LoopFn loops[DTYPE_COUNT] = {EW_FLOAT_ROW(probs)};
    return binary_loss("binary_cross_entropy", x, y, weight, NULL, reduction, loops);
}

Tensor *tensor_binary_cross_entropy_with_logits(const Tensor *x, const Tensor *y,
                                                const Tensor *weight, const Tensor *pos_weight,
                                                LossReduction reduction)
{
    static const LoopFn loops[DTYPE_COUNT] = {EW_FLOAT_ROW(logits)};
    return binary_loss("binary_cross_entropy_with_logits", x, y, weight, pos_weight, reduction,
                       loops);
}
