/*
 * op_ternary.c — the elementwise ops of three operands with their
 * derivatives: clamp, masked_fill, lerp, addcmul, addcdiv (where sits with
 * the binary ops in op_elementwise.c).
 *
 * Operands broadcast, so each gradient is reduced to its operand's shape by
 * grad_to_input; a number given for an operand arrives as a 0-dim tensor
 * that needs no gradient.  The formulas are PyTorch's:
 *
 *   clamp        dx  = g where lo <= x <= hi
 *                dlo = g where x < lo (and lo < hi), dhi = g where x > hi (or hi < lo)
 *   masked_fill  dx  = g where not mask, dvalue = sum of g where mask
 *   lerp         dstart = g (1 - w), dend = g w, dw = g (end - start)
 *   addcmul      dx = g, dt1 = value g t2, dt2 = value g t1
 *   addcdiv      dx = g, dt1 = value g / t2, dt2 = -value g t1 / t2^2
 *
 * The in-place forms follow the protocol of node.h: the op runs out of place
 * on a recorded clone and the result is written back.
 */
#include "autograd/node.h"

/* a AND b, a OR b of two masks (not recorded: masks carry no gradient). */
static Tensor *mask_and(const Tensor *a, const Tensor *b)
{
    return a && b ? tmp(tensor_binary(BINARY_LOGICAL_AND, a, b)) : NULL;
}

static Tensor *mask_or(const Tensor *a, const Tensor *b)
{
    return a && b ? tmp(tensor_binary(BINARY_LOGICAL_OR, a, b)) : NULL;
}

/* ---- clamp ---------------------------------------------------------------------- */

/* i[0], i[1]: whether lo and hi were given; saved x, lo, hi in slots 0-2. */
static int clamp_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    bool has_lo = n->i[0], has_hi = n->i[1];
    Tensor *x = saved(n, 0), *lo = has_lo ? saved(n, 1) : NULL, *hi = has_hi ? saved(n, 2) : NULL;
    if (!x || (has_lo && !lo) || (has_hi && !hi))
        return -1;
    if (ag_needs_grad(n, 0)) {
        Tensor *above = has_lo ? f_compare(BINARY_GE, x, lo) : NULL;
        Tensor *below = has_hi ? f_compare(BINARY_LE, x, hi) : NULL;
        Tensor *inside = has_lo && has_hi ? mask_and(above, below) : has_lo ? above : below;
        gi[0] = grad_to_input(n, 0, f_keep(inside, g[0]));
    }
    if (has_lo && ag_needs_grad(n, 1)) {
        Tensor *chosen = f_compare(BINARY_LT, x, lo);
        if (has_hi)
            chosen = mask_and(chosen, f_compare(BINARY_LT, lo, hi));
        gi[1] = grad_to_input(n, 1, f_keep(chosen, g[0]));
    }
    if (has_hi && ag_needs_grad(n, 2)) {
        Tensor *chosen = f_compare(BINARY_GT, x, hi);
        if (has_lo)
            chosen = mask_or(chosen, f_compare(BINARY_LT, hi, lo));
        gi[2] = grad_to_input(n, 2, f_keep(chosen, g[0]));
    }
    return 0;
}

static const AgOp clamp_op = {"ClampBackward", clamp_backward, NULL,
                              "d(clamp(x, l, h))/dx = 1 where l <= x <= h, else 0; "
                              "d/dl = 1 where x < l; "
                              "d/dh = 1 where x > h"};
static const AgOp clamp_min_op = {"ClampMinBackward", clamp_backward, NULL,
                                  "d(clamp(x, l, h))/dx = 1 where x >= l, else 0; "
                                  "d/dl = 1 where x < l; "
                                  "d/dh: none"};
static const AgOp clamp_max_op = {"ClampMaxBackward", clamp_backward, NULL,
                                  "d(clamp(x, l, h))/dx = 1 where x <= h, else 0; "
                                  "d/dl: none; "
                                  "d/dh = 1 where x > h"};

