/*
 * op_scan.c — the ops along one dim with their derivatives: the running
 * sums and products (cumsum, cumprod) and softmax, log_softmax.
 *
 * A running sum's gradient is the running sum of the gradient taken from
 * the other end (y_j = sum_{i<=j} x_i, so dx_k = sum_{j>=k} g_j).  A running
 * product's is the same sum weighted by the products that omit x_k, which
 * is y_j / x_k while no x is zero (PyTorch's formula, O(n)).  With zeros in
 * x the division is wrong, and two exact paths take over:
 *
 *   - a plain backward (no create_graph) runs a loop that needs no division:
 *     dx_k = P_k S_k, with P_k = prod_{i<k} x_i and the backward recurrence
 *     S_k = g_k + x_{k+1} S_{k+1} (O(n));
 *   - a backward that is itself recorded builds every omitted product at
 *     once: row k of an (n, n) matrix is x with x_k replaced by 1, its
 *     running product gives prod_{i<=j, i!=k} x_i, kept where j >= k and
 *     summed against g (O(n^2) time and memory, made of recorded ops).
 *
 * Softmax and log_softmax keep their output for the backward:
 * d softmax: y (g - sum(g y)); d log_softmax: g - exp(y) sum(g).
 */
#include "autograd/node.h"

/* Records `op` of t along dim (normalised into i[0]), saving the input in
 * slot 0 and/or the output in slot 1. */
static Tensor *record_scan(const AgOp *op, const Tensor *t, int dim, Tensor *out, bool save_in,
                           bool save_out)
{
    if (!out || !dtype_is_floating(out->dtype) || !ag_should_record(1, &t))
        return out;
    AgNode *n = ag_node_new(op, 1, &t);
    if (n) {
        n->i[0] = dim < 0 ? dim + (t->ndim > 0 ? t->ndim : 1) : dim;
        if ((save_in && ag_save(n, 0, t) < 0) || (save_out && ag_save_output(n, 1, out, 0) < 0)) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

/* ---- cumsum ---------------------------------------------------------------------- */

/* sum_{j>=k} g_j along dim: the running sum taken from the end. */
static Tensor *reverse_cumsum(const Tensor *g, int dim)
{
    Tensor *flipped = tmp(ag_flip(g, 1, &dim));
    return tmp(ag_flip(tmp(ag_cumsum(flipped, dim)), 1, &dim));
}

static int cumsum_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = n->input[0].ndim == 0 ? g[0] : reverse_cumsum(g[0], (int)n->i[0]);
    return 0;
}

static const AgOp cumsum_op = {"CumsumBackward", cumsum_backward, NULL,
    "d(cumsum(x, dim))/dx: g summed from the end (each x feeds every later sum)"};

Tensor *ag_cumsum(const Tensor *t, int dim)
{
    return t ? record_scan(&cumsum_op, t, dim, tensor_cumsum(t, dim), false, false) : NULL;
}

/* ---- cumprod --------------------------------------------------------------------- */

/* The exact gradient without division, as a plain computation (no graph):
 * per row along dim, dx_k = P_k S_k (see the top of the file). */
static Tensor *cumprod_grad_plain(const Tensor *x, const Tensor *g, int dim)
{
    Tensor *xt = tensor_transpose(x, dim, -1), *gt = tensor_transpose(g, dim, -1);
    Tensor *xd = xt ? tensor_to_dtype(xt, DTYPE_FLOAT64) : NULL;
    Tensor *gd = gt ? tensor_to_dtype(gt, DTYPE_FLOAT64) : NULL;
    Tensor *out = xd && gd ? tensor_empty(xd->ndim, xd->shape, DTYPE_FLOAT64) : NULL;
    Tensor *result = NULL;
    if (out) {
        int64_t len = xd->shape[xd->ndim - 1], rows = len ? tensor_numel(xd) / len : 0;
        const double *xv = tensor_data(xd), *gv = tensor_data(gd);
        double *ov = tensor_data(out);
        for (int64_t r = 0; r < rows; r++) {
            const double *xr = xv + r * len, *gr = gv + r * len;
            double *orow = ov + r * len, s = 0, p = 1;
            for (int64_t k = len - 1; k >= 0; k--) {
                s = k == len - 1 ? gr[k] : gr[k] + xr[k + 1] * s;
                orow[k] = s;
            }
            for (int64_t k = 0; k < len; k++) {
                orow[k] *= p;
                p *= xr[k];
            }
        }
        Tensor *back = tensor_transpose(out, dim, -1);
        result = back ? tensor_to_dtype(back, x->dtype) : NULL;
        tensor_release(back);
    }
    tensor_release(xt), tensor_release(gt), tensor_release(xd), tensor_release(gd);
    tensor_release(out);
    return result;
}

/* An (n, n) bool matrix: k == j (diagonal) or j >= k (upper). */
static Tensor *square_mask(int64_t len, bool upper)
{
    Tensor *m = tensor_empty(2, (int64_t[]){len, len}, DTYPE_BOOL);
    for (int64_t k = 0; m && k < len; k++)
        for (int64_t j = 0; j < len; j++)
            ((uint8_t *)tensor_data(m))[k * len + j] = upper ? j >= k : j == k;
    return m;
}

/* The exact gradient with recorded ops: sum_{j>=k} g_j prod_{i<=j, i!=k} x_i,
 * all omitted products at once in an extra dim (see the top of the file). */
static Tensor *cumprod_grad_recorded(const Tensor *x, const Tensor *g, int dim)
{
    Tensor *xt = tmp(ag_transpose(x, dim, -1)), *gt = tmp(ag_transpose(g, dim, -1));
    if (!xt || !gt)
        return NULL;
    int nd = xt->ndim;
    int64_t len = xt->shape[nd - 1], square[TENSOR_MAX_DIMS + 1];
    for (int d = 0; d < nd; d++)
        square[d] = xt->shape[d];
    square[nd] = len;                                   /* (..., k, j) */
    Tensor *rows = tmp(ag_expand(tmp(ag_unsqueeze(xt, -2)), nd + 1, square));
    Tensor *diagonal = tmp(square_mask(len, false)), *upper = tmp(square_mask(len, true));
    Tensor *omitted = diagonal ? tmp(ag_where(diagonal, tmp_scalar(1, x), rows)) : NULL;
    Tensor *terms = f_mul(tmp(ag_cumprod(omitted, -1)), tmp(ag_unsqueeze(gt, -2)));
    int last = -1;
    Tensor *sum = tmp(ag_sum(f_keep(upper, terms), 1, &last, false));
    return tmp(ag_transpose(sum, dim, -1));
}

/* d cumprod: sum_{j>=k} g_j y_j / x_k without zeros in x (PyTorch's
 * reversed_cumsum(y g) / x), else one of the exact paths. */
static int cumprod_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *x = saved(n, 0);
    int dim = (int)n->i[0];
    if (!x)
        return -1;
    if (x->ndim == 0 || x->shape[dim] <= 1) {
        gi[0] = g[0];
        return 0;
    }
    int zero = reduce_any_zero(x);
    if (zero < 0)
        return -1;
    if (!zero) {
        Tensor *y = saved(n, 1);
        gi[0] = y ? f_div(reverse_cumsum(f_mul(y, g[0]), dim), x) : NULL;
    } else if (!ag_grad_enabled()) {
        gi[0] = tmp(cumprod_grad_plain(x, g[0], dim));
    } else {
        gi[0] = cumprod_grad_recorded(x, g[0], dim);
    }
    return 0;
}

