/*
 * op_elementwise.c — the elementwise ops with their derivatives: binary ops
 * (+ - * / ^ and friends), unary functions, where, and sum_to, which undoes
 * broadcasting.
 *
 * Every formula is written with recorded ops (f_* in node.h), so that a
 * backward run with create_graph records its own graph and second
 * derivatives come for free.  Gradients are reduced to each input's shape by
 * grad_to_input.  The non-differentiable ops (comparisons, logical ops,
 * isnan and friends) never record.
 */
#include <math.h>
#include <stdio.h>

#include "autograd/node.h"

Tensor *f_keep(const Tensor *cond, const Tensor *x)
{
    Tensor *zero = tmp_scalar(0, x);
    return cond && zero ? tmp(ag_where(cond, x, zero)) : NULL;
}

/* ---- binary ops --------------------------------------------------------------- */

static bool binary_differentiable(BinaryOp op)
{
    return op <= BINARY_ATAN2;
}

/* d(a^b)/da = b a^(b-1), taken as 0 where b == 0 (also at a == 0);
 * d(a^b)/db = a^b log a, taken as 0 where a == 0 and b >= 0. */
static Tensor *pow_grad_base(const Tensor *g, const Tensor *a, const Tensor *b)
{
    Tensor *d = f_mul(b, tmp(ag_binary(BINARY_POW, a, f_shift(b, -1))));
    return f_keep(f_compare(BINARY_NE, b, tmp_scalar(0, b)), f_mul(g, d));
}

static Tensor *pow_grad_exponent(const Tensor *g, const Tensor *a, const Tensor *b)
{
    Tensor *d = f_mul(tmp(ag_binary(BINARY_POW, a, b)), f_unary(UNARY_LOG, a));
    Tensor *zero_base = f_compare(BINARY_EQ, a, tmp_scalar(0, a));
    Tensor *nonneg = f_compare(BINARY_GE, b, tmp_scalar(0, b));
    Tensor *skip = zero_base && nonneg ? tmp(tensor_binary(BINARY_LOGICAL_AND, zero_base, nonneg)) : NULL;
    Tensor *keep = skip ? tmp(tensor_unary(UNARY_LOGICAL_NOT, skip)) : NULL;
    return f_keep(keep, f_mul(g, d));
}

/* maximum/minimum: the gradient goes to the chosen operand, split evenly on
 * ties (PyTorch's rule). */
static void extremum_grads(const Tensor *g, const Tensor *a, const Tensor *b, bool max,
                           Tensor **ga, Tensor **gb)
{
    Tensor *tie = f_compare(BINARY_EQ, a, b);
    Tensor *share = tie ? tmp(ag_where(tie, f_scale(g, 0.5), g)) : NULL;
    *ga = f_keep(f_compare(max ? BINARY_GE : BINARY_LE, a, b), share);
    *gb = f_keep(f_compare(max ? BINARY_LE : BINARY_GE, a, b), share);
}

static int binary_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    BinaryOp op = (BinaryOp)n->i[0];
    double alpha = n->f[0];
    Tensor *grad = g[0], *ga = NULL, *gb = NULL;
    bool need_a = ag_needs_grad(n, 0), need_b = ag_needs_grad(n, 1);
    Tensor *a = n->saved[0].tensor ? saved(n, 0) : NULL;
    Tensor *b = n->saved[1].tensor ? saved(n, 1) : NULL;
    switch (op) {
    case BINARY_ADD:
    case BINARY_SUB:
        ga = grad;
        gb = op == BINARY_ADD && alpha == 1 ? grad : f_scale(grad, op == BINARY_ADD ? alpha : -alpha);
        break;
    case BINARY_MUL:
        ga = need_a ? f_mul(grad, b) : NULL;
        gb = need_b ? f_mul(grad, a) : NULL;
        break;
    case BINARY_DIV:                                  /* d(a/b) = da/b - a db/b^2 */
        ga = need_a ? f_div(grad, b) : NULL;
        gb = need_b ? f_div(f_mul(f_unary(UNARY_NEG, grad), a), f_mul(b, b)) : NULL;
        break;
    case BINARY_POW:
        ga = need_a ? pow_grad_base(grad, a, b) : NULL;
        gb = need_b ? pow_grad_exponent(grad, a, b) : NULL;
        break;
    case BINARY_MAXIMUM:
    case BINARY_MINIMUM:
        extremum_grads(grad, a, b, op == BINARY_MAXIMUM, &ga, &gb);
        break;
    case BINARY_ATAN2: {                              /* d atan2(a, b) = (b da - a db) / (a^2 + b^2) */
        Tensor *r2 = f_add(f_mul(a, a), f_mul(b, b));
        ga = need_a ? f_div(f_mul(grad, b), r2) : NULL;
        gb = need_b ? f_div(f_mul(f_unary(UNARY_NEG, grad), a), r2) : NULL;
        break;
    }
    case BINARY_FMOD:                                 /* a - trunc(a/b) b */
    case BINARY_REMAINDER: {                          /* a - floor(a/b) b */
        ga = grad;
        UnaryOp round = op == BINARY_FMOD ? UNARY_TRUNC : UNARY_FLOOR;
        gb = need_b ? f_mul(f_unary(UNARY_NEG, grad), f_unary(round, f_div(a, b))) : NULL;
        break;
    }
    default:
        return -1;
    }
    gi[0] = need_a ? grad_to_input(n, 0, ga) : NULL;
    gi[1] = need_b ? grad_to_input(n, 1, gb) : NULL;
    return 0;
}

