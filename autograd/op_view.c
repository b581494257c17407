/*
 * op_view.c — views with their derivatives.
 *
 * A view's gradient is the inverse rearrangement of the output's gradient:
 * reshape back for the ops that only change the shape (view, reshape,
 * squeeze, unsqueeze, flatten), transpose or permute back, sum away what
 * expand repeated.  Views that pick a region (narrow, select) embed the
 * gradient into zeros of the input's shape; that embedding is itself
 * recorded (EmbedBackward, whose gradient takes the region again), so
 * second derivatives pass through every view.  unfold's windows may
 * overlap, so its gradient sums each window back into place (PyTorch's
 * unfold_backward), again a recorded op whose own gradient is unfold.
 */
#include <string.h>

#include "autograd/node.h"

/* ---- shape-only views: the gradient is reshaped back ------------------------ */

static int reshape_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(ag_reshape(g[0], n->input[0].ndim, n->input[0].shape));
    return 0;
}

static const AgOp view_op = {"ViewBackward", reshape_backward, NULL,
                             "d(x:view(shape))/dx: g viewed back as x's shape"};
static const AgOp reshape_op = {"ReshapeBackward", reshape_backward, NULL,
                                "d(x:reshape(shape))/dx: g reshaped back to x's shape"};
static const AgOp squeeze_op = {"SqueezeBackward", reshape_backward, NULL,
                                "d(x:squeeze(dim))/dx: g with the size-1 dims put back"};
static const AgOp unsqueeze_op = {"UnsqueezeBackward", reshape_backward, NULL,
                                  "d(x:unsqueeze(dim))/dx: g with that dim squeezed out"};
static const AgOp flatten_op = {"FlattenBackward", reshape_backward, NULL,
                                "d(x:flatten(start, end))/dx: g unflattened back to x's shape"};

/* Records op for out = a view (or copy) of t; n->i left for the caller. */
static Tensor *record_view(const AgOp *op, const Tensor *t, Tensor *out, AgNode **node)
{
    if (node)
        *node = NULL;
    if (out && !ag_grad_enabled() && ag_requires_grad(t)) {
        /* A view made under no_grad stays outside its base's graph, as in
         * PyTorch (else view_refresh would give it the base's history). */
        struct AgMeta *m = ag_meta(out);
        if (!m) {
            tensor_release(out);
            return NULL;
        }
        m->detached = true;
        return out;
    }
    if (!out || !ag_should_record(1, &t))
        return out;
    AgNode *n = ag_node_new(op, 1, &t);
    if (!n) {
        tensor_release(out);
        return NULL;
    }
    out = ag_set_output(n, out, 0);
    if (node && out)
        *node = n;
    ag_node_release(n);                /* out holds it */
    return out;
}

Tensor *ag_view(const Tensor *t, int ndim, const int64_t *shape)
{
    return t ? record_view(&view_op, t, tensor_view(t, ndim, shape), NULL) : NULL;
}

Tensor *ag_reshape(const Tensor *t, int ndim, const int64_t *shape)
{
    return t ? record_view(&reshape_op, t, tensor_reshape(t, ndim, shape), NULL) : NULL;
}

Tensor *ag_squeeze(const Tensor *t, int dim)
{
    return t ? record_view(&squeeze_op, t, tensor_squeeze(t, dim), NULL) : NULL;
}

Tensor *ag_squeeze_all(const Tensor *t)
{
    return t ? record_view(&squeeze_op, t, tensor_squeeze_all(t), NULL) : NULL;
}

Tensor *ag_unsqueeze(const Tensor *t, int dim)
{
    return t ? record_view(&unsqueeze_op, t, tensor_unsqueeze(t, dim), NULL) : NULL;
}

Tensor *ag_flatten(const Tensor *t, int start, int end)
{
    return t ? record_view(&flatten_op, t, tensor_flatten(t, start, end), NULL) : NULL;
}

/* ---- expand: sum over the repeated dims ------------------------------------- */

static int expand_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(ag_sum_to(g[0], n->input[0].ndim, n->input[0].shape));
    return 0;
}

static const AgOp expand_op = {"ExpandBackward", expand_backward, NULL,
                               "d(x:expand(shape))/dx: g summed over the expanded dims"};

Tensor *ag_expand(const Tensor *t, int ndim, const int64_t *shape)
{
    return t ? record_view(&expand_op, t, tensor_expand(t, ndim, shape), NULL) : NULL;
}

/* ---- transpose and permute: rearrange back ---------------------------------- */

static int transpose_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(ag_transpose(g[0], (int)n->i[0], (int)n->i[1]));
    return 0;
}

static const AgOp transpose_op = {"TransposeBackward", transpose_backward, NULL,
                                  "d(x:transpose(dim0, dim1))/dx: g:transpose(dim0, dim1)"};

