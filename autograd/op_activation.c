/*
 * op_activation.c — leaky_relu, elu, softplus and hardtanh with their
 * derivatives.
 *
 * As in PyTorch, the derivative g * f'(x) is an op of its own
 * (tensor_activation_backward, one fused pass) and is recorded when the
 * backward runs with create_graph.  Its own gradients are then
 *   d/dg: the same op on the incoming gradient (it is linear in g);
 *   d/dx: g * gg * f''(x), zero for the piecewise linear leaky_relu and
 *         hardtanh, alpha exp(x) below 0 for elu, and
 *         beta s (1 - s) with s = sigmoid(beta x) below the threshold for softplus.
 */
#include <stdio.h>

#include "autograd/ag_activation.h"
#include "autograd/node.h"

static Activation activation_of(const AgNode *n)
{
    return (Activation){(ActivationKind)n->i[0], n->f[0], n->f[1]};
}

/* A node of op for inputs `in`, remembering the activation and saving x. */
static AgNode *activation_node(const AgOp *op, int n_in, const Tensor *const *in,
                               const Activation *act, const Tensor *x)
{
    AgNode *n = ag_node_new(op, n_in, in);
    if (!n)
        return NULL;
    n->i[0] = act->kind;
    n->f[0] = act->a;
    n->f[1] = act->b;
    if (ag_save(n, 0, x) < 0) {
        ag_node_release(n);
        return NULL;
    }
    return n;
}

/* ---- the derivative op ------------------------------------------------------------- */

/* f''(x) * h, recorded; NULL result means zero. */
static Tensor *second_derivative(const Activation *act, const Tensor *x, const Tensor *h)
{
    switch (act->kind) {
    case ACT_ELU:
        return f_keep(f_compare(BINARY_LE, x, tmp_scalar(0, x)),
                      f_mul(h, f_scale(f_unary(UNARY_EXP, x), act->a)));
    case ACT_SOFTPLUS: {
        Tensor *ax = f_scale(x, act->a), *s = f_unary(UNARY_SIGMOID, ax);
        Tensor *d = f_scale(f_mul(s, f_shift(f_unary(UNARY_NEG, s), 1)), act->a);
        return f_keep(f_compare(BINARY_LE, ax, tmp_scalar(act->b, ax)), f_mul(h, d));
    }
    default:
        return NULL;
    }
}

static int activation_backward_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Activation act = activation_of(n);
    Tensor *x = saved(n, 0);
    Tensor *gout = ag_needs_grad(n, 1) ? saved(n, 1) : NULL;
    if (!x || (ag_needs_grad(n, 1) && !gout))
        return -1;
    if (ag_needs_grad(n, 0))
        gi[0] = tmp(ag_activation_backward(&act, g[0], x));
    if (ag_needs_grad(n, 1)) {
        Tensor *d = second_derivative(&act, x, f_mul(g[0], gout));
        gi[1] = d ? d : tmp(tensor_zeros(x->ndim, x->shape, g[0]->dtype));
    }
    return 0;
}

/* The backward of an activation, as recorded for second derivatives: g times f'(x). */
#define BACK_FORMULA "d(g*df(x))/dg = df(x); d/dx = g*d2f(x)"

static const AgOp activation_backward_ops[ACT_COUNT] = {
    [ACT_LEAKY_RELU] = {"LeakyReluBackwardBackward", activation_backward_backward, NULL,
                        BACK_FORMULA},
    [ACT_ELU] = {"EluBackwardBackward", activation_backward_backward, NULL, BACK_FORMULA},
    [ACT_SOFTPLUS] = {"SoftplusBackwardBackward", activation_backward_backward, NULL, BACK_FORMULA},
    [ACT_HARDTANH] = {"HardtanhBackwardBackward", activation_backward_backward, NULL, BACK_FORMULA},
};

Tensor *ag_activation_backward(const Activation *act, const Tensor *g, const Tensor *x)
{
    if (!g || !x)
        return NULL;
    Tensor *out = tensor_activation_backward(act, g, x);
    const Tensor *in[] = {g, x};
    if (!out || !ag_should_record(2, in))
        return out;
    AgNode *n = activation_node(&activation_backward_ops[act->kind], 2, in, act, x);
    if (n && ag_needs_grad(n, 1) && ag_save(n, 1, g) < 0) {
        ag_node_release(n);
        n = NULL;
    }
    return ag_finish(n, out);
}

/* ---- the activations ------------------------------------------------------------------ */

static int activation_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Activation act = activation_of(n);
    Tensor *x = saved(n, 0);
    gi[0] = x ? tmp(ag_activation_backward(&act, g[0], x)) : NULL;
    return 0;
}

static const AgOp activation_ops[ACT_COUNT] = {
    [ACT_LEAKY_RELU] = {"LeakyReluBackward", activation_backward, NULL,
                        "d(leaky_relu(x))/dx = 1 where x > 0, else negative_slope"},
    [ACT_ELU] = {"EluBackward", activation_backward, NULL,
                 "d(elu(x))/dx = 1 where x > 0, else alpha*exp(x)"},
    [ACT_SOFTPLUS] = {"SoftplusBackward", activation_backward, NULL,
                      "d(softplus(x))/dx = sigmoid(beta*x)"},
    [ACT_HARDTANH] = {"HardtanhBackward", activation_backward, NULL,
                      "d(hardtanh(x))/dx = 1 where min_val < x < max_val, else 0"},
};

Tensor *ag_activation(const Activation *act, const Tensor *x)
{
    if (!x)
        return NULL;
    Tensor *out = tensor_activation(act, x);
    if (!out || !ag_should_record(1, &x))
        return out;
    return ag_finish(activation_node(&activation_ops[act->kind], 1, &x, act, x), out);
}

int ag_activation_(const Activation *act, Tensor *x)
{
    char fn[32];
    snprintf(fn, sizeof fn, "%s_", activation_name(act->kind));
    int rec = ag_inplace_check(fn, x, 0, NULL);
    if (rec <= 0)
        return rec < 0 ? -1 : tensor_activation_(act, x);
    Tensor *old = ag_clone(x);
    int status = ag_inplace_commit(fn, x, old, ag_activation(act, old));
    tensor_release(old);
    return status;
}
