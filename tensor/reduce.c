/*
 * reduce.c — the reductions whose result is one fold of the input: sum,
 * prod, mean, amax/amin, all/any, max/min with their positions, argmax/argmin.
 *
 * Each one plans the reduction (reduce_plan.c), folds it into a fresh
 * accumulator tensor (float64, or int64 for integer and bool inputs:
 * reduce_fold.c), converts that to the result dtype PyTorch gives, and puts
 * it in place.  Dtype rules follow PyTorch: sum and prod of integers and
 * bools are int64, mean needs a floating input, all/any give bool (uint8 for
 * uint8 input), max/min keep the input dtype; positions are int64, 0-based
 * here (the Lua binding adds 1).
 */
#include "tensor/reduce.h"

#include <math.h>

Tensor *reduce_acc(const ReducePlan *p, const FoldSpec *spec, Tensor **indices)
{
    int64_t n = p->outer * p->inner;
    Tensor *acc = tensor_empty(1, &n, fold_integer(p->x->dtype) ? DTYPE_INT64 : DTYPE_FLOAT64);
    Tensor *idx = indices ? tensor_empty(1, &n, DTYPE_INT64) : NULL;
    if (!acc || (indices && !idx) ||
        reduce_fold(p, spec, tensor_data(acc), idx ? tensor_data(idx) : NULL) < 0) {
        tensor_release(acc), tensor_release(idx);
        return NULL;
    }
    if (indices)
        *indices = idx;
    return acc;
}

Tensor *reduce_convert(Tensor *acc, DType dt)
{
    if (!acc || acc->dtype == dt)
        return acc;
    Tensor *r = tensor_to_dtype(acc, dt);
    tensor_release(acc);
    return r;
}

/* Fails when the plan reduces over nothing (max of no elements). */
static bool reduce_check_nonempty(const char *fn, const ReducePlan *p, const Tensor *t)
{
    if (p->size > 0)
        return true;
    char buf[128];
    tensor_fail("%s: cannot reduce over a dim of size 0 (input shape %s)", fn,
                tensor_shape_str(t, buf, sizeof buf));
    return false;
}

/* A reduction whose result is the converted accumulators. */
static Tensor *reduce_simple(const char *fn, const Tensor *t, int ndims, const int *dims,
                             bool keepdim, FoldKind kind, DType dt)
{
    ReducePlan p;
    if (reduce_plan(&p, fn, t, ndims, dims, keepdim, false) < 0)
        return NULL;
    Tensor *r = NULL;
    if ((kind != FOLD_MAX && kind != FOLD_MIN) || reduce_check_nonempty(fn, &p, t))
        r = reduce_place(&p, reduce_convert(reduce_acc(&p, &(FoldSpec){kind, 0, NULL}, NULL), dt));
    reduce_plan_free(&p);
    return r;
}

static DType sum_dtype(DType dt)
{
    return dtype_is_floating(dt) ? dt : DTYPE_INT64;
}

/* Below this many elements a whole-tensor sum of a contiguous floating
 * tensor is one loop: planning a reduction costs more than a loss of a few
 * hundred numbers (the common last op before backward). */
#define SUM_SMALL 1024

static Tensor *sum_small(const Tensor *t, int64_t n)
{
    double acc = 0;
    const void *data = tensor_data(t);
    if (t->dtype == DTYPE_FLOAT32)
        for (int64_t i = 0; i < n; i++)
            acc += ((const float *)data)[i];
    else
        for (int64_t i = 0; i < n; i++)
            acc += ((const double *)data)[i];
    return tensor_scalar(acc, t->dtype);
}

Tensor *tensor_sum(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    int64_t n = tensor_numel(t);
    if (ndims == 0 && !keepdim && n <= SUM_SMALL && dtype_is_floating(t->dtype) &&
        tensor_is_contiguous(t))
        return sum_small(t, n);
    return reduce_simple("sum", t, ndims, dims, keepdim, FOLD_SUM, sum_dtype(t->dtype));
}

Tensor *tensor_prod(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    return reduce_simple("prod", t, ndims, dims, keepdim, FOLD_PROD, sum_dtype(t->dtype));
}

Tensor *tensor_amax(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    return reduce_simple("amax", t, ndims, dims, keepdim, FOLD_MAX, t->dtype);
}

Tensor *tensor_amin(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    return reduce_simple("amin", t, ndims, dims, keepdim, FOLD_MIN, t->dtype);
}

