/*
 * history.c — where a tensor's gradient goes, and how in-place ops rewrite
 * that history.
 *
 * A tensor's gradient flows into its grad_fn, or for a leaf that requires
 * grad into its AccumulateGrad node.  In-place ops are recorded the simple
 * way: the binding's op runs out of place on a recorded clone of the old
 * value (ag_inplace_*), the result is copied back, and the result's node
 * becomes the tensor's grad_fn.
 *
 * Views need more, because a view and its base share memory: writing into a
 * view changes the base.  Following PyTorch, the base's new grad_fn is then a
 * CopySlices node: the base's gradient passes through unchanged except in
 * the view's region, which goes through the in-place op's own formula.  And
 * a view whose base was changed since its grad_fn was set (the storage's
 * version says so) gets a fresh grad_fn on next use, AsStridedBackward,
 * which routes its gradient into the region of the base's current history.
 * A base is always contiguous from offset 0 (tensor.h), so a view's strides
 * and offset locate its region in a contiguous gradient of the base's shape.
 * (Overlapping views, such as unfold's windows, are not summed here.)
 */
#include <string.h>

#include "autograd/node.h"

/* ---- a view's position inside its base, kept in a node's i[] ---------------- */

static void geometry_store(AgNode *n, const Tensor *view)
{
    int nd = view->ndim;
    n->i[0] = nd;
    memcpy(&n->i[1], view->shape, (size_t)nd * sizeof view->shape[0]);
    memcpy(&n->i[1 + nd], view->stride, (size_t)nd * sizeof view->stride[0]);
    n->i[1 + 2 * nd] = view->offset;
}

/* The stored view's region of `whole` (contiguous, of the base's shape). */
static Tensor *geometry_view(const AgNode *n, const Tensor *whole)
{
    int nd = (int)n->i[0];
    return tensor_as_strided(whole, nd, &n->i[1], &n->i[1 + nd], n->i[1 + 2 * nd]);
}

/* ---- AsStridedBackward: a view's gradient into its base's shape ------------ */

/* Zeros of the base's shape with the gradient in the view's region.  The
 * copy is an in-place op on a view like any other, so with create_graph it
 * is recorded (as CopySlices) and second derivatives pass through. */
static int as_strided_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    const AgInput *base = &n->input[0];
    Tensor *whole = tmp(tensor_zeros(base->ndim, base->shape, base->dtype));
    Tensor *region = whole ? tmp(geometry_view(n, whole)) : NULL;
    if (!region || ag_copy_(region, g[0]) < 0)
        return -1;
    gi[0] = whole;
    return 0;
}

static const AgOp as_strided_op = {"AsStridedBackward", as_strided_backward, NULL,
    "d(x:as_strided(geometry))/dx: g placed at the viewed positions of zeros shaped like x"};

/* Makes view t's grad_fn an AsStridedBackward into its base's history. */
static int view_regenerate(Tensor *t)
{
    struct AgMeta *m;
    const Tensor *in[] = {t->base};
    AgNode *n = ag_node_new(&as_strided_op, 1, in);
    if (!n || !(m = ag_meta(t))) {
        ag_node_release(n);
        return -1;
    }
    geometry_store(n, t);
    ag_set_history(t, m, n, 0);
    ag_node_release(n);
    return 0;
}

/* A view whose base has history needs a grad_fn into it, unless the one it
 * has is still current (no in-place op since it was set). */
static int view_refresh(Tensor *t)
{
    struct AgMeta *m = t->autograd;
    if (!t->base || (m && m->detached) || !ag_requires_grad(t->base))
        return 0;
    if (m && m->grad_fn && m->view_version == t->storage->version)
        return 0;
    return view_regenerate(t);
}

AgNode *ag_grad_fn(Tensor *t)
{
    if (view_refresh(t) < 0)
        return NULL;
    return t->autograd ? t->autograd->grad_fn : NULL;
}

int ag_edge(Tensor *t, AgNode **node, int *output_nr)
{
    *node = NULL;
    *output_nr = 0;
    if (view_refresh(t) < 0)
        return -1;
    struct AgMeta *m = t->autograd;
    if (!m)
        return 0;
    if (m->grad_fn) {
        *node = m->grad_fn;
        *output_nr = m->output_nr;
        ag_node_retain(*node);
    } else if (m->requires_grad) {
        *node = ag_accumulator(t);
        if (!*node)
            return -1;
    }
    return 0;
}

/* ---- CopySlices: a base after an in-place op on one of its views ----------- */

/* i[] holds the view's geometry; i[2 * TENSOR_MAX_DIMS + 2] the position of
 * the view's old value among the inner node's inputs (-1: not an input). */
#define SELF_SLOT (2 * TENSOR_MAX_DIMS + 2)

