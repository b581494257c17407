/*
 * dropout.c — dropout in training mode: a bernoulli mask, scaled, times x.
 *
 * The mask is drawn by tensor_bernoulli_ (the parallel, counter-based
 * stream of random.c, so a seed fixes the mask whatever the thread count),
 * as 0/1 in x's dtype; one fused pass then turns each mask element into 0 or
 * 1 / (1 - p) and writes x times it, instead of a scale pass and a multiply
 * pass over three arrays.  Feature dropout draws one value per (sample,
 * channel) and broadcasts it with an ordinary multiply: its mask is tiny.
 * The scale is rounded to x's dtype once, as PyTorch's noise.div_(1 - p)
 * leaves it, and p = 1 gives a zero scale (not 1/0), so x * 0 as in PyTorch.
 */
#include "tensor/dropout.h"

typedef struct {
    double scale;
} DropoutCtx;

/* Operands (out, x, mask); mask holds 0/1 and becomes 0/scale (a product,
 * not a branch: the mask is random, so a branch would mispredict half the
 * time, and 1 * scale is exactly scale).  Each
 * element of x is read before out and mask are written, so out may be x
 * (in place) and, for the feature mask's own scaling, all three the same. */
#define DEFINE_DROPOUT_LOOP(T)                                                            \
    static void dropout_##T(char **p, const int64_t *st, int64_t n, void *ctx)            \
    {                                                                                     \
        const T scale = (T)((const DropoutCtx *)ctx)->scale;                              \
        if (st[0] == sizeof(T) && st[1] == sizeof(T) && st[2] == sizeof(T)) {             \
            T *o = (T *)p[0], *m = (T *)p[2];                                             \
            const T *x = (const T *)p[1];                                                 \
            for (int64_t i = 0; i < n; i++) {                                             \
                T xv = x[i], k = m[i] * scale;                                            \
                m[i] = k;                                                                 \
                o[i] = xv * k;                                                            \
            }                                                                             \
            return;                                                                       \
        }                                                                                 \
        for (int64_t i = 0; i < n; i++) {                                                 \
            T xv = *(const T *)(p[1] + i * st[1]);                                        \
            T *m = (T *)(p[2] + i * st[2]), k = *m * scale;                               \
            *m = k;                                                                       \
            *(T *)(p[0] + i * st[0]) = xv * k;                                            \
        }                                                                                 \
    }
DEFINE_DROPOUT_LOOP(float)
DEFINE_DROPOUT_LOOP(double)

static bool dropout_check(const char *fn, const Tensor *x, double p)
{
    if (!dtype_is_floating(x->dtype)) {
        tensor_fail("%s: expected a floating tensor, got %s", fn, dtype_name(x->dtype));
        return false;
    }
    if (!(p >= 0 && p <= 1)) {
        tensor_fail("%s: dropout probability p must be in [0, 1], got %g", fn, p);
        return false;
    }
    return true;
}

int dropout_mask_shape(const char *fn, const Tensor *x, bool feature, int64_t *shape)
{
    if (feature && x->ndim < 2) {
        char buf[128];
        tensor_fail("%s: expected an input with at least 2 dims (N, C, ...), got %s", fn,
                    tensor_shape_str(x, buf, sizeof buf));
        return -1;
    }
    for (int d = 0; d < x->ndim; d++)
        shape[d] = feature && d >= 2 ? 1 : x->shape[d];
    return 0;
}

static double dropout_scale(double p)
{
    return p < 1 ? 1.0 / (1.0 - p) : 0.0;
}

/* A drawn 0/1 mask for x; NULL with a message on failure. */
static Tensor *dropout_draw(const char *fn, const Tensor *x, double p, bool feature)
{
    int64_t shape[TENSOR_MAX_DIMS];
    if (!dropout_check(fn, x, p) || dropout_mask_shape(fn, x, feature, shape) < 0)
        return NULL;
    Tensor *m = tensor_empty(x->ndim, shape, x->dtype);
    if (m && tensor_bernoulli_(m, 1 - p) < 0) {
        tensor_release(m);
        return NULL;
    }
    return m;
}

/* x * mask with the mask drawn into *mask: into `out` when given (x itself,
 * for the in-place form), else into a new tensor.  Returns the result (a
 * new reference only when out is NULL), NULL on failure. */
static Tensor *dropout_run(const char *fn, const Tensor *x, Tensor *out, double p, bool feature,
                           Tensor **mask)
{
    Tensor *m = dropout_draw(fn, x, p, feature);
    if (!m)
        return NULL;
    DropoutCtx ctx = {dropout_scale(p)};
    LoopFn loop = x->dtype == DTYPE_FLOAT32 ? dropout_float : dropout_double;
    Tensor *result;
    if (feature) {
        iter_run(3, (Tensor *[]){m, m, m}, m->ndim, m->shape, loop, &ctx, false);
        if (out)
            result = tensor_binary_(BINARY_MUL, out, m) < 0 ? NULL : out;
        else
            result = tensor_binary(BINARY_MUL, x, m);
    } else {
        result = out ? out : tensor_empty(x->ndim, x->shape, x->dtype);
        if (result)
            iter_run(3, (Tensor *[]){result, (Tensor *)x, m}, x->ndim, x->shape, loop, &ctx, true);
    }
    if (!result) {
        tensor_release(m);
        return NULL;
    }
    *mask = m;
    return result;
}

int tensor_dropout(const Tensor *x, double p, bool feature, Tensor **out, Tensor **mask)
{
    *out = dropout_run(feature ? "feature_dropout" : "dropout", x, NULL, p, feature, mask);
    return *out ? 0 : -1;
}

int tensor_dropout_(Tensor *x, double p, bool feature, Tensor **mask)
{
    const char *fn = feature ? "feature_dropout_" : "dropout_";
    if (!dropout_check(fn, x, p) || !tensor_begin_write(fn, x))
        return -1;
    return dropout_run(fn, x, x, p, feature, mask) ? 0 : -1;
}

int tensor_dropout_ref(const Tensor *x, double p, bool feature, Tensor **out, Tensor **mask)
{
    Tensor *m = dropout_draw("dropout", x, p, feature);
    Tensor *scale = m ? tensor_scalar(dropout_scale(p), x->dtype) : NULL;
    Tensor *scaled = scale ? tensor_binary(BINARY_MUL, m, scale) : NULL;
    Tensor *o = scaled ? tensor_binary(BINARY_MUL, x, scaled) : NULL;
    tensor_release(scale);
    tensor_release(m);
    if (!o) {
        tensor_release(scaled);
        return -1;
    }
    *out = o, *mask = scaled;
    return 0;
}
