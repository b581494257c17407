/*
 * op_reduce.c — reductions with their derivatives.
 *
 * A reduction's gradient spreads the output's gradient back over the
 * reduced dims: reshape it to the output's keepdim shape (size 1 in each
 * reduced dim) and expand to the input's shape.  The node keeps the reduced
 * dims in i[]: i[0] the count (0: all dims), i[1..] the dims, 0-based.
 * Formulas that need the output (prod, amax, norm, logsumexp, ...) reshape
 * it to the keepdim shape too and let broadcasting do the rest.
 *
 * The formulas are PyTorch's (derivatives.yaml, FunctionsManual.cpp):
 * ties of max/amax share the gradient evenly, max along a dim routes it to
 * the index it returned, prod divides only when no element is zero, and the
 * norms take PyTorch's choices at zero.  Masks and tie counts are constants
 * (plain kernels); everything else is recorded, so second derivatives work.
 */
#include <math.h>
#include <string.h>

#include "autograd/node.h"

/* Records the reduced dims of t (normalised) in n; -1 on a bad dim. */
static int store_dims(AgNode *n, const Tensor *t, int ndims, const int *dims)
{
    n->i[0] = ndims;
    for (int k = 0; k < ndims; k++) {
        int d = tensor_wrap_dim("sum", dims[k], t->ndim > 0 ? t->ndim : 1);
        if (d < 0)
            return -1;
        n->i[1 + k] = d;
    }
    return 0;
}

/* The input's shape with every reduced dim set to 1. */
static void keepdim_shape(const AgNode *n, int64_t *shape)
{
    const AgInput *in = &n->input[0];
    memcpy(shape, in->shape, (size_t)in->ndim * sizeof shape[0]);
    if (n->i[0] == 0)
        for (int d = 0; d < in->ndim; d++)
            shape[d] = 1;
    for (int k = 0; k < n->i[0]; k++)
        if (in->ndim > 0)
            shape[n->i[1 + k]] = 1;
}

/* g (the reduction's output gradient) spread over the input's shape. */
Tensor *reduce_grad_spread(const AgNode *n, const Tensor *g)
{
    const AgInput *in = &n->input[0];
    int64_t shape[TENSOR_MAX_DIMS];
    keepdim_shape(n, shape);
    Tensor *kept = tmp(ag_reshape(g, in->ndim, shape));
    return tmp(ag_expand(kept, in->ndim, in->shape));
}

/* How many input elements each output element summarises. */
double reduce_count(const AgNode *n)
{
    const AgInput *in = &n->input[0];
    int64_t shape[TENSOR_MAX_DIMS], all = 1, kept = 1;
    keepdim_shape(n, shape);
    for (int d = 0; d < in->ndim; d++) {
        all *= in->shape[d];
        kept *= shape[d];
    }
    return kept > 0 ? (double)all / (double)kept : 0;
}

static int sum_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = reduce_grad_spread(n, g[0]);
    return 0;
}

static int mean_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = reduce_grad_spread(n, f_scale(g[0], 1.0 / reduce_count(n)));
    return 0;
}

static const AgOp sum_op = {"SumBackward", sum_backward, NULL,
                            "d(sum(x))/dx = 1"};
static const AgOp mean_op = {"MeanBackward", mean_backward, NULL,
                             "d(mean(x))/dx = 1/n (n elements averaged)"};

/* A reduction node for t over dims, or NULL (with out released) on failure. */
AgNode *reduce_node(const AgOp *op, const Tensor *t, int ndims, const int *dims)
{
    AgNode *n = ag_node_new(op, 1, &t);
    if (n && store_dims(n, t, ndims, dims) < 0) {
        ag_node_release(n);
        return NULL;
    }
    return n;
}

Tensor *ag_sum(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    if (!t)
        return NULL;
    Tensor *out = tensor_sum(t, ndims, dims, keepdim);
    if (!out || !ag_should_record(1, &t))
        return out;
    return ag_finish(reduce_node(&sum_op, t, ndims, dims), out);
}

