/*
 * op_norm.c — batch, layer and group normalisation with their derivatives.
 *
 * A node saves the input (slot 0), the weight (slot 1, when there is one)
 * and the statistics the forward used (slots 2 and 3: mean and invstd);
 * f[0] is eps and i[0] the op's own argument (batch_norm: training; layer_norm:
 * how many trailing dims; group_norm: the groups).
 *
 * An ordinary backward calls the fused kernel of tensor/norm.c, which gives
 * the input, weight and bias gradients in one go.  A backward with
 * create_graph (grad mode on inside the formula) needs gradients that are
 * themselves recorded, so it writes the same closed form with ag_* ops and
 * recomputes the statistics from the saved input (they depend on it):
 *     xhat = (x - mean) * invstd,  dy = grad * weight,
 *     dx = invstd * (dy - mean(dy) - xhat * mean(dy * xhat)),
 *     dweight = sum(grad * xhat),  dbias = sum(grad),
 * where the means run over each normalised set.  The tests check the two
 * paths against each other.  To write that once for the three ops, the
 * input is seen in two shapes: `stats` (3-D, the sets along dims 1 and 2,
 * or for batch_norm along 0 and 2) and `affine` (outer, P, inner) with the
 * P parameters along dim 1.
 */
#include "autograd/ag_norm.h"
#include "autograd/node.h"

typedef enum { NORM_BATCH, NORM_LAYER, NORM_GROUP } NormKind;

typedef struct {
    int64_t stats[3];
    int sdims[2];
    int64_t affine[3];
} NormView;

static NormView norm_view(NormKind kind, const AgInput *x, int64_t arg)
{
    int64_t n = x->ndim > 0 ? x->shape[0] : 1, c = x->ndim > 1 ? x->shape[1] : 1, all = 1;
    for (int d = 0; d < x->ndim; d++)
        all *= x->shape[d];
    int64_t s = n > 0 && c > 0 ? all / (n * c) : 0;
    if (kind == NORM_BATCH)
        return (NormView){{n, c, s}, {0, 2}, {n, c, s}};
    if (kind == NORM_GROUP)
        return (NormView){{n * arg, c / arg * s, 1}, {1, 2}, {n, c, s}};
    int64_t len = 1;
    for (int d = x->ndim - (int)arg; d < x->ndim; d++)
        len *= x->shape[d];
    int64_t rows = len ? all / len : 0;
    return (NormView){{rows, len, 1}, {1, 2}, {rows, len, 1}};
}

static Tensor *shaped(const Tensor *t, const int64_t *shape3)
{
    return tmp(ag_reshape(t, 3, shape3));
}

/* A parameter's values (or gradient) as (1, P, 1), and back. */
static Tensor *as_column(const Tensor *p, const NormView *v)
{
    int64_t shape[3] = {1, v->affine[1], 1};
    return p ? shaped(p, shape) : NULL;
}

static Tensor *mean_over(const Tensor *t, const int *dims)
{
    return tmp(ag_mean(t, 2, dims, true));
}

/* The closed form, recorded.  stats_mean and stats_invstd are the
 * evaluation mode's constants (stats shape, broadcastable), or NULL to
 * recompute them from x. */
static void composed_backward(AgNode *n, const NormView *v, const Tensor *g, const Tensor *x,
                              const Tensor *w, const Tensor *mean, const Tensor *invstd,
                              double eps, Tensor **gi)
{
    Tensor *xs = shaped(x, v->stats), *xhat, *is;
    if (mean) {
        is = (Tensor *)invstd;
        xhat = f_mul(f_sub(xs, mean), is);
    } else {
        Tensor *centred = f_sub(xs, mean_over(xs, v->sdims));
        Tensor *var = mean_over(f_mul(centred, centred), v->sdims);
        is = f_unary(UNARY_RSQRT, f_shift(var, eps));
        xhat = f_mul(centred, is);
    }
    Tensor *ga = shaped(g, v->affine), *wcol = as_column(w, v);
    if (ag_needs_grad(n, 0)) {
        Tensor *dy = shaped(wcol ? f_mul(ga, wcol) : ga, v->stats);
        Tensor *dx = mean ? f_mul(dy, is)
                          : f_mul(is, f_sub(f_sub(dy, mean_over(dy, v->sdims)),
                                            f_mul(xhat, mean_over(f_mul(dy, xhat), v->sdims))));
        gi[0] = tmp(ag_reshape(dx, n->input[0].ndim, n->input[0].shape));
    }
    int outer[2] = {0, 2};
    if (ag_needs_grad(n, 1)) {
        Tensor *dw = tmp(ag_sum(f_mul(ga, shaped(xhat, v->affine)), 2, outer, false));
        gi[1] = tmp(ag_reshape(dw, n->input[1].ndim, n->input[1].shape));
    }
    if (ag_needs_grad(n, 2)) {
        Tensor *db = tmp(ag_sum(ga, 2, outer, false));
        gi[2] = tmp(ag_reshape(db, n->input[2].ndim, n->input[2].shape));
    }
}