static const AgOp cumprod_op = {"CumprodBackward", cumprod_backward, NULL,
    "d(cumprod(x, dim))/dx: the sum over later positions of g times the product without x"};

Tensor *ag_cumprod(const Tensor *t, int dim)
{
    return t ? record_scan(&cumprod_op, t, dim, tensor_cumprod(t, dim), true, true) : NULL;
}

/* ---- softmax, log_softmax ------------------------------------------------------ */

/* d softmax: y (g - sum(g y)) along dim. */
static int softmax_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *y = saved(n, 1);
    int dim = (int)n->i[0];
    if (!y)
        return -1;
    Tensor *dot = tmp(ag_sum(f_mul(g[0], y), 1, &dim, true));
    gi[0] = f_mul(y, f_sub(g[0], dot));
    return 0;
}

/* d log_softmax: g - exp(y) sum(g) along dim. */
static int log_softmax_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *y = saved(n, 1);
    int dim = (int)n->i[0];
    if (!y)
        return -1;
    Tensor *total = tmp(ag_sum(g[0], 1, &dim, true));
    gi[0] = f_sub(g[0], f_mul(f_unary(UNARY_EXP, y), total));
    return 0;
}

static const AgOp softmax_op = {"SoftmaxBackward", softmax_backward, NULL,
                                "d(softmax(x, dim))/dx: y*(g - sum(g*y)), y = softmax(x)"};
static const AgOp log_softmax_op = {"LogSoftmaxBackward", log_softmax_backward, NULL,
                                    "d(log_softmax(x, dim))/dx: g - softmax(x)*sum(g)"};

Tensor *ag_softmax(const Tensor *t, int dim)
{
    return t ? record_scan(&softmax_op, t, dim, tensor_softmax(t, dim), false, true) : NULL;
}

Tensor *ag_log_softmax(const Tensor *t, int dim)
{
    return t ? record_scan(&log_softmax_op, t, dim, tensor_log_softmax(t, dim), false, true)
             : NULL;
}