Tensor *ag_mean(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    if (!t)
        return NULL;
    Tensor *out = tensor_mean(t, ndims, dims, keepdim);
    if (!out || !ag_should_record(1, &t))
        return out;
    return ag_finish(reduce_node(&mean_op, t, ndims, dims), out);
}

/* ---- helpers of the formulas below ------------------------------------------- */

/* The reduced dims of n (0-based) in dims; their count, 0 meaning all. */
static int node_dims(const AgNode *n, int *dims)
{
    for (int k = 0; k < n->i[0]; k++)
        dims[k] = (int)n->i[1 + k];
    return (int)n->i[0];
}

/* t (an output of reduction n, or its gradient) with the reduced dims back
 * as size 1, so that it broadcasts against the input. */
static Tensor *kept(const AgNode *n, const Tensor *t)
{
    int64_t shape[TENSOR_MAX_DIMS];
    keepdim_shape(n, shape);
    return tmp(ag_reshape(t, n->input[0].ndim, shape));
}

/* How many elements of each reduced slice the mask selects, in the keepdim
 * shape and like's dtype: a constant (ties carry no gradient). */
static Tensor *mask_count(const AgNode *n, const Tensor *mask, const Tensor *like)
{
    int dims[TENSOR_MAX_DIMS];
    int nd = node_dims(n, dims);
    Tensor *count = mask ? tmp(tensor_sum(mask, nd, dims, true)) : NULL;
    return count && like ? tmp(tensor_to_dtype(count, like->dtype)) : NULL;
}

/* Whether some element of x is zero; -1 on failure (node.h). */
int reduce_any_zero(const Tensor *x)
{
    Tensor *zero = f_compare(BINARY_EQ, x, tmp_scalar(0, x));
    Tensor *any = zero ? tmp(tensor_any(zero, 0, NULL, false)) : NULL;
    double v;
    return any && tensor_item(any, &v) == 0 ? v != 0 : -1;
}

/* Records reduction `op` of t, whose result is out, saving the input (slot
 * 0) and/or the output (slot 1); f is the op's number (correction, p). */
