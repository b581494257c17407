/*
 * accumulate.c — AccumulateGrad, the node at the end of every path: it adds
 * the gradient that reaches a leaf into the leaf's .grad.
 *
 * A leaf has at most one such node at a time (its record keeps a weak
 * pointer to it), so all the paths into a leaf meet in one node and its
 * hooks see the leaf's whole gradient once, as in PyTorch.
 */
#include "autograd/node.h"

/* .grad += grad.  Without create_graph the first gradient is kept as it is
 * when nothing else can see it (PyTorch "steals" it too) and copied
 * otherwise, so that a later in-place accumulation never writes into a
 * tensor that is also some other leaf's .grad; later ones add in place.  With
 * create_graph .grad keeps its own history. */
static int accumulate_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *leaf = n->variable;
    struct AgMeta *m = leaf->autograd;
    Tensor *grad = g[0];
    for (AgHook *h = m->hooks; h; h = h->next) {
        grad = tmp(h->fn(h->ctx, ag_backward_caller(), grad));
        if (!grad)
            return -1;
    }
    if (m->grad && !ag_grad_enabled())
        return tensor_binary_(BINARY_ADD, m->grad, grad);
    Tensor *sum;
    if (m->grad)
        sum = ag_binary(BINARY_ADD, m->grad, grad);
    else if (ag_grad_enabled() || (grad->refcount == 1 && grad->storage->refcount == 1 &&
                                   !grad->base && !grad->autograd)) {
        sum = grad;
        tensor_retain(sum);
    } else
        sum = tensor_clone(grad);
    if (!sum)
        return -1;
    tensor_release(m->grad);
    m->grad = sum;
    return 0;
}

/* The leaf outlives its accumulator (which holds a reference to it). */
static void forget_accumulator(AgNode *n)
{
    struct AgMeta *m = n->variable->autograd;
    if (m->grad_accumulator == n)
        m->grad_accumulator = NULL;
}

static const AgOp accumulate_op = {"AccumulateGrad", accumulate_backward, forget_accumulator,
                                   "d(x.grad += g)/dg: g is added into the leaf's .grad"};

AgNode *ag_accumulator(Tensor *leaf)
{
    struct AgMeta *m = leaf->autograd;
    if (m->grad_accumulator) {
        ag_node_retain(m->grad_accumulator);
        return m->grad_accumulator;
    }
    AgNode *n = ag_node_new(&accumulate_op, 0, NULL);
    if (!n)
        return NULL;
    n->variable = leaf;
    tensor_retain(leaf);
    m->grad_accumulator = n;
    return n;
}
