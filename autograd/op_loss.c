/*
 * op_loss.c — the losses with C kernels, with their derivatives.
 *
 * Cross entropy's derivative is softmax(x) minus the (smoothed, weighed)
 * target, times the output gradient per sample.  A plain backward runs it as
 * one fused kernel over the softmax the forward kept; a backward that is
 * itself recorded (create_graph) builds the same expression from recorded
 * ops on x, so second derivatives work: grad * (softmax(x) a - b) with the
 * constant coefficients a, b of tensor_class_loss_coefficients for class
 * indices, grad * (softmax(x) sum(w q) - w q) for probabilities q.  nll_loss
 * is linear in x, its derivative -grad * b (a scatter of the weights).
 *
 * The binary cross entropies are elementwise: their derivatives are written
 * with recorded ops (PyTorch's formulas), fused forward, composed backward:
 *   with logits: d/dx = sigmoid(x) (1 + (p - 1) y) - p y,
 *                d/dy = -x + (p - 1) softplus(-x);
 *   on probabilities: d/dx = (x - y) / max(x (1 - x), 1e-12),
 *                     d/dy = log(1 - x) - log(x).
 */
#include "autograd/ag_loss.h"
#include "autograd/node.h"

/* Saved slots and node fields shared by the class losses. */
enum { SAVED_X, SAVED_TARGET, SAVED_PROB, SAVED_WEIGHT };

static void store_class_loss(AgNode *n, const ClassLoss *o, double denominator, bool probs)
{
    n->i[0] = o->ignore_index;
    n->i[1] = o->base;
    n->i[2] = o->reduction;
    n->i[3] = probs;
    n->f[0] = o->label_smoothing;
    n->f[1] = denominator;
}

static ClassLoss class_loss_of(const AgNode *n, const Tensor *weight)
{
    return (ClassLoss){weight, n->i[0], n->i[1], n->f[0], (LossReduction)n->i[2]};
}

static int class_dim_of(const AgNode *n)
{
    return n->input[0].ndim == 1 ? 0 : 1;
}

/* The output gradient as a factor per sample that broadcasts against x:
 * g / denominator ("mean"), g ("sum"), g with a size-1 class dim ("none"). */
static Tensor *per_sample(const AgNode *n, const Tensor *g)
{
    switch ((LossReduction)n->i[2]) {
    case LOSS_NONE: return tmp(ag_unsqueeze(g, class_dim_of(n)));
    case LOSS_MEAN: return f_div(g, tmp_scalar(n->f[1], g));
    default: return (Tensor *)g;
    }
}

/* The class weights as a (1, C, 1, ...) view in dtype dt; NULL without. */
static Tensor *class_weight_view(const AgNode *n, const Tensor *weight, DType dt)
{
    if (!weight)
        return NULL;
    int nd = n->input[0].ndim, cd = class_dim_of(n);
    int64_t shape[TENSOR_MAX_DIMS];
    for (int d = 0; d < nd; d++)
        shape[d] = d == cd ? n->input[0].shape[cd] : 1;
    Tensor *w = weight->dtype == dt ? (Tensor *)weight : tmp(ag_to_dtype(weight, dt));
    return tmp(ag_reshape(w, nd, shape));
}

/* The target probabilities after label smoothing: (1 - e) q + e / C. */
static Tensor *smoothed(const AgNode *n, const Tensor *q)
{
    double e = n->f[0], C = (double)n->input[0].shape[class_dim_of(n)];
    return e > 0 ? f_shift(f_scale(q, 1 - e), e / C) : (Tensor *)q;
}

/* Saves what every class loss keeps: x, the target, the weight. */
static AgNode *class_loss_node(const AgOp *op, const Tensor *x, const Tensor *target,
                               const ClassLoss *o, double denominator)
{
    const Tensor *in[] = {x, target};
    AgNode *n = ag_node_new(op, 2, in);
    if (!n)
        return NULL;
    store_class_loss(n, o, denominator, loss_probability_target(x, target));
    if (ag_save(n, SAVED_X, x) < 0 || ag_save(n, SAVED_TARGET, target) < 0 ||
        (o->weight && ag_save(n, SAVED_WEIGHT, o->weight) < 0)) {
        ag_node_release(n);
        return NULL;
    }
    return n;
}

/* ---- cross_entropy ---------------------------------------------------------------- */

static Tensor *cross_entropy_grad_recorded(AgNode *n, const Tensor *g, Tensor *target,
                                           const ClassLoss *o)
{
    Tensor *x = saved(n, SAVED_X);
    int cd = class_dim_of(n);
    Tensor *p = x ? tmp(ag_softmax(x, cd)) : NULL;
    if (!p)
        return NULL;
    if (n->i[3]) {
        Tensor *w = class_weight_view(n, o->weight, x->dtype), *q = smoothed(n, target);
        Tensor *wq = w ? f_mul(q, w) : q;
        Tensor *total = tmp(ag_sum(wq, 1, &cd, true));
        return f_mul(per_sample(n, g), f_sub(f_mul(p, total), wq));
    }
    Tensor *a, *b;
    if (tensor_class_loss_coefficients(x, target, o, &a, &b) < 0)
        return NULL;
    tmp(a), tmp(b);
    return f_mul(per_sample(n, g), f_sub(f_mul(p, a), b));
}

