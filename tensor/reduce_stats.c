/*
 * reduce_stats.c — reductions that fold a transformed input: var and std,
 * vector norms, logsumexp.
 *
 * var is computed in two passes, as numerically careful code does: first
 * the mean, then the sum of squared deviations from it (both in double), so
 * a large common offset does not swallow the spread as it does with
 * E[x^2] - E[x]^2.  logsumexp likewise subtracts each result's max before
 * exponentiating, so exp never overflows; an infinite max is replaced by 0
 * (PyTorch's rule), which gives inf for a +inf input and -inf when every
 * input is -inf.  These ops need floating inputs, except logsumexp, which
 * like PyTorch computes integer inputs in the default float dtype.
 */
#include "tensor/reduce.h"

#include <math.h>

/* The double accumulators of a fold with an optional center per result. */
static Tensor *stats_fold(const ReducePlan *p, FoldKind kind, double order, const Tensor *center)
{
    FoldSpec spec = {kind, order, center ? tensor_data(center) : NULL};
    return reduce_acc(p, &spec, NULL);
}

static bool stats_check_floating(const char *fn, const Tensor *t)
{
    if (dtype_is_floating(t->dtype))
        return true;
    tensor_fail("%s: needs a floating point input, got %s (convert it to float32 or float64)",
                fn, dtype_name(t->dtype));
    return false;
}

static Tensor *stats_var(const char *fn, const Tensor *t, int ndims, const int *dims,
                         double correction, bool keepdim, bool root)
{
    ReducePlan p;
    if (!stats_check_floating(fn, t) || reduce_plan(&p, fn, t, ndims, dims, keepdim, false) < 0)
        return NULL;
    int64_t n = p.outer * p.inner;
    Tensor *mean = stats_fold(&p, FOLD_SUM, 0, NULL), *acc = NULL;
    if (mean) {
        double *m = tensor_data(mean);
        for (int64_t j = 0; j < n; j++)
            m[j] /= (double)p.size;
        acc = stats_fold(&p, FOLD_SQDEV_SUM, 0, mean);
    }
    if (acc) {
        /* PyTorch divides by max(0, N - correction): 0/0 is NaN, x/0 inf. */
        double dof = fmax(0.0, (double)p.size - correction), *a = tensor_data(acc);
        for (int64_t j = 0; j < n; j++)
            a[j] = root ? sqrt(a[j] / dof) : a[j] / dof;
    }
    tensor_release(mean);
    Tensor *r = reduce_place(&p, reduce_convert(acc, t->dtype));
    reduce_plan_free(&p);
    return r;
}

Tensor *tensor_var(const Tensor *t, int ndims, const int *dims, double correction, bool keepdim)
{
    return stats_var("var", t, ndims, dims, correction, keepdim, false);
}

Tensor *tensor_std(const Tensor *t, int ndims, const int *dims, double correction, bool keepdim)
{
    return stats_var("std", t, ndims, dims, correction, keepdim, true);
}

static FoldKind norm_kind(double p)
{
    if (p == 2)
        return FOLD_SQ_SUM;
    if (p == 1)
        return FOLD_ABS_SUM;
    if (p == 0)
        return FOLD_NONZERO_SUM;
    if (isinf(p))
        return p > 0 ? FOLD_ABS_MAX : FOLD_ABS_MIN;
    return FOLD_POW_SUM;
}

Tensor *tensor_norm(const Tensor *t, double order, int ndims, const int *dims, bool keepdim)
{
    ReducePlan p;
    if (isnan(order))
        return tensor_fail("norm: the order p must be a number, got nan");
    if (!stats_check_floating("norm", t) ||
        reduce_plan(&p, "norm", t, ndims, dims, keepdim, false) < 0)
        return NULL;
    FoldKind kind = norm_kind(order);
    Tensor *acc = stats_fold(&p, kind, order, NULL);
    if (acc) {
        double *a = tensor_data(acc);
        for (int64_t j = 0; j < p.outer * p.inner; j++) {
            if (p.size == 0)
                a[j] = 0;   /* the norm of no elements, whatever p */
            else if (kind == FOLD_SQ_SUM)
                a[j] = sqrt(a[j]);
            else if (kind == FOLD_POW_SUM)
                a[j] = pow(a[j], 1 / order);
        }
    }
    Tensor *r = reduce_place(&p, reduce_convert(acc, t->dtype));
    reduce_plan_free(&p);
    return r;
}

Tensor *tensor_logsumexp(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    DType dt = dtype_is_floating(t->dtype) ? t->dtype : dtype_default();
    ReducePlan p;
    Tensor *x = dt == t->dtype ? tensor_alias(t) : tensor_to_dtype(t, dt);
    int rc = x ? reduce_plan(&p, "logsumexp", x, ndims, dims, keepdim, false) : -1;
    tensor_release(x);
    if (rc < 0)
        return NULL;
    int64_t n = p.outer * p.inner;
    Tensor *max = stats_fold(&p, FOLD_MAX, 0, NULL), *acc = NULL;
    if (max) {
        double *m = tensor_data(max);
        for (int64_t j = 0; j < n; j++)
            m[j] = isinf(m[j]) ? 0 : m[j];
        acc = stats_fold(&p, FOLD_EXPDEV_SUM, 0, max);
    }
    if (acc) {
        double *a = tensor_data(acc), *m = tensor_data(max);
        for (int64_t j = 0; j < n; j++)
            a[j] = log(a[j]) + m[j];
    }
    tensor_release(max);
    Tensor *r = reduce_place(&p, reduce_convert(acc, dt));
    reduce_plan_free(&p);
    return r;
}
