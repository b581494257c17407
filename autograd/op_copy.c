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

static const AgOp clone_op = {"CloneBackward", copy_backward, NULL};
static const AgOp to_copy_op = {"ToCopyBackward", copy_backward, NULL};

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