Tensor *ag_transpose(const Tensor *t, int d0, int d1)
{
    if (!t)
        return NULL;
    AgNode *n;
    Tensor *out = record_view(&transpose_op, t, tensor_transpose(t, d0, d1), &n);
    if (n) {
        int nd = t->ndim > 0 ? t->ndim : 1;
        n->i[0] = d0 < 0 ? d0 + nd : d0;
        n->i[1] = d1 < 0 ? d1 + nd : d1;
    }
    return out;
}

/* x:t(): the transpose of a matrix, a vector or scalar as it is (an alias);
 * its gradient is t() of the output's gradient. */
static int t_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(ag_t(g[0]));
    return 0;
}

static const AgOp t_op = {"TBackward", t_backward, NULL,
                          "d(x:t())/dx: g:t()"};

Tensor *ag_t(const Tensor *t)
{
    if (!t)
        return NULL;
    if (t->ndim > 2)
        return tensor_fail("t: expects a tensor with <= 2 dims, but it has %d (use transpose)",
                           t->ndim);
    return record_view(&t_op, t, t->ndim < 2 ? tensor_alias(t) : tensor_transpose(t, 0, 1), NULL);
}

static int permute_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    int inverse[TENSOR_MAX_DIMS];
    for (int d = 0; d < n->input[0].ndim; d++)
        inverse[n->i[d]] = d;
    gi[0] = tmp(ag_permute(g[0], inverse));
    return 0;
}

static const AgOp permute_op = {"PermuteBackward", permute_backward, NULL,
                                "d(x:permute(dims))/dx: g permuted back"};

Tensor *ag_permute(const Tensor *t, const int *dims)
{
    if (!t)
        return NULL;
    AgNode *n;
    Tensor *out = record_view(&permute_op, t, tensor_permute(t, dims), &n);
    for (int d = 0; n && d < t->ndim; d++)
        n->i[d] = dims[d] < 0 ? dims[d] + t->ndim : dims[d];
    return out;
}

/* ---- views of a region: the gradient is embedded into zeros ----------------- */

/* The region `view` (the forward node) took, applied to whole. */
static Tensor *take_region(const AgNode *view, const Tensor *whole)
{
    switch (view->i[0]) {
    case 0: return tensor_narrow(whole, (int)view->i[1], view->i[2], view->i[3]);
    case 1: return tensor_select(whole, (int)view->i[1], view->i[2]);
    default: return tensor_diagonal(whole, view->i[2], (int)view->i[1], (int)view->i[3]);
    }
}

/* The gradient of an embedding is the region of its gradient. */
static int embed_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    const AgNode *view = n->extra;
    gi[0] = tmp(ag_region(view, g[0]));
    return 0;
}

static void release_view_node(AgNode *n)
{
    ag_node_release(n->extra);
}

static const AgOp embed_op = {"EmbedBackward", embed_backward, release_view_node,
                              "d(embed(x))/dx: the region of g the view took"};

/* Zeros of the view's input shape with grad in its region (recorded). */
static Tensor *embed(AgNode *view, const Tensor *grad)
{
    const AgInput *in = &view->input[0];
    Tensor *whole = grad ? tensor_zeros(in->ndim, in->shape, grad->dtype) : NULL;
    Tensor *region = whole ? take_region(view, whole) : NULL;
    int status = region ? tensor_copy_(region, grad) : -1;
    tensor_release(region);
    if (status < 0) {
        tensor_release(whole);
        return NULL;
    }
    if (!ag_should_record(1, &grad))
        return whole;
    AgNode *n = ag_node_new(&embed_op, 1, &grad);
    if (n) {
        n->extra = view;
        ag_node_retain(view);
    }
    return ag_finish(n, whole);
}

static int region_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(embed(n, g[0]));
    return 0;
}

static const AgOp narrow_op = {"NarrowBackward", region_backward, NULL,
    "d(x:narrow(dim, start, length))/dx: g placed into zeros shaped like x"};
static const AgOp select_op = {"SelectBackward", region_backward, NULL,
                               "d(x:select(dim, index))/dx: g placed into zeros shaped like x"};
static const AgOp diagonal_op = {"DiagonalBackward", region_backward, NULL,
    "d(x:diagonal(offset))/dx: g placed on the diagonal of zeros shaped like x"};

/* Applies the region of forward node `view` to t, recorded as that view. */
Tensor *ag_region(const AgNode *view, const Tensor *t)
{
    if (!t)
        return NULL;
    Tensor *out = take_region(view, t);
    AgNode *n;
    out = record_view(view->op, t, out, &n);
    if (n)
        memcpy(n->i, view->i, 4 * sizeof n->i[0]);
    return out;
}

static Tensor *region_view(const AgOp *op, const Tensor *t, int64_t kind, int64_t a, int64_t b,
                           int64_t c)
{
    if (!t)
        return NULL;
    AgNode probe = {.i = {kind, a, b, c}};
    Tensor *out = take_region(&probe, t);
    AgNode *n;
    out = record_view(op, t, out, &n);
    if (n)
        memcpy(n->i, probe.i, 4 * sizeof n->i[0]);
    return out;
}

