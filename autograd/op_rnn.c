/*
 * op_rnn.c — a recurrent layer's whole time loop as one autograd node.
 *
 * The node's inputs are the layer's: the input projection gi, h_0, then
 * LSTM's c_0, W_hh, then GRU's b_hh (NULL when the layer has no bias); it
 * saves each in the slot of its position and keeps tensor_rnn's reserve
 * (the states and gate activations of every step) as its extra.  An
 * ordinary backward hands the reserve to tensor_rnn_backward.  A backward
 * with create_graph needs gradients that are themselves recorded, functions
 * of the inputs: it runs the layer again with recorded ops (one addmm and
 * the cell's formulas per step) and differentiates that with
 * create_graph.  The tests check the two paths against each other.
 */
#include "autograd/ag_rnn.h"
#include "autograd/node.h"

#include <stdlib.h>

/* Where W_hh sits among the inputs (after LSTM's c_0). */
static int weight_input(RnnMode mode)
{
    return mode == RNN_LSTM ? 3 : 2;
}

/* Gate k (H columns) of a row of stacked gates, recorded. */
static Tensor *gate(const Tensor *t, int k, int64_t H)
{
    return tmp(ag_narrow(t, 1, k * H, H));
}

/* One step again, recorded: h (and LSTM's c) from x_t, the previous state,
 * W_hh^T (wt) and GRU's b_hh. */
static Tensor *composed_step(RnnMode mode, const Tensor *x, const Tensor *h, Tensor **c,
                             const Tensor *wt, const Tensor *b)
{
    int64_t H = h->shape[1];
    if (mode == RNN_GRU) {
        Tensor *gh = tmp(b ? ag_addmm(b, h, wt, 1, 1) : ag_mm(h, wt));
        Tensor *r = f_unary(UNARY_SIGMOID, f_add(gate(gh, 0, H), gate(x, 0, H)));
        Tensor *z = f_unary(UNARY_SIGMOID, f_add(gate(gh, 1, H), gate(x, 1, H)));
        Tensor *n = f_unary(UNARY_TANH, f_add(gate(x, 2, H), f_mul(gate(gh, 2, H), r)));
        return f_add(f_mul(f_sub(h, n), z), n);
    }
    Tensor *pre = tmp(ag_addmm(x, h, wt, 1, 1));
    if (mode != RNN_LSTM)
        return f_unary(mode == RNN_TANH ? UNARY_TANH : UNARY_RELU, pre);
    Tensor *s = f_unary(UNARY_SIGMOID, pre), *g = f_unary(UNARY_TANH, gate(pre, 2, H));
    *c = f_add(f_mul(gate(s, 1, H), *c), f_mul(gate(s, 0, H), g));
    return f_mul(gate(s, 3, H), f_unary(UNARY_TANH, *c));
}

/* The layer's outputs again, recorded: out[0..2] = out, h_n, c_n. */
static int composed_forward(RnnMode mode, bool reverse, Tensor *const *in, Tensor **out)
{
    const Tensor *x = in[0], *w = in[weight_input(mode)];
    Tensor *h = in[1], *c = mode == RNN_LSTM ? in[2] : NULL;
    const Tensor *b = mode == RNN_GRU ? in[3] : NULL, *wt = tmp(ag_t(w));
    int64_t L = x->shape[0];
    Tensor **steps = calloc((size_t)L, sizeof *steps), **hs = calloc((size_t)L, sizeof *hs);
    int status = steps && hs && wt && ag_unbind(x, 0, steps) == 0 ? 0 : -1;
    for (int64_t t = 0; t < L && status == 0; t++)
        tmp(steps[t]);
    for (int64_t k = 0; k < L && status == 0 && h; k++) {
        int64_t t = reverse ? L - 1 - k : k;
        h = hs[t] = composed_step(mode, steps[t], h, &c, wt, b);
    }
    out[0] = status == 0 && h ? tmp(ag_stack((int)L, hs, 0)) : NULL;
    out[1] = h, out[2] = c;
    free(steps), free(hs);
    if (!steps || !hs)
        tensor_fail("out of memory");
    return out[0] ? 0 : -1;
}

/* create_graph: the gradients of the recorded forward, themselves recorded.
 * They are taken of one number, sum(out * g_out) + sum(h_n * g_hn) + ...,
 * rather than of the three outputs as roots: h_n and c_n lie inside out's
 * graph, and ag_grad_of loses what reaches a root through an earlier root's
 * graph (torch.autograd.grad({c * 3, c}, {x}) counts only c's seed). */
