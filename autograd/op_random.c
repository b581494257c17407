/*
 * op_random.c — the in-place random fills (uniform_, normal_, bernoulli_)
 * under autograd's in-place rules.
 *
 * A fill overwrites every element with values that do not depend on the
 * old ones, so the old value gets a zero gradient and nothing else flows
 * (PyTorch's UniformBackward: zeros_like(grad)).  Filling a leaf that
 * requires grad is refused outside torch.no_grad, as for every in-place
 * op; filling a non-leaf records the fill as its new history.  The values
 * are drawn into a fresh tensor and copied over: the fillers draw in
 * row-major logical order whatever the layout, so a seed gives the same
 * values recorded or not.
 */
#include "autograd/node.h"

typedef enum { FILL_UNIFORM, FILL_NORMAL, FILL_BERNOULLI } Fill;

static int fill_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(tensor_zeros(n->input[0].ndim, n->input[0].shape, g[0]->dtype));
    return 0;
}

static const AgOp fill_ops[] = {
    [FILL_UNIFORM] = {"UniformBackward", fill_backward, NULL,
                      "d(x:uniform_(lo, hi))/dx = 0 (overwritten)"},
    [FILL_NORMAL] = {"NormalBackward", fill_backward, NULL,
                     "d(x:normal_(mean, std))/dx = 0 (overwritten)"},
    [FILL_BERNOULLI] = {"BernoulliBackward", fill_backward, NULL,
                        "d(x:bernoulli_(probability))/dx = 0 (overwritten)"},
};

static const char *const fill_names[] = {"uniform_", "normal_", "bernoulli_"};

static int draw(Fill f, Tensor *t, double a, double b)
{
    switch (f) {
    case FILL_UNIFORM: return tensor_uniform_(t, a, b);
    case FILL_NORMAL: return tensor_normal_(t, a, b);
    default: return tensor_bernoulli_(t, a);
    }
}

static int random_fill_(Fill f, Tensor *x, double a, double b)
{
    const char *fn = fill_names[f];
    int rec = ag_inplace_check(fn, x, 0, NULL);
    if (rec <= 0)
        return rec < 0 ? -1 : draw(f, x, a, b);
    Tensor *old = ag_clone(x);
    Tensor *values = old ? tensor_empty(x->ndim, x->shape, x->dtype) : NULL;
    if (!values || draw(f, values, a, b) < 0) {
        tensor_release(values);
        tensor_release(old);
        return -1;
    }
    const Tensor *in[] = {old};
    int status = ag_inplace_commit(fn, x, old, ag_finish(ag_node_new(&fill_ops[f], 1, in), values));
    tensor_release(old);
    return status;
}

int ag_uniform_(Tensor *x, double lo, double hi)
{
    return random_fill_(FILL_UNIFORM, x, lo, hi);
}

int ag_normal_(Tensor *x, double mean, double std)
{
    return random_fill_(FILL_NORMAL, x, mean, std);
}

int ag_bernoulli_(Tensor *x, double p)
{
    return random_fill_(FILL_BERNOULLI, x, p, 0);
}