static Tensor *record_reduction(const AgOp *op, const Tensor *t, int ndims, const int *dims,
                                Tensor *out, bool save_in, bool save_out, double f)
{
    if (!out || !dtype_is_floating(out->dtype) || !ag_should_record(1, &t))
        return out;
    AgNode *n = reduce_node(op, t, ndims, dims);
    if (n) {
        n->f[0] = f;
        if ((save_in && ag_save(n, 0, t) < 0) || (save_out && ag_save_output(n, 1, out, 0) < 0)) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

/* ---- prod ------------------------------------------------------------------------ */

/* For each element of x, the product of the others of its row (x's last
 * dim), without dividing: the exclusive products from the front and from
 * the back, multiplied (PyTorch's prod_safe_zeros_backward). */
static Tensor *others_product_rows(const Tensor *x)
{
    int d = x->ndim - 1;
    int64_t len = x->shape[d], shape[TENSOR_MAX_DIMS];
    memcpy(shape, x->shape, (size_t)x->ndim * sizeof shape[0]);
    shape[d] = 1;
    Tensor *ones = tmp(tensor_empty(x->ndim, shape, x->dtype));
    if (!ones || tensor_fill_(ones, 1) < 0)
        return NULL;
    if (len == 1)
        return ones;
    Tensor *head = tmp(ag_narrow(x, d, 0, len - 1));
    Tensor *tail = tmp(ag_flip(tmp(ag_narrow(x, d, 1, len - 1)), 1, &d));
    if (!head || !tail)
        return NULL;
    Tensor *front_parts[] = {ones, head}, *back_parts[] = {ones, tail};
    Tensor *front = tmp(ag_cumprod(tmp(ag_cat(2, front_parts, d)), d));
    Tensor *back = tmp(ag_flip(tmp(ag_cumprod(tmp(ag_cat(2, back_parts, d)), d)), 1, &d));
    return f_mul(front, back);
}

/* The product of the other elements of each element's slice: the reduced
 * dims moved last and flattened into one, then back. */
static Tensor *others_product(const AgNode *n, const Tensor *x)
{
    int dims[TENSOR_MAX_DIMS], perm[TENSOR_MAX_DIMS], inverse[TENSOR_MAX_DIMS];
    int nd = node_dims(n, dims), np = 0;
    bool reduced[TENSOR_MAX_DIMS] = {false};
    for (int d = 0; d < x->ndim; d++)
        reduced[d] = nd == 0;
    for (int k = 0; k < nd; k++)
        reduced[dims[k]] = true;
    int64_t rows[TENSOR_MAX_DIMS + 1], len = 1;
    for (int d = 0; d < x->ndim; d++)
        if (!reduced[d]) {
            rows[np] = x->shape[d];
            perm[np++] = d;
        }
    int kept_dims = np;
    for (int d = 0; d < x->ndim; d++)
        if (reduced[d]) {
            len *= x->shape[d];
            perm[np++] = d;
        }
    rows[kept_dims] = len;
    for (int d = 0; d < x->ndim; d++)
        inverse[perm[d]] = d;
    Tensor *moved = tmp(ag_permute(x, perm));
    Tensor *flat = tmp(ag_reshape(moved, kept_dims + 1, rows));
    Tensor *others = flat ? others_product_rows(flat) : NULL;
    Tensor *back = others ? tmp(ag_reshape(others, moved->ndim, moved->shape)) : NULL;
    return tmp(ag_permute(back, inverse));
}

/* d prod: g * prod / x when no element of x is zero; otherwise g times the
 * product of the other elements of the slice (one zero: nonzero only at the
 * zero; two or more: zero). */
static int prod_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *x = saved(n, 0), *y = saved(n, 1);
    if (!x || !y)
        return -1;
    if (x->ndim == 0) {
        gi[0] = g[0];
        return 0;
    }
    int zero = reduce_any_zero(x);
    if (zero < 0)
        return -1;
    gi[0] = f_mul(kept(n, g[0]), zero ? others_product(n, x) : f_div(kept(n, y), x));
    return 0;
}

static const AgOp prod_op = {"ProdBackward", prod_backward, NULL,
                             "d(prod(x))/dx = prod(x)/x (the product of the other elements)"};

Tensor *ag_prod(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    if (!t)
        return NULL;
    return record_reduction(&prod_op, t, ndims, dims, tensor_prod(t, ndims, dims, keepdim), true,
                            true, 0);
}

/* ---- amax, amin, max, min ---------------------------------------------------- */

/* d amax: g shared evenly among the elements equal to their slice's result
 * (amin alike).  max() and min() over everything do the same, except that a
 * NaN result goes to the NaNs (PyTorch's evenly_distribute_backward). */
static int extreme_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *x = saved(n, 0), *y = saved(n, 1);
    if (!x || !y)
        return -1;
    double v = 0;
    bool nan_result = n->f[0] != 0 && tensor_item(y, &v) == 0 && isnan(v);   /* max(), min() */
    Tensor *mask = nan_result ? tmp(tensor_unary(UNARY_ISNAN, x))
                              : f_compare(BINARY_EQ, x, kept(n, y));
    gi[0] = f_keep(mask, f_div(kept(n, g[0]), mask_count(n, mask, g[0])));
    return 0;
}

static const AgOp amax_op = {"AmaxBackward", extreme_backward, NULL,
                             "d(amax(x))/dx = 1 at the maximum (shared evenly on ties), else 0"};
static const AgOp amin_op = {"AminBackward", extreme_backward, NULL,
                             "d(amin(x))/dx = 1 at the minimum (shared evenly on ties), else 0"};
static const AgOp max_op = {"MaxBackward", extreme_backward, NULL,
                            "d(max(x))/dx = 1 at the maximum, else 0"};
static const AgOp min_op = {"MinBackward", extreme_backward, NULL,
                            "d(min(x))/dx = 1 at the minimum, else 0"};
static const AgOp max_dim_op = {"MaxBackward", select_backward, NULL,
                                "d(max(x))/dx = 1 at the maximum, else 0"};
static const AgOp min_dim_op = {"MinBackward", select_backward, NULL,
                                "d(min(x))/dx = 1 at the minimum, else 0"};