/* The base's gradient passes through, except in the view's region, which
 * the in-place op's own formula maps to the view's old value.  Written with
 * recorded ops (clone, an in-place write into a view), so that with
 * create_graph second derivatives pass through too. */
static int copy_slices_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    AgNode *inner = n->extra;
    int self = (int)n->i[SELF_SLOT];
    Tensor *whole = tmp(ag_clone(g[0]));
    Tensor *region = whole ? tmp(geometry_view(n, whole)) : NULL;
    Tensor *region_grad = region ? tmp(ag_clone(region)) : NULL;
    if (!region_grad)
        return -1;
    Tensor *inner_gi[inner->n_inputs];
    memset(inner_gi, 0, sizeof inner_gi);
    if (inner->op->backward(inner, &region_grad, inner_gi) < 0)
        return -1;
    int status = self >= 0 && inner_gi[self] ? ag_copy_(region, inner_gi[self])
                                            : ag_fill_(region, 0);
    if (status < 0)
        return -1;
    gi[0] = whole;
    for (int k = 0; k < inner->n_inputs; k++)
        if (k != self)
            gi[1 + k] = inner_gi[k];
    return 0;
}

static void free_inner(AgNode *n)
{
    ag_node_release(n->extra);
}

static const AgOp copy_slices_op = {"CopySlices", copy_slices_backward, free_inner,
    "d(x with its view overwritten)/dx: g outside the view, the in-place op's formula inside"};

/* The base of view x takes the history of x's in-place op (node inner,
 * whose input `self` held x's old value), and x a fresh view of it. */
static int copy_slices(Tensor *x, AgNode *inner, int self)
{
    Tensor *base = x->base;
    const Tensor *in[inner->n_inputs + 1];
    memset(in, 0, sizeof in);
    in[0] = base;
    struct AgMeta *bm = ag_meta(base);
    AgNode *n = bm ? ag_node_new(&copy_slices_op, inner->n_inputs + 1, in) : NULL;
    if (!n)
        return -1;
    for (int k = 0; k < inner->n_inputs; k++) {
        if (k == self)
            continue;
        n->input[1 + k] = inner->input[k];
        if (n->input[1 + k].node)
            ag_node_retain(n->input[1 + k].node);
    }
    geometry_store(n, x);
    n->i[SELF_SLOT] = self;
    n->extra = inner;
    ag_node_retain(inner);
    ag_set_history(base, bm, n, 0);
    ag_node_release(n);
    return view_regenerate(x);
}

/* ---- the in-place protocol used by every recorded in-place op -------------- */

int ag_inplace_check(const char *fn, Tensor *x, int n, const Tensor *const *others)
{
    if (!ag_grad_enabled())
        return 0;
    bool any = ag_requires_grad(x);
    for (int k = 0; k < n && !any; k++)
        any = others[k] && ag_requires_grad(others[k]);
    if (!any)
        return 0;
    const struct AgMeta *m = x->autograd;
    bool view = x->base && !(m && m->detached);
    const Tensor *owner = view ? x->base : x;
    const struct AgMeta *om = owner->autograd;
    if (om && om->requires_grad && !om->grad_fn) {
        tensor_fail("%s: %s leaf tensor that requires grad cannot be modified in place; "
                    "do it inside torch.no_grad, or clone() it first",
                    fn, view ? "a view of a" : "a");
        return -1;
    }
    return 1;
}

int ag_inplace_commit(const char *fn, Tensor *x, Tensor *old, Tensor *result)
{
    if (!result)
        return -1;
    if (!tensor_same_shape(result, x)) {
        char a[128], b[128];
        tensor_fail("%s: the result of shape %s cannot be written into a tensor of shape %s",
                    fn, tensor_shape_str(result, a, sizeof a), tensor_shape_str(x, b, sizeof b));
        tensor_release(result);
        return -1;
    }
    if (dtype_category(result->dtype) > dtype_category(x->dtype)) {
        tensor_fail("%s: result type %s cannot be cast to the tensor's type %s", fn,
                    dtype_name(result->dtype), dtype_name(x->dtype));
        tensor_release(result);
        return -1;
    }
    int status = tensor_copy_(x, result);
    AgNode *node = result->autograd ? result->autograd->grad_fn : NULL;
    if (status == 0 && node) {
        int self = -1;
        AgNode *old_fn = old && old->autograd ? old->autograd->grad_fn : NULL;
        for (int k = 0; k < node->n_inputs && old_fn; k++)
            if (node->input[k].node == old_fn)
                self = k;
        const struct AgMeta *m = x->autograd;
        if (x->base && !(m && m->detached))
            status = copy_slices(x, node, self);
        else {
            struct AgMeta *xm = ag_meta(x);
            if (xm)
                ag_set_history(x, xm, node, result->autograd->output_nr);
            else
                status = -1;
        }
    }
    tensor_release(result);
    return status;
}
