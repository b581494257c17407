/*
 * op_dropout.c — dropout with its derivative.
 *
 * y = x * mask, the mask (0 or 1 / (1 - p), drawn by the kernel) saved, so
 * dx = dy * mask, computed with the recorded multiply so that second
 * derivatives pass through.  The mask is never a function of x, so it needs
 * no gradient of its own.  The in-place form follows node.h's protocol: the
 * kernel runs out of place on a recorded clone and the result is written
 * back.
 */
#include "autograd/ag_dropout.h"
#include "autograd/node.h"
#include "tensor/dropout.h"

static int dropout_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = f_mul(g[0], saved(n, 0));
    return 0;
}

static const AgOp dropout_op = {"DropoutBackward", dropout_backward, NULL,
                                 "d(dropout(x))/dx = the mask: 0 where dropped, 1/(1 - p) where kept"};

Tensor *ag_dropout(const Tensor *x, double p, bool feature)
{
    Tensor *out, *mask;
    if (!x || tensor_dropout(x, p, feature, &out, &mask) < 0)
        return NULL;
    const Tensor *in[] = {x};
    if (!ag_should_record(1, in)) {
        tensor_release(mask);
        return out;
    }
    AgNode *n = ag_node_new(&dropout_op, 1, in);
    if (n && ag_save(n, 0, mask) < 0) {
        ag_node_release(n);
        n = NULL;
    }
    tensor_release(mask);
    return ag_finish(n, out);
}

int ag_dropout_(Tensor *x, double p, bool feature)
{
    const char *fn = feature ? "feature_dropout_" : "dropout_";
    int rec = ag_inplace_check(fn, x, 0, NULL);
    if (rec <= 0) {
        Tensor *mask;
        if (rec < 0 || tensor_dropout_(x, p, feature, &mask) < 0)
            return -1;
        tensor_release(mask);
        return 0;
    }
    Tensor *old = ag_clone(x);
    int status = old ? ag_inplace_commit(fn, x, old, ag_dropout(old, p, feature)) : -1;
    tensor_release(old);
    return status;
}