Tensor *ag_amax(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    if (!t)
        return NULL;
    return record_reduction(&amax_op, t, ndims, dims, tensor_amax(t, ndims, dims, keepdim), true,
                            true, 0);
}

Tensor *ag_amin(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    if (!t)
        return NULL;
    return record_reduction(&amin_op, t, ndims, dims, tensor_amin(t, ndims, dims, keepdim), true,
                            true, 0);
}

Tensor *ag_max(const Tensor *t)
{
    return t ? record_reduction(&max_op, t, 0, NULL, tensor_max(t), true, true, 1) : NULL;
}

Tensor *ag_min(const Tensor *t)
{
    return t ? record_reduction(&min_op, t, 0, NULL, tensor_min(t), true, true, 1) : NULL;
}

/* Values along a dim route their gradient to the index they came from. */
static int extreme_dim(const AgOp *op, const Tensor *t, int dim, bool keepdim, Tensor **values,
                       Tensor **indices)
{
    if (!t)
        return -1;
    int status = (op == &max_dim_op ? tensor_max_dim : tensor_min_dim)(t, dim, keepdim, values,
                                                                        indices);
    return selection_result(op, t, dim, keepdim, status, values, indices);
}

int ag_max_dim(const Tensor *t, int dim, bool keepdim, Tensor **values, Tensor **indices)
{
    return extreme_dim(&max_dim_op, t, dim, keepdim, values, indices);
}

int ag_min_dim(const Tensor *t, int dim, bool keepdim, Tensor **values, Tensor **indices)
{
    return extreme_dim(&min_dim_op, t, dim, keepdim, values, indices);
}

/* ---- var, std -------------------------------------------------------------------- */

/* d var: 2 / (N - correction) * g * (x - mean(x)), N the size of each slice
 * (an infinite factor when N <= correction, where var itself is inf or
 * NaN); gk is the gradient in the keepdim shape. */
static Tensor *var_grad(const AgNode *n, const Tensor *x, const Tensor *gk)
{
    int dims[TENSOR_MAX_DIMS];
    int nd = node_dims(n, dims);
    double dof = reduce_count(n) - n->f[0];
    Tensor *mean = tmp(ag_mean(x, nd, dims, true));
    return f_mul(f_scale(gk, 2.0 / (dof > 0 ? dof : 0)), f_sub(x, mean));
}

static int var_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *x = saved(n, 0);
    if (!x)
        return -1;
    gi[0] = var_grad(n, x, kept(n, g[0]));
    return 0;
}

/* d std = d var / (2 std), taken as 0 where std is 0. */
static int std_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *x = saved(n, 0), *y = saved(n, 1);
    if (!x || !y)
        return -1;
    Tensor *ky = kept(n, y);
    Tensor *gvar = f_keep(f_compare(BINARY_NE, ky, tmp_scalar(0, ky)),
                          f_div(kept(n, g[0]), f_scale(ky, 2)));
    gi[0] = var_grad(n, x, gvar);
    return 0;
}

static const AgOp var_op = {"VarBackward", var_backward, NULL,
                            "d(var(x))/dx = 2*(x - mean(x))/(n - correction)"};
static const AgOp std_op = {"StdBackward", std_backward, NULL,
                            "d(std(x))/dx = (x - mean(x))/((n - correction)*std(x))"};

Tensor *ag_var(const Tensor *t, int ndims, const int *dims, double correction, bool keepdim)
{
    if (!t)
        return NULL;
    return record_reduction(&var_op, t, ndims, dims,
                            tensor_var(t, ndims, dims, correction, keepdim), true, false,
                            correction);
}

Tensor *ag_std(const Tensor *t, int ndims, const int *dims, double correction, bool keepdim)
{
    if (!t)
        return NULL;
    return record_reduction(&std_op, t, ndims, dims,
                            tensor_std(t, ndims, dims, correction, keepdim), true, true,
                            correction);
}

/* ---- norm ---------------------------------------------------------------------- */

