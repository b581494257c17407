/*
 * op_sort.c — sort and topk with their derivatives, and the node that every
 * value-selecting op shares (max and min along a dim use it too).
 *
 * Such an op picks elements of its input along a dim and reports where it
 * took them (the indices).  Each picked value is its input element, so the
 * gradient goes back to exactly those positions: the output's gradient is
 * scattered into zeros of the input's shape at the indices (PyTorch's
 * value_selecting_reduction_backward).  The scatter is recorded (its own
 * gradient gathers at the same indices), so second derivatives pass through.
 * The indices are int64 and never part of the graph; the node keeps a copy
 * of its own, 0-based, since the Lua binding turns the returned ones into
 * 1-based positions in place.
 */
#include "autograd/node.h"

/* d values: g scattered into zeros of the input's shape at the indices.
 * i[0] is the dim, i[1] set when the indices lost it (keepdim false). */
int select_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    const AgInput *in = &n->input[0];
    int dim = (int)n->i[0];
    Tensor *index = saved(n, 0);
    Tensor *grad = n->i[1] ? tmp(ag_unsqueeze(g[0], dim)) : g[0];
    if (!index || !grad)
        return -1;
    Tensor *zeros = tmp(tensor_zeros(in->ndim, in->shape, grad->dtype));
    gi[0] = tmp(ag_scatter(zeros, dim, index, grad, 0));
    return 0;
}

Tensor *record_selection(const AgOp *op, const Tensor *t, int dim, bool keepdim, Tensor *values,
                         const Tensor *indices)
{
    if (!values || !dtype_is_floating(values->dtype) || !ag_should_record(1, &t))
        return values;
    int d = dim < 0 ? dim + (t->ndim > 0 ? t->ndim : 1) : dim;
    bool squeezed = !keepdim && t->ndim > 0 && values->ndim < t->ndim;
    Tensor *view = squeezed ? tensor_unsqueeze(indices, d) : NULL;
    Tensor *copy = !squeezed ? tensor_clone(indices) : view ? tensor_clone(view) : NULL;
    tensor_release(view);
    AgNode *n = copy ? ag_node_new(op, 1, &t) : NULL;
    if (n) {
        n->i[0] = d;
        n->i[1] = squeezed;
        if (ag_save(n, 0, copy) < 0) {
            ag_node_release(n);
            n = NULL;
        }
    }
    tensor_release(copy);
    return ag_finish(n, values);
}

static const AgOp sort_op = {"SortBackward", select_backward, NULL,
                             "d(x:sort(dim))/dx: g scattered back to where each value came from"};
static const AgOp topk_op = {"TopkBackward", select_backward, NULL,
    "d(x:topk(count, dim))/dx: g scattered back to where each value came from, 0 elsewhere"};

int selection_result(const AgOp *op, const Tensor *t, int dim, bool keepdim, int status,
                     Tensor **values, Tensor **indices)
{
    if (status < 0)
        return -1;
    *values = record_selection(op, t, dim, keepdim, *values, *indices);
    if (!*values) {
        tensor_release(*indices);
        *indices = NULL;
        return -1;
    }
    return 0;
}

int ag_sort(const Tensor *t, int dim, bool descending, Tensor **values, Tensor **indices)
{
    if (!t)
        return -1;
    return selection_result(&sort_op, t, dim, true, tensor_sort(t, dim, descending, values, indices),
                            values, indices);
}

int ag_topk(const Tensor *t, int64_t k, int dim, bool largest, Tensor **values, Tensor **indices)
{
    if (!t)
        return -1;
    return selection_result(&topk_op, t, dim, true,
                            tensor_topk(t, k, dim, largest, values, indices), values, indices);
}