Tensor *ag_clamp(const Tensor *x, const Tensor *lo, const Tensor *hi)
{
    if (!x)
        return NULL;
    Tensor *out = tensor_clamp(x, lo, hi);
    const Tensor *in[] = {x, lo, hi};
    if (!out || !dtype_is_floating(out->dtype) || !ag_should_record(3, in))
        return out;
    AgNode *n = ag_node_new(lo && hi ? &clamp_op : lo ? &clamp_min_op : &clamp_max_op, 3, in);
    if (n) {
        n->i[0] = lo != NULL;
        n->i[1] = hi != NULL;
        if (ag_save(n, 0, x) < 0 || (lo && ag_save(n, 1, lo) < 0) || (hi && ag_save(n, 2, hi) < 0)) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

int ag_clamp_(Tensor *x, const Tensor *lo, const Tensor *hi)
{
    const Tensor *others[] = {lo, hi};
    int rec = ag_inplace_check("clamp_", x, 2, others);
    if (rec <= 0)
        return rec < 0 ? -1 : tensor_clamp_(x, lo, hi);
    Tensor *old = ag_clone(x);
    int status = old ? ag_inplace_commit("clamp_", x, old, ag_clamp(old, lo, hi)) : -1;
    tensor_release(old);
    return status;
}

/* ---- masked_fill ----------------------------------------------------------------- */

/* Inputs (x, mask, value); the mask (no gradient) saved in slot 0. */
static int masked_fill_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *mask = saved(n, 0), *zero = tmp_scalar(0, g[0]);
    if (!mask || !zero)
        return -1;
    if (ag_needs_grad(n, 0))
        gi[0] = grad_to_input(n, 0, tmp(ag_where(mask, zero, g[0])));
    if (ag_needs_grad(n, 2))
        gi[2] = tmp(ag_sum(tmp(ag_where(mask, g[0], zero)), 0, NULL, false));
    return 0;
}

static const AgOp masked_fill_op = {"MaskedFillBackward", masked_fill_backward, NULL,
                                    "d(x:masked_fill(m, v))/dx = 0 where m, else 1; "
                                    "d/dm: none (a mask); "
                                    "d/dv: the sum of g where m"};

Tensor *ag_masked_fill(const Tensor *x, const Tensor *mask, const Tensor *value)
{
    if (!x || !mask || !value)
        return NULL;
    Tensor *out = tensor_masked_fill(x, mask, value);
    const Tensor *in[] = {x, NULL, value};
    if (!out || !dtype_is_floating(out->dtype) || !ag_should_record(3, in))
        return out;
    AgNode *n = ag_node_new(&masked_fill_op, 3, in);
    if (n && ag_save(n, 0, mask) < 0) {
        ag_node_release(n);
        n = NULL;
    }
    return ag_finish(n, out);
}

int ag_masked_fill_(Tensor *x, const Tensor *mask, const Tensor *value)
{
    int rec = ag_inplace_check("masked_fill_", x, 1, &value);
    if (rec <= 0)
        return rec < 0 ? -1 : tensor_masked_fill_tensor_(x, mask, value);
    Tensor *old = ag_clone(x);
    int status = old ? ag_inplace_commit("masked_fill_", x, old, ag_masked_fill(old, mask, value))
                     : -1;
    tensor_release(old);
    return status;
}

/* ---- lerp ---------------------------------------------------------------------- */

/* Saved: start and end (slots 0, 1) when the weight needs a gradient, the
 * weight (slot 2) when start or end does. */
static int lerp_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    bool need_w = ag_needs_grad(n, 2), need_se = ag_needs_grad(n, 0) || ag_needs_grad(n, 1);
    Tensor *start = need_w ? saved(n, 0) : NULL, *end = need_w ? saved(n, 1) : NULL;
    Tensor *w = need_se ? saved(n, 2) : NULL;
    if ((need_w && (!start || !end)) || (need_se && !w))
        return -1;
    if (ag_needs_grad(n, 0))
        gi[0] = grad_to_input(n, 0, f_mul(g[0], f_sub(tmp_scalar(1, w), w)));
    if (ag_needs_grad(n, 1))
        gi[1] = grad_to_input(n, 1, f_mul(g[0], w));
    if (need_w)
        gi[2] = grad_to_input(n, 2, f_mul(g[0], f_sub(end, start)));
    return 0;
}

static const AgOp lerp_op = {"LerpBackward", lerp_backward, NULL,
                             "d(lerp(s, e, w))/ds = 1 - w; d/de = w; d/dw = e - s"};