/* PyTorch's norm_backward, r the norm and g its gradient (keepdim shapes):
 *   p = 0:      0
 *   p = 1:      sign(x) g
 *   p = 2:      g x / r, 0 where r = 0
 *   p = +-inf:  sign(x) g / count, at the elements with |x| = r (or NaN)
 *   p < 1:      sign(x) |x|^(p-1) g r^(1-p), 0 where x = 0
 *   p < 2:      sign(x) |x|^(p-1) g / r^(p-1), 0 where r = 0
 *   otherwise:  x |x|^(p-2) g / r^(p-1), 0 where r = 0 */
static int norm_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *x = saved(n, 0), *y = saved(n, 1);
    if (!x || !y)
        return -1;
    double p = n->f[0];
    Tensor *gk = kept(n, g[0]), *r = kept(n, y);
    Tensor *r_nonzero = f_compare(BINARY_NE, r, tmp_scalar(0, r));
    if (p == 0) {
        gi[0] = tmp(tensor_zeros(x->ndim, x->shape, x->dtype));
    } else if (p == 1) {
        gi[0] = f_mul(f_unary(UNARY_SIGN, x), gk);
    } else if (p == 2) {
        gi[0] = f_mul(gk, f_keep(r_nonzero, f_div(x, r)));
    } else if (isinf(p)) {
        Tensor *ax = f_unary(UNARY_ABS, x);
        Tensor *hit = f_compare(BINARY_EQ, ax, r);
        Tensor *nan = ax ? tmp(tensor_unary(UNARY_ISNAN, ax)) : NULL;
        Tensor *mask = hit && nan ? tmp(tensor_binary(BINARY_LOGICAL_OR, hit, nan)) : NULL;
        gi[0] = f_keep(mask, f_mul(f_unary(UNARY_SIGN, x), f_div(gk, mask_count(n, mask, gk))));
    } else {
        Tensor *ax = f_unary(UNARY_ABS, x);
        Tensor *pw = tmp(ag_binary(BINARY_POW, ax, tmp_scalar(p < 2 ? p - 1 : p - 2, x)));
        Tensor *scaled = p < 2 ? f_mul(f_unary(UNARY_SIGN, x), pw) : f_mul(x, pw);
        if (p < 1) {
            Tensor *x_nonzero = f_compare(BINARY_NE, x, tmp_scalar(0, x));
            Tensor *rp = tmp(ag_binary(BINARY_POW, r, tmp_scalar(1 - p, r)));
            gi[0] = f_mul(f_keep(x_nonzero, scaled), f_mul(gk, rp));
        } else {
            Tensor *rp = tmp(ag_binary(BINARY_POW, r, tmp_scalar(p - 1, r)));
            gi[0] = f_mul(scaled, f_keep(r_nonzero, f_div(gk, rp)));
        }
    }
    return 0;
}

static const AgOp norm_op = {"NormBackward", norm_backward, NULL,
    "d(norm(x))/dx = x/norm(x) for p = 2, in general sign(x)*abs(x)^(p-1)/norm(x)^(p-1)"};

Tensor *ag_norm(const Tensor *t, double p, int ndims, const int *dims, bool keepdim)
{
    if (!t)
        return NULL;
    return record_reduction(&norm_op, t, ndims, dims, tensor_norm(t, p, ndims, dims, keepdim),
                            true, true, p);
}

/* ---- logsumexp ------------------------------------------------------------------ */

/* d logsumexp: g exp(x - logsumexp(x)), the softmax of the slice. */
static int logsumexp_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *x = saved(n, 0), *y = saved(n, 1);
    if (!x || !y)
        return -1;
    gi[0] = f_mul(kept(n, g[0]), f_unary(UNARY_EXP, f_sub(x, kept(n, y))));
    return 0;
}

static const AgOp logsumexp_op = {"LogsumexpBackward", logsumexp_backward, NULL,
                                  "d(logsumexp(x))/dx = softmax(x) = exp(x - logsumexp(x))"};

Tensor *ag_logsumexp(const Tensor *t, int ndims, const int *dims, bool keepdim)
{
    if (!t)
        return NULL;
    return record_reduction(&logsumexp_op, t, ndims, dims,
                            tensor_logsumexp(t, ndims, dims, keepdim), true, true, 0);
}