Tensor *ag_narrow(const Tensor *t, int dim, int64_t start, int64_t length)
{
    int d = t ? tensor_wrap_dim("narrow", dim, t->ndim) : -1;
    return region_view(&narrow_op, t, 0, d < 0 ? dim : d, start, length);
}

Tensor *ag_select(const Tensor *t, int dim, int64_t index)
{
    int d = t ? tensor_wrap_dim("select", dim, t->ndim) : -1;
    int64_t i = t && d >= 0 && index < 0 ? index + t->shape[d] : index;
    return region_view(&select_op, t, 1, d < 0 ? dim : d, i, 0);
}

Tensor *ag_diagonal(const Tensor *t, int64_t offset, int d1, int d2)
{
    return region_view(&diagonal_op, t, 2, d1, offset, d2);
}

/* Zeros of `shape` with g on their diagonal `offset` of dims d1, d2 (the
 * gradient of a diagonal, and of diag's 2-D -> 1-D form), recorded like the
 * other embeddings: a diagonal view node, outside any graph, describes the
 * region. */
Tensor *ag_diagonal_embed(const Tensor *g, int ndim, const int64_t *shape, int64_t offset, int d1,
                          int d2)
{
    if (!g)
        return NULL;
    const Tensor *none = NULL;
    AgNode *view = ag_node_new(&diagonal_op, 1, &none);
    if (!view)
        return NULL;
    view->input[0].dtype = g->dtype;
    view->input[0].ndim = ndim;
    memcpy(view->input[0].shape, shape, (size_t)ndim * sizeof shape[0]);
    view->i[0] = 2;
    view->i[1] = d1;
    view->i[2] = offset;
    view->i[3] = d2;
    Tensor *out = embed(view, g);
    ag_node_release(view);
    return out;
}

/* ---- unfold: windows that may overlap ---------------------------------------- */

/* n->i: the dim, the window size and the step (the same for unfold and for
 * its backward). */
static void store_unfold(AgNode *n, int64_t dim, int64_t size, int64_t step)
{
    n->i[0] = dim;
    n->i[1] = size;
    n->i[2] = step;
}

/* Its gradient: d unfold_backward(g) / d g = unfold (a linear map and its
 * adjoint). */
static int unfold_backward_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(ag_unfold(g[0], (int)n->i[0], n->i[1], n->i[2]));
    return 0;
}

static const AgOp unfold_backward_op = {"UnfoldBackwardBackward", unfold_backward_backward, NULL,
                                        "d(unfold_backward(x))/dx: g unfolded again"};

/* PyTorch's unfold_backward: zeros of the input's shape, every window of g
 * added back where it was taken from, so overlapping windows sum.  g is
 * (..., windows, ..., size): its slice j of the last dim goes to positions
 * j, j + step, j + 2 step, ... of `dim`, which one strided view reaches. */
static Tensor *unfold_backward(const Tensor *g, const AgInput *in, int dim, int64_t size,
                               int64_t step)
{
    if (!g)
        return NULL;
    Tensor *whole = tensor_zeros(in->ndim, in->shape, g->dtype);
    Tensor *windows = whole ? tensor_unfold(whole, dim, size, step) : NULL;
    int status = windows ? 0 : -1;
    for (int64_t j = 0; status == 0 && j < size; j++) {
        Tensor *dst = tensor_select(windows, windows->ndim - 1, j);
        Tensor *src = dst ? tensor_select(g, g->ndim - 1, j) : NULL;
        status = src ? tensor_binary_(BINARY_ADD, dst, src) : -1;
        tensor_release(dst);
        tensor_release(src);
    }
    tensor_release(windows);
    if (status < 0) {
        tensor_release(whole);
        return NULL;
    }
    if (!ag_should_record(1, &g))
        return whole;
    AgNode *n = ag_node_new(&unfold_backward_op, 1, &g);
    if (n)
        store_unfold(n, dim, size, step);
    return ag_finish(n, whole);
}

static int unfold_backward_fn(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(unfold_backward(g[0], &n->input[0], (int)n->i[0], n->i[1], n->i[2]));
    return 0;
}

static const AgOp unfold_op = {"UnfoldBackward", unfold_backward_fn, NULL,
    "d(x:unfold(dim, size, step))/dx: g summed back over overlapping windows"};

Tensor *ag_unfold(const Tensor *t, int dim, int64_t size, int64_t step)
{
    if (!t)
        return NULL;
    AgNode *n;
    Tensor *out = record_view(&unfold_op, t, tensor_unfold(t, dim, size, step), &n);
    if (n)
        store_unfold(n, dim < 0 ? dim + t->ndim : dim, size, step);
    return out;
}