static const AgOp binary_ops[] = {
    [BINARY_ADD] = {"AddBackward", binary_backward, NULL,
                    "d(a + b)/da = 1; d/db = 1"},
    [BINARY_SUB] = {"SubBackward", binary_backward, NULL,
                    "d(a - b)/da = 1; d/db = -1"},
    [BINARY_MUL] = {"MulBackward", binary_backward, NULL,
                    "d(a*b)/da = b; d/db = a"},
    [BINARY_DIV] = {"DivBackward", binary_backward, NULL,
                    "d(a/b)/da = 1/b; d/db = -a/b^2"},
    [BINARY_POW] = {"PowBackward", binary_backward, NULL,
                    "d(a^b)/da = b*a^(b-1); d/db = a^b*log(a)"},
    [BINARY_FMOD] = {"FmodBackward", binary_backward, NULL,
                     "d(fmod(a, b))/da = 1; d/db = -trunc(a/b)"},
    [BINARY_REMAINDER] = {"RemainderBackward", binary_backward, NULL,
                          "d(a % b)/da = 1; d/db = -floor(a/b)"},
    [BINARY_MAXIMUM] = {"MaximumBackward", binary_backward, NULL,
                        "d(maximum(a, b))/da = 1 where a > b, 1/2 where a == b, else 0; "
                        "d/db = 1 where b > a, 1/2 where a == b, else 0"},
    [BINARY_MINIMUM] = {"MinimumBackward", binary_backward, NULL,
                        "d(minimum(a, b))/da = 1 where a < b, 1/2 where a == b, else 0; "
                        "d/db = 1 where b < a, 1/2 where a == b, else 0"},
    [BINARY_ATAN2] = {"Atan2Backward", binary_backward, NULL,
                      "d(atan2(a, b))/da = b/(a^2 + b^2); d/db = -a/(a^2 + b^2)"},
};

/* Which operands the formula reads: for mul, each operand's gradient needs
 * the other; add and sub need neither. */
static void binary_saves(BinaryOp op, bool need_a, bool need_b, bool *save_a, bool *save_b)
{
    switch (op) {
    case BINARY_ADD:
    case BINARY_SUB:
        *save_a = *save_b = false;
        break;
    case BINARY_MUL:
        *save_a = need_b;
        *save_b = need_a;
        break;
    case BINARY_DIV:
        *save_a = need_b;
        *save_b = true;
        break;
    case BINARY_FMOD:
    case BINARY_REMAINDER:
        *save_a = *save_b = need_b;
        break;
    default:
        *save_a = *save_b = true;
    }
}