/* d/dq of -sum w (1 - e) q log softmax(x): the probabilities' gradient. */
static Tensor *cross_entropy_target_grad(AgNode *n, const Tensor *g, const ClassLoss *o)
{
    Tensor *x = saved(n, SAVED_X);
    if (!x)
        return NULL;
    Tensor *w = class_weight_view(n, o->weight, x->dtype);
    Tensor *d = f_scale(tmp(ag_log_softmax(x, class_dim_of(n))), -(1 - n->f[0]));
    return f_mul(per_sample(n, g), w ? f_mul(d, w) : d);
}

static int cross_entropy_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *target = saved(n, SAVED_TARGET);
    Tensor *weight = n->saved[SAVED_WEIGHT].tensor ? saved(n, SAVED_WEIGHT) : NULL;
    if (!target || (n->saved[SAVED_WEIGHT].tensor && !weight))
        return -1;
    ClassLoss o = class_loss_of(n, weight);
    if (ag_needs_grad(n, 0) && !ag_grad_enabled()) {
        Tensor *p = saved(n, SAVED_PROB);
        gi[0] = p ? tmp(tensor_cross_entropy_backward(g[0], p, target, &o, n->f[1])) : NULL;
    } else if (ag_needs_grad(n, 0)) {
        gi[0] = cross_entropy_grad_recorded(n, g[0], target, &o);
    }
    if (ag_needs_grad(n, 1))
        gi[1] = cross_entropy_target_grad(n, g[0], &o);
    return 0;
}

static const AgOp cross_entropy_op = {
    "CrossEntropyLossBackward", cross_entropy_backward, NULL,
    "d(cross_entropy(x, y))/dx = (softmax(x) - onehot(y))/N (mean over N rows); "
    "d/dy = -log_softmax(x)/N (probability targets)"};

Tensor *ag_cross_entropy(const Tensor *x, const Tensor *target, const ClassLoss *o)
{
    if (!x || !target)
        return NULL;
    const Tensor *in[] = {x, target};
    bool record = ag_should_record(2, in);
    Tensor *prob = NULL;
    double denominator;
    Tensor *out = tensor_cross_entropy(x, target, o, record ? &prob : NULL, &denominator);
    if (!out || !record)
        return out;
    AgNode *n = class_loss_node(&cross_entropy_op, x, target, o, denominator);
    if (n && ag_save(n, SAVED_PROB, prob) < 0) {
        ag_node_release(n);
        n = NULL;
    }
    tensor_release(prob);
    return ag_finish(n, out);
}

/* ---- nll_loss ------------------------------------------------------------------------ */

static int nll_loss_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *x = saved(n, SAVED_X), *target = saved(n, SAVED_TARGET);
    Tensor *weight = n->saved[SAVED_WEIGHT].tensor ? saved(n, SAVED_WEIGHT) : NULL;
    if (!x || !target || (n->saved[SAVED_WEIGHT].tensor && !weight))
        return -1;
    ClassLoss o = class_loss_of(n, weight);
    if (!ag_grad_enabled()) {
        gi[0] = tmp(tensor_nll_loss_backward(g[0], x, target, &o, n->f[1]));
        return 0;
    }
    Tensor *a, *b;
    if (tensor_class_loss_coefficients(x, target, &o, &a, &b) < 0)
        return -1;
    tmp(a), tmp(b);
    gi[0] = f_unary(UNARY_NEG, f_mul(per_sample(n, g[0]), b));
    return 0;
}

static const AgOp nll_loss_op = {"NllLossBackward", nll_loss_backward, NULL,
                                 "d(nll_loss(x, y))/dx = -onehot(y)/N (mean over N rows)"};

Tensor *ag_nll_loss(const Tensor *x, const Tensor *target, const ClassLoss *o)
{
    if (!x || !target)
        return NULL;
    const Tensor *in[] = {x, target};
    double denominator;
    Tensor *out = tensor_nll_loss(x, target, o, &denominator);
    if (!out || !ag_should_record(2, in))
        return out;
    return ag_finish(class_loss_node(&nll_loss_op, x, target, o, denominator), out);
}

/* ---- binary cross entropies ------------------------------------------------------- */

enum { SAVED_Y = 1, SAVED_BINARY_WEIGHT = 2, SAVED_POS_WEIGHT = 3 };

/* A saved tensor that may be absent: *t NULL then; false on failure. */
static bool optional_saved(AgNode *n, int slot, Tensor **t)
{
    *t = n->saved[slot].tensor ? saved(n, slot) : NULL;
    return !n->saved[slot].tensor || *t;
}

