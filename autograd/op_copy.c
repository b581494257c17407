/*
 * op_copy.c — copies and dtype conversions, whose gradient passes straight
 * through (converted back to the input's dtype by the engine).
 */
#include "autograd/node.h"

static int copy_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = g[0];
    return 0;
}

static const AgOp clone_op = {"CloneBackward", copy_backward, NULL,
                              "d(x:clone())/dx = 1"};
static const AgOp to_copy_op = {"ToCopyBackward", copy_backward, NULL,
                                "d(x:to(dtype))/dx = 1 (g converted back to x's dtype)"};

static Tensor *record_copy(const AgOp *op, const Tensor *t, Tensor *out)
{
    if (!out || !ag_should_record(1, &t) || !dtype_is_floating(out->dtype))
        return out;
    return ag_finish(ag_node_new(op, 1, &t), out);
}

Tensor *ag_clone(const Tensor *t)
{
    return t ? record_copy(&clone_op, t, tensor_clone(t)) : NULL;
}

Tensor *ag_to_dtype(const Tensor *t, DType dt)
{
    return t ? record_copy(&to_copy_op, t, tensor_to_dtype(t, dt)) : NULL;
}

/* t itself when contiguous (a new reference), else a recorded copy. */
Tensor *ag_contiguous(Tensor *t)
{
    if (!t)
        return NULL;
    if (tensor_is_contiguous(t)) {
        tensor_retain(t);
        return t;
    }
    return ag_clone(t);
}

/* ---- writing a value over a tensor: copy_, fill_ ------------------------------ */

/* What x held before is overwritten: it gets no gradient. */
static int overwrite_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(tensor_zeros(n->input[0].ndim, n->input[0].shape, n->input[0].dtype));
    if (n->n_inputs > 1 && ag_needs_grad(n, 1))      /* copy_: src's share, summed to its shape */
        gi[1] = grad_to_input(n, 1, g[0]);
    return 0;
}

static const AgOp copy_op = {"CopyBackwards", overwrite_backward, NULL,
                             "d(x:copy_(s))/dx = 0 (overwritten); d/ds = 1 (summed to s's shape)"};
static const AgOp fill_op = {"FillBackward", overwrite_backward, NULL,
                             "d(x:fill_(value))/dx = 0 (overwritten)"};

/* x's new value as a recorded tensor: src broadcast to x's shape and dtype
 * (copy_), or the constant (fill_), with an edge to x's old value. */
static Tensor *overwritten(const AgOp *op, Tensor *x, const Tensor *old, const Tensor *src,
                           double value)
{
    Tensor *out = tensor_empty(x->ndim, x->shape, x->dtype);
    int status = !out ? -1 : src ? tensor_copy_(out, src) : tensor_fill_(out, value);
    if (status < 0) {
        tensor_release(out);
        return NULL;
    }
    const Tensor *in[] = {old, src};
    return ag_finish(ag_node_new(op, src ? 2 : 1, in), out);
}

int ag_copy_(Tensor *x, const Tensor *src)
{
    int rec = ag_inplace_check("copy_", x, 1, &src);
    if (rec <= 0)
        return rec < 0 ? -1 : tensor_copy_(x, src);
    Tensor *old = ag_clone(x);
    int status = old ? ag_inplace_commit("copy_", x, old, overwritten(&copy_op, x, old, src, 0)) : -1;
    tensor_release(old);
    return status;
}

int ag_fill_(Tensor *x, double value)
{
    int rec = ag_inplace_check("fill_", x, 0, NULL);
    if (rec <= 0)
        return rec < 0 ? -1 : tensor_fill_(x, value);
    Tensor *old = ag_clone(x);
    int status = old ? ag_inplace_commit("fill_", x, old, overwritten(&fill_op, x, old, NULL, value)) : -1;
    tensor_release(old);
    return status;
}