Tensor *ag_lerp(const Tensor *start, const Tensor *end, const Tensor *weight)
{
    if (!start || !end || !weight)
        return NULL;
    Tensor *out = tensor_lerp(start, end, weight);
    const Tensor *in[] = {start, end, weight};
    if (!out || !ag_should_record(3, in))
        return out;
    AgNode *n = ag_node_new(&lerp_op, 3, in);
    if (n) {
        bool need_w = ag_needs_grad(n, 2), need_se = ag_needs_grad(n, 0) || ag_needs_grad(n, 1);
        if ((need_w && (ag_save(n, 0, start) < 0 || ag_save(n, 1, end) < 0)) ||
            (need_se && ag_save(n, 2, weight) < 0)) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

int ag_lerp_(Tensor *start, const Tensor *end, const Tensor *weight)
{
    const Tensor *others[] = {end, weight};
    int rec = ag_inplace_check("lerp_", start, 2, others);
    if (rec <= 0)
        return rec < 0 ? -1 : tensor_lerp_(start, end, weight);
    Tensor *old = ag_clone(start);
    int status = old ? ag_inplace_commit("lerp_", start, old, ag_lerp(old, end, weight)) : -1;
    tensor_release(old);
    return status;
}

/* ---- addcmul, addcdiv ------------------------------------------------------------ */

/* Inputs (x, t1, t2), the value in f[0]; t1 and t2 saved in slots 1 and 2
 * where the formulas read them. */
static int addc_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    bool div = n->i[0];
    double value = n->f[0];
    bool need1 = ag_needs_grad(n, 1), need2 = ag_needs_grad(n, 2);
    Tensor *t1 = need2 ? saved(n, 1) : NULL;
    Tensor *t2 = need1 || (div && need2) ? saved(n, 2) : NULL;
    if ((need2 && !t1) || ((need1 || (div && need2)) && !t2))
        return -1;
    gi[0] = ag_needs_grad(n, 0) ? grad_to_input(n, 0, g[0]) : NULL;
    Tensor *scaled = need1 || need2 ? f_scale(g[0], value) : NULL;
    if (need1)
        gi[1] = grad_to_input(n, 1, div ? f_div(scaled, t2) : f_mul(scaled, t2));
    if (need2)
        gi[2] = grad_to_input(n, 2, div ? f_unary(UNARY_NEG, f_div(f_mul(scaled, t1), f_mul(t2, t2)))
                                        : f_mul(scaled, t1));
    return 0;
}

static const AgOp addcmul_op = {"AddcmulBackward", addc_backward, NULL,
                                "d(x + value*a*b)/dx = 1; d/da = value*b; d/db = value*a"};
static const AgOp addcdiv_op = {"AddcdivBackward", addc_backward, NULL,
                                "d(x + value*a/b)/dx = 1; d/da = value/b; d/db = -value*a/b^2"};

static Tensor *addc(bool div, const Tensor *x, const Tensor *t1, const Tensor *t2, double value)
{
    if (!x || !t1 || !t2)
        return NULL;
    Tensor *out = (div ? tensor_addcdiv : tensor_addcmul)(x, t1, t2, value);
    const Tensor *in[] = {x, t1, t2};
    if (!out || !dtype_is_floating(out->dtype) || !ag_should_record(3, in))
        return out;
    AgNode *n = ag_node_new(div ? &addcdiv_op : &addcmul_op, 3, in);
    if (n) {
        n->i[0] = div;
        n->f[0] = value;
        bool need1 = ag_needs_grad(n, 1), need2 = ag_needs_grad(n, 2);
        if ((need2 && ag_save(n, 1, t1) < 0) ||
            ((need1 || (div && need2)) && ag_save(n, 2, t2) < 0)) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

static int addc_(bool div, Tensor *x, const Tensor *t1, const Tensor *t2, double value)
{
    const char *fn = div ? "addcdiv_" : "addcmul_";
    const Tensor *others[] = {t1, t2};
    int rec = ag_inplace_check(fn, x, 2, others);
    if (rec <= 0)
        return rec < 0 ? -1 : (div ? tensor_addcdiv_ : tensor_addcmul_)(x, t1, t2, value);
    Tensor *old = ag_clone(x);
    int status = old ? ag_inplace_commit(fn, x, old, addc(div, old, t1, t2, value)) : -1;
    tensor_release(old);
    return status;
}

Tensor *ag_addcmul(const Tensor *x, const Tensor *t1, const Tensor *t2, double value)
{
    return addc(false, x, t1, t2, value);
}

Tensor *ag_addcdiv(const Tensor *x, const Tensor *t1, const Tensor *t2, double value)
{
    return addc(true, x, t1, t2, value);
}

int ag_addcmul_(Tensor *x, const Tensor *t1, const Tensor *t2, double value)
{
    return addc_(false, x, t1, t2, value);
}

int ag_addcdiv_(Tensor *x, const Tensor *t1, const Tensor *t2, double value)
{
    return addc_(true, x, t1, t2, value);
}