/* g spread over the elements (divided by their count for "mean"), weighed. */
static Tensor *element_grad(AgNode *n, const Tensor *g, const Tensor *weight)
{
    Tensor *ge = (Tensor *)g;
    if (n->i[0] == LOSS_MEAN) {
        int64_t count = 1;
        for (int d = 0; d < n->input[0].ndim; d++)
            count *= n->input[0].shape[d];
        ge = f_div(g, tmp_scalar((double)count, g));
    }
    return weight ? f_mul(ge, weight) : (Tensor *)ge;
}

/* softplus(-x) = log1p(exp(-|x|)) + max(-x, 0), recorded. */
static Tensor *softplus_neg(const Tensor *x)
{
    Tensor *tail = f_unary(UNARY_LOG1P, f_unary(UNARY_EXP, f_unary(UNARY_NEG, f_unary(UNARY_ABS, x))));
    return f_add(tail, f_unary(UNARY_RELU, f_unary(UNARY_NEG, x)));
}

static int bce_with_logits_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *x = saved(n, 0), *y = saved(n, SAVED_Y), *w, *pw;
    if (!x || !y || !optional_saved(n, SAVED_BINARY_WEIGHT, &w) ||
        !optional_saved(n, SAVED_POS_WEIGHT, &pw))
        return -1;
    Tensor *gw = element_grad(n, g[0], w);
    if (ag_needs_grad(n, 0)) {
        Tensor *s = f_unary(UNARY_SIGMOID, x);
        Tensor *d = pw ? f_sub(f_mul(s, f_add(tmp_scalar(1, s), f_mul(f_shift(pw, -1), y))), f_mul(pw, y))
                       : f_sub(s, y);
        gi[0] = grad_to_input(n, 0, f_mul(gw, d));
    }
    if (ag_needs_grad(n, 1)) {
        Tensor *d = f_unary(UNARY_NEG, x);
        if (pw)
            d = f_add(d, f_mul(f_shift(pw, -1), softplus_neg(x)));
        gi[1] = grad_to_input(n, 1, f_mul(gw, d));
    }
    return 0;
}

static int bce_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *x = saved(n, 0), *y = saved(n, SAVED_Y), *w;
    if (!x || !y || !optional_saved(n, SAVED_BINARY_WEIGHT, &w))
        return -1;
    Tensor *gw = element_grad(n, g[0], w);
    if (ag_needs_grad(n, 0)) {
        Tensor *spread = f_mul(x, f_shift(f_unary(UNARY_NEG, x), 1));
        Tensor *floor = tmp(ag_clamp(spread, tmp_scalar(1e-12, x), NULL));
        gi[0] = grad_to_input(n, 0, f_mul(gw, f_div(f_sub(x, y), floor)));
    }
    if (ag_needs_grad(n, 1)) {
        Tensor *d = f_sub(f_unary(UNARY_LOG1P, f_unary(UNARY_NEG, x)), f_unary(UNARY_LOG, x));
        gi[1] = grad_to_input(n, 1, f_mul(gw, d));
    }
    return 0;
}

static const AgOp bce_with_logits_op = {
    "BinaryCrossEntropyWithLogitsBackward", bce_with_logits_backward, NULL,
    "d(bce_with_logits(x, y))/dx = (sigmoid(x) - y)/N (mean); d/dy = -x/N"};
static const AgOp bce_op = {
    "BinaryCrossEntropyBackward", bce_backward, NULL,
    "d(binary_cross_entropy(p, y))/dp = (p - y)/(p*(1 - p))/N (mean); "
    "d/dy = (log(1 - p) - log(p))/N"};

static Tensor *record_binary(const AgOp *op, const Tensor *x, const Tensor *y, const Tensor *weight,
                             const Tensor *pos_weight, LossReduction r, Tensor *out)
{
    const Tensor *in[] = {x, y};
    if (!out || !ag_should_record(2, in))
        return out;
    AgNode *n = ag_node_new(op, 2, in);
    if (n) {
        n->i[0] = r;
        if (ag_save(n, 0, x) < 0 || ag_save(n, SAVED_Y, y) < 0 ||
            (weight && ag_save(n, SAVED_BINARY_WEIGHT, weight) < 0) ||
            (pos_weight && ag_save(n, SAVED_POS_WEIGHT, pos_weight) < 0)) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

Tensor *ag_binary_cross_entropy(const Tensor *x, const Tensor *y, const Tensor *weight,
                                LossReduction reduction)
{
    if (!x || !y)
        return NULL;
    return record_binary(&bce_op, x, y, weight, NULL, reduction,
                         tensor_binary_cross_entropy(x, y, weight, reduction));
}

Tensor *ag_binary_cross_entropy_with_logits(const Tensor *x, const Tensor *y, const Tensor *weight,
                                            const Tensor *pos_weight, LossReduction reduction)
{
    if (!x || !y)
        return NULL;
    return record_binary(&bce_with_logits_op, x, y, weight, pos_weight, reduction,
                         tensor_binary_cross_entropy_with_logits(x, y, weight, pos_weight,
                                                                 reduction));
}