static DType logical_dtype(DType dt)
{
    return dt == DTYPE_UINT8 ? DTYPE_UINT8 : DTYPE_BOOL;
}

Tensor *tensor_all(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    return reduce_simple("all", t, ndims, dims, keepdim, FOLD_ALL, logical_dtype(t->dtype));
}

Tensor *tensor_any(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    return reduce_simple("any", t, ndims, dims, keepdim, FOLD_ANY, logical_dtype(t->dtype));
}

Tensor *tensor_mean(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    if (!dtype_is_floating(t->dtype))
        return tensor_fail("mean: could not infer output dtype: the input is %s, and mean "
                           "needs a floating point input (convert it to float32 or float64)",
                           dtype_name(t->dtype));
    ReducePlan p;
    if (reduce_plan(&p, "mean", t, ndims, dims, keepdim, false) < 0)
        return NULL;
    Tensor *acc = reduce_acc(&p, &(FoldSpec){FOLD_SUM, 0, NULL}, NULL);
    if (acc) {
        double *a = tensor_data(acc);
        for (int64_t j = 0; j < p.outer * p.inner; j++)
            a[j] /= (double)p.size;   /* 0/0: the mean of nothing is NaN */
    }
    Tensor *r = reduce_place(&p, reduce_convert(acc, t->dtype));
    reduce_plan_free(&p);
    return r;
}

/* The values and positions of max/min over the planned dims. */
static int reduce_arg(const char *fn, const Tensor *t, int ndims, const int *dims, bool keepdim,
                      FoldKind kind, Tensor **values, Tensor **indices)
{
    ReducePlan p;
    /* Positions over several dims count in row-major order of the input. */
    if (reduce_plan(&p, fn, t, ndims, dims, keepdim, true) < 0)
        return -1;
    Tensor *idx = NULL, *acc = NULL;
    if (reduce_check_nonempty(fn, &p, t))
        acc = reduce_acc(&p, &(FoldSpec){kind, 0, NULL}, &idx);
    Tensor *v = values ? reduce_place(&p, reduce_convert(acc, t->dtype)) : NULL;
    if (!values)
        tensor_release(acc);
    Tensor *i = acc ? reduce_place(&p, idx) : NULL;
    reduce_plan_free(&p);
    if (!i || (values && !v)) {
        tensor_release(v), tensor_release(i);
        return -1;
    }
    if (values)
        *values = v;
    *indices = i;
    return 0;
}

int tensor_max_dim(const Tensor *t, int dim, bool keepdim, Tensor **values, Tensor **indices)
{
    return reduce_arg("max", t, 1, &dim, keepdim, FOLD_ARGMAX, values, indices);
}

int tensor_min_dim(const Tensor *t, int dim, bool keepdim, Tensor **values, Tensor **indices)
{
    return reduce_arg("min", t, 1, &dim, keepdim, FOLD_ARGMIN, values, indices);
}

static Tensor *reduce_argpos(const char *fn, const Tensor *t, const int *dim, bool keepdim,
                             FoldKind kind)
{
    Tensor *idx = NULL;
    reduce_arg(fn, t, dim ? 1 : 0, dim, keepdim, kind, NULL, &idx);
    return idx;
}

Tensor *tensor_argmax(const Tensor *t, const int *dim, bool keepdim)
{
    return reduce_argpos("argmax", t, dim, keepdim, FOLD_ARGMAX);
}

Tensor *tensor_argmin(const Tensor *t, const int *dim, bool keepdim)
{
    return reduce_argpos("argmin", t, dim, keepdim, FOLD_ARGMIN);
}

/* max()/min() of everything: the amax with its own message for no elements. */
static Tensor *reduce_extreme(const char *fn, const Tensor *t, FoldKind kind)
{
    if (tensor_numel(t) == 0) {
        char buf[128];
        return tensor_fail("%s: cannot reduce an empty tensor (shape %s): there is no %s "
                           "element; give a dim of nonzero size to reduce over", fn,
                           tensor_shape_str(t, buf, sizeof buf),
                           kind == FOLD_MAX ? "largest" : "smallest");
    }
    return reduce_simple(fn, t, 0, NULL, false, kind, t->dtype);
}

Tensor *tensor_max(const Tensor *t)
{
    return reduce_extreme("max", t, FOLD_MAX);
}

Tensor *tensor_min(const Tensor *t)
{
    return reduce_extreme("min", t, FOLD_MIN);
}