Tensor *ag_add_scaled(BinaryOp op, const Tensor *a, const Tensor *b, double alpha)
{
    if (!a || !b)
        return NULL;
    Tensor *out = alpha == 1 ? tensor_binary(op, a, b) : tensor_add_scaled(op, a, b, alpha);
    const Tensor *in[] = {a, b};
    if (!out || !binary_differentiable(op) || !ag_should_record(2, in))
        return out;
    AgNode *n = ag_node_new(&binary_ops[op], 2, in);
    if (n) {
        n->i[0] = op;
        n->f[0] = alpha;
        bool save_a, save_b;
        binary_saves(op, ag_needs_grad(n, 0), ag_needs_grad(n, 1), &save_a, &save_b);
        if ((save_a && ag_save(n, 0, a) < 0) || (save_b && ag_save(n, 1, b) < 0)) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

Tensor *ag_binary(BinaryOp op, const Tensor *a, const Tensor *b)
{
    return ag_add_scaled(op, a, b, 1);
}

int ag_add_scaled_(BinaryOp op, Tensor *x, const Tensor *b, double alpha)
{
    char fn[32];
    snprintf(fn, sizeof fn, "%s_", binary_op_name(op));
    int rec = binary_differentiable(op) ? ag_inplace_check(fn, x, 1, &b) : 0;
    if (rec <= 0)
        return rec < 0 ? -1
               : alpha == 1 ? tensor_binary_(op, x, b)
                            : tensor_add_scaled_(op, x, b, alpha);
    Tensor *old = ag_clone(x);
    int status = ag_inplace_commit(fn, x, old, ag_add_scaled(op, old, b, alpha));
    tensor_release(old);
    return status;
}

int ag_binary_(BinaryOp op, Tensor *x, const Tensor *b)
{
    return ag_add_scaled_(op, x, b, 1);
}

/* ---- unary ops ------------------------------------------------------------------ */

static Tensor *zeros_like(const Tensor *t)
{
    return t ? tmp(tensor_zeros(t->ndim, t->shape, t->dtype)) : NULL;
}

/* d gelu(x)/dx = Phi(x) + x phi(x), Phi and phi the normal cdf and density. */
static Tensor *gelu_derivative(const Tensor *x)
{
    Tensor *cdf = f_scale(f_shift(f_unary(UNARY_ERF, f_scale(x, M_SQRT1_2)), 1), 0.5);
    Tensor *pdf = f_scale(f_unary(UNARY_EXP, f_scale(f_mul(x, x), -0.5)), 0.5 * M_2_SQRTPI * M_SQRT1_2);
    return f_add(cdf, f_mul(x, pdf));
}

/* The tanh approximation 0.5 x (1 + tanh(k (x + c x^3))), differentiated. */
static Tensor *gelu_tanh_derivative(const Tensor *x)
{
    const double k = M_SQRT2 * M_2_SQRTPI * 0.5, c = 0.044715;
    Tensor *x2 = f_mul(x, x);
    Tensor *t = f_unary(UNARY_TANH, f_scale(f_add(x, f_scale(f_mul(x2, x), c)), k));
    Tensor *dt = f_scale(f_shift(f_scale(f_mul(t, t), -1), 1), k);           /* k (1 - t^2) */
    Tensor *inner = f_shift(f_scale(x2, 3 * c), 1);                          /* 1 + 3 c x^2 */
    return f_add(f_scale(f_shift(t, 1), 0.5), f_scale(f_mul(x, f_mul(dt, inner)), 0.5));
}

/* The derivative of op at x (whose result is y), times g. */
static Tensor *unary_grad(UnaryOp op, const Tensor *g, const Tensor *x, const Tensor *y)
{
    switch (op) {
    case UNARY_NEG: return f_unary(UNARY_NEG, g);
    case UNARY_ABS: return f_mul(g, f_unary(UNARY_SIGN, x));
    case UNARY_SIGN:
    case UNARY_FLOOR:
    case UNARY_CEIL:
    case UNARY_ROUND:
    case UNARY_TRUNC: return zeros_like(g);
    case UNARY_EXP: return f_mul(g, y);
    case UNARY_LOG: return f_div(g, x);
    case UNARY_LOG1P: return f_div(g, f_shift(x, 1));
    case UNARY_EXPM1: return f_mul(g, f_shift(y, 1));
    case UNARY_SQRT: return f_div(g, f_scale(y, 2));
    case UNARY_RSQRT: return f_mul(g, f_scale(f_mul(y, f_mul(y, y)), -0.5));
    case UNARY_SIN: return f_mul(g, f_unary(UNARY_COS, x));
    case UNARY_COS: return f_mul(g, f_unary(UNARY_NEG, f_unary(UNARY_SIN, x)));
    case UNARY_TAN: return f_mul(g, f_shift(f_mul(y, y), 1));
    case UNARY_TANH: return f_mul(g, f_shift(f_scale(f_mul(y, y), -1), 1));
    case UNARY_ERF:                                   /* 2/sqrt(pi) exp(-x^2) */
        return f_mul(g, f_scale(f_unary(UNARY_EXP, f_scale(f_mul(x, x), -1)), M_2_SQRTPI));
    case UNARY_SIGMOID: return f_mul(g, f_mul(y, f_shift(f_scale(y, -1), 1)));
    case UNARY_RELU: return f_keep(f_compare(BINARY_GT, y, tmp_scalar(0, y)), g);
    case UNARY_GELU: return f_mul(g, gelu_derivative(x));
    case UNARY_GELU_TANH: return f_mul(g, gelu_tanh_derivative(x));
    case UNARY_SILU: {                                /* s (1 + x (1 - s)) */
        Tensor *s = f_unary(UNARY_SIGMOID, x);
        return f_mul(g, f_mul(s, f_shift(f_mul(x, f_shift(f_scale(s, -1), 1)), 1)));
    }
    case UNARY_RECIPROCAL: return f_mul(g, f_unary(UNARY_NEG, f_mul(y, y)));
    default: return NULL;
    }
}

/* Formulas written with the result y rather than x (cheaper, and all an
 * in-place op has left). */
static bool unary_uses_result(UnaryOp op)
{
    switch (op) {
    case UNARY_EXP: case UNARY_EXPM1: case UNARY_SQRT: case UNARY_RSQRT: case UNARY_TAN:
    case UNARY_TANH: case UNARY_SIGMOID: case UNARY_RELU: case UNARY_RECIPROCAL:
        return true;
    default:
        return false;
    }
}

static bool unary_differentiable(UnaryOp op)
{
    return op < UNARY_ISNAN;
}

static int unary_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    UnaryOp op = (UnaryOp)n->i[0];
    Tensor *v = n->saved[0].tensor ? saved(n, 0) : NULL;
    if (n->saved[0].tensor && !v)
        return -1;
    gi[0] = unary_uses_result(op) ? unary_grad(op, g[0], NULL, v) : unary_grad(op, g[0], v, NULL);
    return 0;
}

#define UNARY_NODE(OP, NAME, FORMULA) [OP] = {NAME, unary_backward, NULL, FORMULA}
static const AgOp unary_ops[] = {
    UNARY_NODE(UNARY_NEG, "NegBackward", "d(-x)/dx = -1"),
    UNARY_NODE(UNARY_ABS, "AbsBackward", "d(abs(x))/dx = sign(x)"),
    UNARY_NODE(UNARY_SIGN, "SignBackward", "d(sign(x))/dx = 0"),
    UNARY_NODE(UNARY_EXP, "ExpBackward", "d(exp(x))/dx = exp(x)"),
    UNARY_NODE(UNARY_LOG, "LogBackward", "d(log(x))/dx = 1/x"),
    UNARY_NODE(UNARY_LOG1P, "Log1PBackward", "d(log1p(x))/dx = 1/(1 + x)"),
    UNARY_NODE(UNARY_EXPM1, "Expm1Backward", "d(expm1(x))/dx = exp(x)"),
    UNARY_NODE(UNARY_SQRT, "SqrtBackward", "d(sqrt(x))/dx = 1/(2*sqrt(x))"),
    UNARY_NODE(UNARY_RSQRT, "RsqrtBackward", "d(rsqrt(x))/dx = -1/(2*x^1.5)"),
    UNARY_NODE(UNARY_SIN, "SinBackward", "d(sin(x))/dx = cos(x)"),
    UNARY_NODE(UNARY_COS, "CosBackward", "d(cos(x))/dx = -sin(x)"),
    UNARY_NODE(UNARY_TAN, "TanBackward", "d(tan(x))/dx = 1 + tan(x)^2"),
    UNARY_NODE(UNARY_TANH, "TanhBackward", "d(tanh(x))/dx = 1 - tanh(x)^2"),
    UNARY_NODE(UNARY_ERF, "ErfBackward", "d(erf(x))/dx = 2/sqrt(pi)*exp(-x^2)"),
    UNARY_NODE(UNARY_SIGMOID, "SigmoidBackward", "d(sigmoid(x))/dx = sigmoid(x)*(1 - sigmoid(x))"),
    UNARY_NODE(UNARY_RELU, "ReluBackward", "d(relu(x))/dx = 1 where x > 0, else 0"),
    UNARY_NODE(UNARY_GELU, "GeluBackward", "d(gelu(x))/dx = Phi(x) + x*phi(x), normal cdf and pdf"),
    UNARY_NODE(UNARY_GELU_TANH, "GeluBackward", "d(gelu(x))/dx = that of its tanh approximation"),
    UNARY_NODE(UNARY_SILU, "SiluBackward", "d(silu(x))/dx = sigmoid(x)*(1 + x*(1 - sigmoid(x)))"),
    UNARY_NODE(UNARY_FLOOR, "FloorBackward", "d(floor(x))/dx = 0"),
    UNARY_NODE(UNARY_CEIL, "CeilBackward", "d(ceil(x))/dx = 0"),
    UNARY_NODE(UNARY_ROUND, "RoundBackward", "d(round(x))/dx = 0"),
    UNARY_NODE(UNARY_TRUNC, "TruncBackward", "d(trunc(x))/dx = 0"),
    UNARY_NODE(UNARY_RECIPROCAL, "ReciprocalBackward", "d(1/x)/dx = -1/x^2"),
};

Tensor *ag_unary(UnaryOp op, const Tensor *x)
{
    if (!x)
        return NULL;
    Tensor *out = tensor_unary(op, x);
    if (!out || !unary_differentiable(op) || !ag_should_record(1, &x))
        return out;
    AgNode *n = ag_node_new(&unary_ops[op], 1, &x);
    if (n) {
        n->i[0] = op;
        bool needs_value = op != UNARY_NEG && op != UNARY_SIGN && op != UNARY_FLOOR &&
                           op != UNARY_CEIL && op != UNARY_ROUND && op != UNARY_TRUNC;
        int status = !needs_value ? 0
                     : unary_uses_result(op) ? ag_save_output(n, 0, out, 0)
                                             : ag_save(n, 0, x);
        if (status < 0) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

int ag_unary_(UnaryOp op, Tensor *x)
{
    char fn[32];
    snprintf(fn, sizeof fn, "%s_", unary_op_name(op));
    int rec = unary_differentiable(op) ? ag_inplace_check(fn, x, 0, NULL) : 0;
    if (rec <= 0)
        return rec < 0 ? -1 : tensor_unary_(op, x);
    Tensor *old = ag_clone(x);
    int status = ag_inplace_commit(fn, x, old, ag_unary(op, old));
    tensor_release(old);
    return status;
}

/* ---- where ---------------------------------------------------------------------- */

static int where_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *cond = saved(n, 0);
    Tensor *zero = tmp_scalar(0, g[0]);
    if (!cond || !zero)
        return -1;
    gi[1] = ag_needs_grad(n, 1) ? grad_to_input(n, 1, tmp(ag_where(cond, g[0], zero))) : NULL;
    gi[2] = ag_needs_grad(n, 2) ? grad_to_input(n, 2, tmp(ag_where(cond, zero, g[0]))) : NULL;
    return 0;
}

static const AgOp where_op = {"WhereBackward", where_backward, NULL,
                              "d(where(c, a, b))/dc: none (a condition); "
                              "d/da = 1 where c, else 0; "
                              "d/db = 0 where c, else 1"};

Tensor *ag_where(const Tensor *cond, const Tensor *a, const Tensor *b)
{
    if (!cond || !a || !b)
        return NULL;
    Tensor *out = tensor_where(cond, a, b);
    const Tensor *in[] = {NULL, a, b};
    if (!out || !ag_should_record(3, in))
        return out;
    AgNode *n = ag_node_new(&where_op, 3, in);
    if (n && ag_save(n, 0, cond) < 0) {
        ag_node_release(n);
        n = NULL;
    }
    return ag_finish(n, out);
}

/* ---- undoing broadcasting ------------------------------------------------------- */

Tensor *ag_sum_to(const Tensor *grad, int ndim, const int64_t *shape)
{
    if (!grad)
        return NULL;
    int lead = grad->ndim - ndim, dims[TENSOR_MAX_DIMS], count = 0;
    for (int d = 0; d < grad->ndim; d++)
        if (d < lead || (shape[d - lead] == 1 && grad->shape[d] != 1))
            dims[count++] = d;
    if (lead < 0) {
        char a[128], b[128];
        return tensor_fail("sum_to: a gradient of shape %s cannot be reduced to shape %s",
                           tensor_shape_str(grad, a, sizeof a), shape_str(ndim, shape, b, sizeof b));
    }
    if (count == 0)
        return ag_view(grad, ndim, shape);
    Tensor *sum = ag_sum(grad, count, dims, true);
    Tensor *out = sum ? ag_view(sum, ndim, shape) : NULL;
    tensor_release(sum);
    return out;
}