/* The fused kernels, one signature. */
static int fused_backward(NormKind kind, AgNode *n, const Tensor *g, const Tensor *x,
                          const Tensor *w, const Tensor *mean, const Tensor *invstd, Tensor **gi)
{
    Tensor *gx = NULL, *gw = NULL, *gb = NULL;
    Tensor **px = ag_needs_grad(n, 0) ? &gx : NULL, **pw = ag_needs_grad(n, 1) ? &gw : NULL;
    Tensor **pb = ag_needs_grad(n, 2) ? &gb : NULL;
    int status;
    if (kind == NORM_BATCH)
        status = tensor_batch_norm_backward(g, x, w, mean, invstd, n->i[0], px, pw, pb);
    else if (kind == NORM_LAYER)
        status = tensor_layer_norm_backward(g, x, (int)n->i[0], w, mean, invstd, px, pw, pb);
    else
        status = tensor_group_norm_backward(g, x, n->i[0], w, mean, invstd, px, pw, pb);
    gi[0] = gx ? tmp(gx) : NULL;
    gi[1] = gw ? tmp(gw) : NULL;
    gi[2] = gb ? tmp(gb) : NULL;
    return status;
}

static int norm_backward(NormKind kind, AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *x = saved(n, 0), *w = n->i[1] ? saved(n, 1) : NULL;
    Tensor *mean = saved(n, 2), *invstd = saved(n, 3);
    if (!x || !mean || !invstd || (n->i[1] && !w))
        return -1;
    if (!ag_grad_enabled())
        return fused_backward(kind, n, g[0], x, w, mean, invstd, gi);
    NormView v = norm_view(kind, &n->input[0], n->i[0]);
    bool constant_stats = kind == NORM_BATCH && !n->i[0];
    int64_t col[3] = {1, v.stats[1], 1};
    composed_backward(n, &v, g[0], x, w, constant_stats ? shaped(mean, col) : NULL,
                      constant_stats ? shaped(invstd, col) : NULL, n->f[0], gi);
    return 0;
}

static int batch_norm_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    return norm_backward(NORM_BATCH, n, g, gi);
}

static int layer_norm_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    return norm_backward(NORM_LAYER, n, g, gi);
}

static int group_norm_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    return norm_backward(NORM_GROUP, n, g, gi);
}

static const AgOp batch_norm_op = {"BatchNormBackward", batch_norm_backward, NULL,
    "d(batch_norm(x, w, b))/dx: w*invstd*(g - mean(g) - xhat*mean(g*xhat)) per channel; "
    "d/dw: sum(g*xhat) per channel; d/db: sum(g) per channel"};
static const AgOp layer_norm_op = {"LayerNormBackward", layer_norm_backward, NULL,
    "d(layer_norm(x, w, b))/dx: invstd*(g*w - mean(g*w) - xhat*mean(g*w*xhat)) per row; "
    "d/dw: sum(g*xhat) over rows; d/db: sum(g) over rows"};
static const AgOp group_norm_op = {"GroupNormBackward", group_norm_backward, NULL,
    "d(group_norm(x, w, b))/dx: invstd*(g*w - mean(g*w) - xhat*mean(g*w*xhat)) per group; "
    "d/dw: sum(g*xhat) per channel; d/db: sum(g) per channel"};

/* The ending of every forward: records op when an input requires grad;
 * the statistics go to the node or are dropped.  status is the kernel's. */
static Tensor *record_norm(const AgOp *op, int status, const Tensor *x, const Tensor *w,
                           const Tensor *b, double eps, int64_t arg, Tensor *out, Tensor *mean,
                           Tensor *invstd)
{
    const Tensor *in[] = {x, w, b};
    if (status < 0 || !ag_should_record(3, in)) {
        tensor_release(mean), tensor_release(invstd);
        return status < 0 ? NULL : out;
    }
    AgNode *n = ag_node_new(op, 3, in);
    if (n) {
        n->f[0] = eps;
        n->i[0] = arg;
        n->i[1] = w != NULL;
        if (ag_save(n, 0, x) < 0 || (w && ag_save(n, 1, w) < 0) || ag_save(n, 2, mean) < 0 ||
            ag_save(n, 3, invstd) < 0) {
            ag_node_release(n);
            n = NULL;
        }
    }
    tensor_release(mean), tensor_release(invstd);
    return ag_finish(n, out);
}

Tensor *ag_batch_norm(const Tensor *x, const Tensor *weight, const Tensor *bias,
                      Tensor *running_mean, Tensor *running_var, bool training, double momentum,
                      double eps)
{
    if (!x)
        return NULL;
    Tensor *out, *mean, *invstd;
    int status = tensor_batch_norm(x, weight, bias, running_mean, running_var, training, momentum,
                                   eps, &out, &mean, &invstd);
    return record_norm(&batch_norm_op, status, x, weight, bias, eps, training, out, mean, invstd);
}

Tensor *ag_layer_norm(const Tensor *x, int nshape, const int64_t *normalized_shape,
                      const Tensor *weight, const Tensor *bias, double eps)
{
    if (!x)
        return NULL;
    Tensor *out, *mean, *invstd;
    int status = tensor_layer_norm(x, nshape, normalized_shape, weight, bias, eps, &out, &mean,
                                   &invstd);
    return record_norm(&layer_norm_op, status, x, weight, bias, eps, nshape, out, mean, invstd);
}

Tensor *ag_group_norm(const Tensor *x, int64_t groups, const Tensor *weight, const Tensor *bias,
                      double eps)
{
    if (!x)
        return NULL;
    Tensor *out, *mean, *invstd;
    int status = tensor_group_norm(x, groups, weight, bias, eps, &out, &mean, &invstd);
    return record_norm(&group_norm_op, status, x, weight, bias, eps, groups, out, mean, invstd);
}
