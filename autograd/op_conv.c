/*
 * op_conv.c — convolutions with their derivatives.
 *
 * A convolution is bilinear in its input and weight, and so are its two
 * gradient kernels; each of the three is differentiated by the other two
 * (G is the gradient arriving at the op's output):
 *
 *     y = conv(x, w)              dx = input_grad(G, w)      dw = weight_grad(G, x)
 *     y = input_grad(gy, w)       dgy = conv(G, w)           dw = weight_grad(gy, G)
 *     y = weight_grad(gy, x)      dgy = conv(x, G)           dx = input_grad(gy, G)
 *
 * (each line is <y, G> read as an inner product with the other operand).
 * A transposed convolution is input_grad plus a bias, so it shares
 * input_grad's formula; the bias's gradient is G summed over every dim but
 * the channels.  All formulas use the recorded ops, so the backward of a
 * convolution can itself be differentiated.
 *
 * A node keeps the ConvParams in i[]; the spatial sizes its formulas need
 * (the input's, the kernel's) are the last dims of its inputs' shapes.
 */
#include <string.h>

#include "autograd/ag_conv.h"
#include "autograd/node.h"

_Static_assert(sizeof(ConvParams) <= sizeof(((AgNode *)0)->i), "ConvParams fits in a node");

/* The node's params, as a convolution: the transposed forms' gradients are
 * computed with the same geometry, only the direction differs. */
static ConvParams node_params(const AgNode *n)
{
    ConvParams p;
    memcpy(&p, n->i, sizeof p);
    p.transposed = 0;
    return p;
}

/* The spatial sizes of input k of n: its last nspatial dims. */
static const int64_t *spatial(const AgNode *n, int k, const ConvParams *p)
{
    const AgInput *in = &n->input[k];
    return in->shape + in->ndim - p->nspatial;
}

/* db: g summed over the spatial dims, then over the batch.  Two sums, each
 * over dims that are contiguous in memory, take a third of the time of one
 * over (N, H, W), which gathers g into that order first (0.10 against
 * 0.03 ms for LeNet's first layer). */
static Tensor *bias_grad(const Tensor *g, const ConvParams *p)
{
    int spatial[2], ns = (int)p->nspatial, batch = 0;
    for (int k = 0; k < ns; k++)
        spatial[k] = g->ndim - ns + k;
    Tensor *per_sample = tmp(ag_sum(g, ns, spatial, false));
    if (!per_sample || per_sample->ndim == 1)
        return per_sample;
    return tmp(ag_sum(per_sample, 1, &batch, false));
}

/* Input 0 is saved when input 1 needs a gradient and vice versa: true of
 * every formula above. */
static Tensor *record(const AgOp *op, const Tensor *a, const Tensor *b, const Tensor *bias,
                      const ConvParams *p, Tensor *out)
{
    const Tensor *in[] = {a, b, bias};
    int n_in = bias ? 3 : 2;
    if (!out || !ag_should_record(n_in, in))
        return out;
    AgNode *n = ag_node_new(op, n_in, in);
    if (n) {
        memcpy(n->i, p, sizeof *p);
        if ((ag_needs_grad(n, 1) && ag_save(n, 0, a) < 0) ||
            (ag_needs_grad(n, 0) && ag_save(n, 1, b) < 0)) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

/* ---- conv(x, w) + b ------------------------------------------------------------ */

static int conv_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    ConvParams p = node_params(n);
    if (ag_needs_grad(n, 0))
        gi[0] = tmp(ag_conv_input_grad(g[0], saved(n, 1), spatial(n, 0, &p), &p));
    if (ag_needs_grad(n, 1))
        gi[1] = tmp(ag_conv_weight_grad(g[0], saved(n, 0), spatial(n, 1, &p), &p));
    if (n->n_inputs > 2 && ag_needs_grad(n, 2))
        gi[2] = bias_grad(g[0], &p);
    return 0;
}

/* Without and with a bias: a formula names one letter per input. */
static const AgOp conv_ops[2] = {
    {"ConvolutionBackward", conv_backward, NULL,
     "d(conv(x, w))/dx: conv_transpose(g, w); d/dw: conv_weight_grad(g, x)"},
    {"ConvolutionBackward", conv_backward, NULL,
     "d(conv(x, w) + b)/dx: conv_transpose(g, w); d/dw: conv_weight_grad(g, x); "
     "d/db: sum(g) per channel"},
};

/* ---- input_grad(gy, w), and conv_transpose(x, w) + b ----------------------------- */

static int input_grad_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    ConvParams p = node_params(n);
    if (ag_needs_grad(n, 0))
        gi[0] = tmp(ag_conv(g[0], saved(n, 1), NULL, &p));
    if (ag_needs_grad(n, 1))
        gi[1] = tmp(ag_conv_weight_grad(saved(n, 0), g[0], spatial(n, 1, &p), &p));
    if (n->n_inputs > 2 && ag_needs_grad(n, 2))
        gi[2] = bias_grad(g[0], &p);
    return 0;
}

/* PyTorch names the node of a transposed convolution as that of a plain
 * one, and the nodes of the gradient kernels after the double backward. */
static const AgOp conv_transpose_ops[2] = {
    {"ConvolutionBackward", input_grad_backward, NULL,
     "d(conv_transpose(x, w))/dx: conv(g, w); d/dw: conv_weight_grad(x, g)"},
    {"ConvolutionBackward", input_grad_backward, NULL,
     "d(conv_transpose(x, w) + b)/dx: conv(g, w); d/dw: conv_weight_grad(x, g); "
     "d/db: sum(g) per channel"},
};
static const AgOp input_grad_op = {"ConvolutionBackwardBackward", input_grad_backward, NULL,
                                   "d(conv_input_grad(u, w))/du: conv(g, w); "
                                   "d/dw: conv_weight_grad(u, g)"};

Tensor *ag_conv(const Tensor *x, const Tensor *w, const Tensor *b, const ConvParams *p)
{
    if (!x || !w)
        return NULL;
    if (p->transposed)
        return record(&conv_transpose_ops[b != NULL], x, w, b, p,
                      tensor_conv_transpose(x, w, b, p));
    return record(&conv_ops[b != NULL], x, w, b, p, tensor_conv(x, w, b, p));
}

Tensor *ag_conv_input_grad(const Tensor *g, const Tensor *w, const int64_t *in_size,
                           const ConvParams *p)
{
    if (!g || !w)
        return NULL;
    return record(&input_grad_op, g, w, NULL, p, tensor_conv_input_grad(g, w, in_size, p));
}

/* ---- weight_grad(gy, x) ---------------------------------------------------------- */

static int weight_grad_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    ConvParams p = node_params(n);
    if (ag_needs_grad(n, 0))
        gi[0] = tmp(ag_conv(saved(n, 1), g[0], NULL, &p));
    if (ag_needs_grad(n, 1))
        gi[1] = tmp(ag_conv_input_grad(saved(n, 0), g[0], spatial(n, 1, &p), &p));
    return 0;
}

static const AgOp weight_grad_op = {"ConvolutionBackwardBackward", weight_grad_backward, NULL,
                                    "d(conv_weight_grad(u, x))/du: conv(x, g); "
                                    "d/dx: conv_input_grad(u, g)"};

Tensor *ag_conv_weight_grad(const Tensor *g, const Tensor *x, const int64_t *k_size,
                            const ConvParams *p)
{
    if (!g || !x)
        return NULL;
    return record(&weight_grad_op, g, x, NULL, p, tensor_conv_weight_grad(g, x, k_size, p));
}