static int composed_backward(AgNode *n, Tensor *const *in, Tensor *const *g, Tensor **gi)
{
    Tensor *out[3], *wrt[4], *res[4] = {NULL}, *loss = NULL;
    int at[4], n_wrt = 0;
    if (composed_forward((RnnMode)n->i[0], n->i[1], in, out) < 0)
        return -1;
    for (int k = 0; k < n->n_outputs; k++) {
        Tensor *term = g[k] ? tmp(ag_sum(f_mul(out[k], g[k]), 0, NULL, false)) : NULL;
        loss = !term ? loss : loss ? f_add(loss, term) : term;
    }
    for (int i = 0; i < n->n_inputs; i++)
        if (ag_needs_grad(n, i))
            wrt[n_wrt] = in[i], at[n_wrt++] = i;
    AgBackwardOptions opt = {.retain_graph = true, .create_graph = true,
                             .caller = ag_backward_caller()};
    if (!loss || ag_grad_of(1, &loss, (Tensor *[]){NULL}, n_wrt, wrt, true, &opt, res) < 0)
        return -1;
    for (int j = 0; j < n_wrt; j++) {
        const AgInput *a = &n->input[at[j]];
        gi[at[j]] = tmp(res[j] ? res[j] : tensor_zeros(a->ndim, a->shape, a->dtype));
    }
    return 0;
}

static int rnn_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    RnnMode mode = (RnnMode)n->i[0];
    int wi = weight_input(mode);
    Tensor *in[4] = {NULL};
    for (int i = 0; i < n->n_inputs; i++)
        if (n->saved[i].tensor && !(in[i] = saved(n, i)))
            return -1;
    if (ag_grad_enabled())
        return composed_backward(n, in, g, gi);
    Tensor *d[5] = {NULL};   /* gi, h0, c0, w_hh, b_hh */
    int status = tensor_rnn_backward(
        mode, n->i[1], n->extra, in[wi], g[0], g[1], mode == RNN_LSTM ? g[2] : NULL,
        ag_needs_grad(n, 0) ? &d[0] : NULL, ag_needs_grad(n, 1) ? &d[1] : NULL,
        mode == RNN_LSTM && ag_needs_grad(n, 2) ? &d[2] : NULL, ag_needs_grad(n, wi) ? &d[3] : NULL,
        mode == RNN_GRU && ag_needs_grad(n, 3) ? &d[4] : NULL);
    const int place[5] = {0, 1, 2, wi, 3};
    for (int k = 0; k < 5; k++)
        if (d[k])
            gi[place[k]] = tmp(d[k]);
    return status;
}

static void free_reserve(AgNode *n)
{
    tensor_release(n->extra);
}

#define RNN_CLAUSES(W)                                                                    \
    "d/dh: what reaches h_0 back through every step; d/d" W                                \
    ": the sum over the steps of the pre-activations' gradient^T h_{t-1}"
static const AgOp rnn_ops[] = {
    [RNN_TANH] = {"RnnTanhBackward", rnn_backward, free_reserve,
                  "d(rnn_tanh(x, h, w))/dx: back through time, x_t's gradient (1 - h_t^2) times "
                  "what reaches h_t; " RNN_CLAUSES("w")},
    [RNN_RELU] = {"RnnReluBackward", rnn_backward, free_reserve,
                  "d(rnn_relu(x, h, w))/dx: back through time, x_t's gradient (h_t > 0) times "
                  "what reaches h_t; " RNN_CLAUSES("w")},
    [RNN_LSTM] = {"LstmBackward", rnn_backward, free_reserve,
                  "d(lstm(x, h, c, w))/dx: back through time, each gate's derivative times what "
                  "reaches h_t and c_t; d/dc: what reaches c_0 through the forget gates; "
                  RNN_CLAUSES("w")},
    [RNN_GRU] = {"GruBackward", rnn_backward, free_reserve,
                 "d(gru(x, h, w, b))/dx: back through time, each gate's derivative times what "
                 "reaches h_t; " RNN_CLAUSES("w") "; d/db: the sum of gh_t's gradients"},
};

int ag_rnn(RnnMode mode, bool reverse, const Tensor *gi, const Tensor *h0, const Tensor *c0,
           const Tensor *w_hh, const Tensor *b_hh, Tensor **out, Tensor **h_n, Tensor **c_n)
{
    Tensor *reserve;
    *out = *h_n = *c_n = NULL;
    if (!gi || !h0 || !w_hh ||
        tensor_rnn(mode, reverse, gi, h0, c0, w_hh, b_hh, out, h_n, c_n, &reserve) < 0)
        return -1;
    const Tensor *in[4] = {gi, h0, mode == RNN_LSTM ? c0 : w_hh, mode == RNN_LSTM ? w_hh : b_hh};
    int n_in = mode == RNN_LSTM || mode == RNN_GRU ? 4 : 3;
    if (!ag_should_record(n_in, in)) {
        tensor_release(reserve);
        return 0;
    }
    AgNode *n = ag_node_new(&rnn_ops[mode], n_in, in);
    bool ok = n != NULL;
    if (n) {
        n->n_outputs = c0 ? 3 : 2;
        n->i[0] = mode, n->i[1] = reverse;
        n->extra = reserve, reserve = NULL;
        for (int i = 0; i < n_in && ok; i++)
            ok = !in[i] || ag_save(n, i, in[i]) == 0;
    }
    tensor_release(reserve);
    Tensor **results[3] = {out, h_n, c_n};
    for (int k = 0; k < 3 && ok && *results[k]; k++)
        ok = (*results[k] = ag_set_output(n, *results[k], k)) != NULL;
    ag_node_release(n);
    if (!ok)
        for (int k = 0; k < 3; k++) {
            tensor_release(*results[k]);
            *results[k] = NULL;
        }
    return ok ? 0 : -1;
}
