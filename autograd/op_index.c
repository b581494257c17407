/*
 * op_index.c — the index-tensor ops with their derivatives: the reads
 * (index_select, gather, take, masked_select) and the writes (scatter of a
 * source or a value, scatter_add, index_add, index_copy, index_fill,
 * masked_scatter, and x[mask] = v), out of place and in place.
 *
 * Reads and writes are each other's derivatives (PyTorch's
 * derivatives.yaml).  A read's gradient is the matching *adding* write of
 * the gradient into zeros of the input's shape, so that repeated indices
 * accumulate: gather -> scatter_add, index_select and take -> index_add,
 * masked_select -> masked_scatter.  A write's gradient to self is the
 * gradient with the overwritten positions zeroed (passed whole by the adds),
 * and to its source the matching read of the gradient.  Every formula is
 * made of the recorded ops of this file, so second derivatives pass
 * through.  Index tensors and masks carry no gradient: a node saves them
 * with the `base` its index values count from (1 from Lua, 0 from C).
 *
 * Each write runs out of place on a copy of self (the in-place kernel on a
 * clone); the in-place forms follow the protocol of node.h on top of it.
 */
#include <string.h>

#include "autograd/node.h"

/* ---- the writes: one description, one table of nodes ---------------------------- */

typedef enum {
    WRITE_SCATTER,          /* self[index] = src along dim */
    WRITE_SCATTER_VALUE,    /* self[index] = value along dim */
    WRITE_SCATTER_ADD,      /* self[index] += src along dim */
    WRITE_INDEX_ADD,        /* slice index[i] of self += alpha * slice i of src */
    WRITE_INDEX_COPY,       /* slice index[i] of self = slice i of src */
    WRITE_INDEX_FILL,       /* slices index of self = value */
    WRITE_MASKED_SCATTER,   /* self[mask] = src, packed in row-major order */
    WRITE_MASKED_FILL,      /* self[mask] = value (a one-element tensor, in src) */
} WriteKind;

typedef struct {
    WriteKind kind;
    int dim;
    const Tensor *index;    /* the mask for the masked writes */
    const Tensor *src;      /* NULL for the value fills */
    double value;           /* index_fill/scatter's value, index_add's alpha */
    int64_t base;
} Write;

static const char *const write_names[] = {
    [WRITE_SCATTER] = "scatter_",           [WRITE_SCATTER_VALUE] = "scatter_",
    [WRITE_SCATTER_ADD] = "scatter_add_",   [WRITE_INDEX_ADD] = "index_add_",
    [WRITE_INDEX_COPY] = "index_copy_",     [WRITE_INDEX_FILL] = "index_fill_",
    [WRITE_MASKED_SCATTER] = "masked_scatter_", [WRITE_MASKED_FILL] = "masked_fill_",
};

static bool write_is_masked(WriteKind k)
{
    return k == WRITE_MASKED_SCATTER || k == WRITE_MASKED_FILL;
}

/* The in-place kernel of w on x. */
static int write_plain(Tensor *x, const Write *w)
{
    switch (w->kind) {
    case WRITE_SCATTER: return tensor_scatter_(x, w->dim, w->index, w->src, w->base);
    case WRITE_SCATTER_VALUE: return tensor_scatter_value_(x, w->dim, w->index, w->value, w->base);
    case WRITE_SCATTER_ADD: return tensor_scatter_add_(x, w->dim, w->index, w->src, w->base);
    case WRITE_INDEX_ADD: return tensor_index_add_(x, w->dim, w->index, w->src, w->value, w->base);
    case WRITE_INDEX_COPY: return tensor_index_copy_(x, w->dim, w->index, w->src, w->base);
    case WRITE_INDEX_FILL: return tensor_index_fill_(x, w->dim, w->index, w->value, w->base);
    case WRITE_MASKED_SCATTER: return tensor_masked_scatter_(x, w->index, w->src);
    case WRITE_MASKED_FILL: {
        Tensor *scalar = tensor_reshape(w->src, 0, NULL);
        int status = scalar ? tensor_masked_fill_tensor_(x, w->index, scalar) : -1;
        tensor_release(scalar);
        return status;
    }
    }
    return -1;
}

/* A copy of t with w applied; the masked writes first broadcast t against
 * the mask, as PyTorch's out-of-place masked_scatter does. */
static Tensor *write_copy(const Tensor *t, const Write *w)
{
    Tensor *out;
    if (write_is_masked(w->kind)) {
        int nd;
        int64_t shape[TENSOR_MAX_DIMS];
        if (!broadcast_shapes("masked_scatter", t->ndim, t->shape, w->index->ndim,
                              w->index->shape, &nd, shape))
            return NULL;
        Tensor *e = tensor_expand(t, nd, shape);
        out = e ? tensor_clone(e) : NULL;
        tensor_release(e);
    } else {
        out = tensor_clone(t);
    }
    if (out && write_plain(out, w) < 0) {
        tensor_release(out);
        return NULL;
    }
    return out;
}

static Tensor *write_recorded(const Tensor *t, const Write *w);

/* g with w's written positions set to zero: the gradient to self of a write
 * that overwrites them. */
static Tensor *written_zeroed(AgNode *n, const Tensor *g, const Tensor *index)
{
    Write z = {.dim = (int)n->i[0], .index = index, .base = n->i[1]};
    switch ((WriteKind)n->i[2]) {
    case WRITE_SCATTER:
    case WRITE_SCATTER_VALUE: z.kind = WRITE_SCATTER_VALUE; break;
    case WRITE_INDEX_COPY:
    case WRITE_INDEX_FILL: z.kind = WRITE_INDEX_FILL; break;
    default: {                                     /* the masked writes */
        Tensor *zero = tmp_scalar(0, g);
        return zero ? grad_to_input(n, 0, tmp(ag_where(index, zero, g))) : NULL;
    }
    }
    return tmp(write_recorded(g, &z));
}

static Tensor *arange_index(int64_t count)
{
    Tensor *idx = tensor_empty(1, &count, DTYPE_INT64);
    for (int64_t k = 0; idx && k < count; k++)
        ((int64_t *)tensor_data(idx))[k] = k;
    return idx;
}

/* g in the leading corner of zeros of input i's shape, recorded (index_add
 * of g's slices, one padded dim at a time): the gradient of a source that
 * an index smaller than it read only in part. */
static Tensor *grad_to_source(AgNode *n, int i, Tensor *g)
{
    const AgInput *in = &n->input[i];
    int64_t one = 1;
    if (g && g->ndim == 0 && in->ndim == 1)     /* a 0-dim index reads like a 1-D one */
        g = tmp(ag_reshape(g, 1, &one));
    for (int d = 0; g && g->ndim == in->ndim && d < in->ndim; d++) {
        if (g->shape[d] == in->shape[d])
            continue;
        int64_t shape[TENSOR_MAX_DIMS];
        memcpy(shape, g->shape, sizeof shape);
        shape[d] = in->shape[d];
        Tensor *zeros = tmp(tensor_zeros(g->ndim, shape, g->dtype));
        Tensor *idx = tmp(arange_index(g->shape[d]));
        g = zeros && idx ? tmp(ag_index_add(zeros, d, idx, g, 1, 0)) : NULL;
    }
    /* Left: a 0-dim source read by a one-element index, a packed masked
     * source, or a one-element fill value. */
    bool same = g && g->ndim == in->ndim &&
                memcmp(g->shape, in->shape, (size_t)in->ndim * sizeof in->shape[0]) == 0;
    return g && !same ? tmp(ag_reshape(g, in->ndim, in->shape)) : g;
}

/* d self: g with the written positions zeroed (the adds: g itself).
 * d src:  scatter, scatter_add: g gathered at index (zero-padded to src's shape);
 *         index_add: alpha * g's slices at index; index_copy: g's slices at index;
 *         masked_scatter: g's elements where mask, padded to src's size;
 *         masked fill: the sum of g where mask. */
static int write_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    WriteKind kind = (WriteKind)n->i[2];
    int dim = (int)n->i[0];
    int64_t base = n->i[1];
    Tensor *index = saved(n, 0);
    if (!index)
        return -1;
    if (ag_needs_grad(n, 0))
        gi[0] = kind == WRITE_SCATTER_ADD || kind == WRITE_INDEX_ADD ? g[0]
                                                                     : written_zeroed(n, g[0], index);
    if (n->n_inputs < 2 || !ag_needs_grad(n, 1))
        return 0;
    Tensor *gs = NULL;
    switch (kind) {
    case WRITE_SCATTER:
    case WRITE_SCATTER_ADD:
        gs = tmp(ag_gather(g[0], dim, index, base));
        break;
    case WRITE_INDEX_ADD:
        gs = tmp(ag_index_select(g[0], dim, index, base));
        if (n->f[0] != 1)
            gs = gs ? f_scale(gs, n->f[0]) : NULL;
        break;
    case WRITE_INDEX_COPY:
        gs = tmp(ag_index_select(g[0], dim, index, base));
        break;
    case WRITE_MASKED_SCATTER: {
        int64_t numel = 1;
        for (int d = 0; d < n->input[1].ndim; d++)
            numel *= n->input[1].shape[d];
        gs = tmp(ag_masked_select(g[0], index));
        if (gs && gs->shape[0] < numel) {      /* the source's unread tail gets zeros */
            Tensor *zeros = tmp(tensor_zeros(1, &numel, gs->dtype));
            Tensor *idx = tmp(arange_index(gs->shape[0]));
            gs = zeros && idx ? tmp(ag_index_add(zeros, 0, idx, gs, 1, 0)) : NULL;
        }
        break;
    }
    case WRITE_MASKED_FILL: {
        Tensor *zero = tmp_scalar(0, g[0]);
        Tensor *kept = zero ? tmp(ag_where(index, g[0], zero)) : NULL;
        gs = tmp(ag_sum(kept, 0, NULL, false));
        break;
    }
    default:
        return -1;
    }
    gi[1] = grad_to_source(n, 1, gs);
    return 0;
}

static const AgOp write_ops[] = {
    [WRITE_SCATTER] = {"ScatterBackward", write_backward, NULL,
                       "d(x:scatter(dim, index, s))/dx = 0 where written, else 1; "
                       "d/ds: g gathered from the written positions"},
    [WRITE_SCATTER_VALUE] = {"ScatterBackward", write_backward, NULL,
                             "d(x:scatter(dim, index, value))/dx = 0 where written, else 1"},
    [WRITE_SCATTER_ADD] = {"ScatterAddBackward", write_backward, NULL,
                           "d(x:scatter_add(dim, index, s))/dx = 1; d/ds: g gathered at index"},
    [WRITE_INDEX_ADD] = {"IndexAddBackward", write_backward, NULL,
                         "d(x:index_add(dim, index, s))/dx = 1; "
                         "d/ds: alpha * g:index_select(dim, index)"},
    [WRITE_INDEX_COPY] = {"IndexCopyBackward", write_backward, NULL,
                          "d(x:index_copy(dim, index, s))/dx = 0 in the copied rows, else 1; "
                          "d/ds: g:index_select(dim, index)"},
    [WRITE_INDEX_FILL] = {"IndexFillBackward", write_backward, NULL,
                          "d(x:index_fill(dim, index, value))/dx = 0 in the filled rows, else 1"},
    [WRITE_MASKED_SCATTER] = {"MaskedScatterBackward", write_backward, NULL,
                              "d(x:masked_scatter(mask, s))/dx = 0 where mask, else 1; "
                              "d/ds: g:masked_select(mask), zero-padded to s"},
    [WRITE_MASKED_FILL] = {"MaskedFillBackward", write_backward, NULL,
    "d(x:masked_fill(mask, v))/dx = 0 where mask, else 1; "
                           "d/dv: the sum of g where mask"},
};

/* write_copy, recorded: inputs (self, src), the index or mask saved. */
static Tensor *write_recorded(const Tensor *t, const Write *w)
{
    bool has_src = w->kind != WRITE_SCATTER_VALUE && w->kind != WRITE_INDEX_FILL;
    if (!t || !w->index || (has_src && !w->src))
        return NULL;
    Tensor *out = write_copy(t, w);
    const Tensor *in[] = {t, w->src};
    int n_in = w->src ? 2 : 1;
    if (!out || !dtype_is_floating(out->dtype) || !ag_should_record(n_in, in))
        return out;
    AgNode *n = ag_node_new(&write_ops[w->kind], n_in, in);
    if (n) {
        n->i[0] = w->dim;
        n->i[1] = w->base;
        n->i[2] = w->kind;
        n->f[0] = w->value;
        if (ag_save(n, 0, w->index) < 0) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

/* w on x in place, recorded through the protocol of node.h. */
static int write_inplace(Tensor *x, const Write *w)
{
    const char *fn = write_names[w->kind];
    int rec = ag_inplace_check(fn, x, 1, &w->src);
    if (rec <= 0)
        return rec < 0 ? -1 : write_plain(x, w);
    if (write_is_masked(w->kind) && w->index) {
        /* The mask broadcasts to x's shape, never x to the mask's. */
        Tensor *probe = tensor_expand(w->index, x->ndim, x->shape);
        if (!probe) {
            char a[128], b[128];
            tensor_fail("%s: a mask of shape %s cannot be broadcast to self's shape %s", fn,
                        tensor_shape_str(w->index, a, sizeof a), tensor_shape_str(x, b, sizeof b));
            return -1;
        }
        tensor_release(probe);
    }
    Tensor *old = ag_clone(x);
    int status = old ? ag_inplace_commit(fn, x, old, write_recorded(old, w)) : -1;
    tensor_release(old);
    return status;
}

/* ---- the writes, out of place and in place ------------------------------------- */

Tensor *ag_scatter(const Tensor *t, int dim, const Tensor *index, const Tensor *src, int64_t base)
{
    return write_recorded(t, &(Write){WRITE_SCATTER, dim, index, src, 0, base});
}

Tensor *ag_scatter_value(const Tensor *t, int dim, const Tensor *index, double value,
                         int64_t base)
{
    return write_recorded(t, &(Write){WRITE_SCATTER_VALUE, dim, index, NULL, value, base});
}

Tensor *ag_scatter_add(const Tensor *t, int dim, const Tensor *index, const Tensor *src,
                       int64_t base)
{
    return write_recorded(t, &(Write){WRITE_SCATTER_ADD, dim, index, src, 1, base});
}

Tensor *ag_index_add(const Tensor *t, int dim, const Tensor *index, const Tensor *src,
                     double alpha, int64_t base)
{
    return write_recorded(t, &(Write){WRITE_INDEX_ADD, dim, index, src, alpha, base});
}

Tensor *ag_index_copy(const Tensor *t, int dim, const Tensor *index, const Tensor *src,
                      int64_t base)
{
    return write_recorded(t, &(Write){WRITE_INDEX_COPY, dim, index, src, 0, base});
}

Tensor *ag_index_fill(const Tensor *t, int dim, const Tensor *index, double value, int64_t base)
{
    return write_recorded(t, &(Write){WRITE_INDEX_FILL, dim, index, NULL, value, base});
}

Tensor *ag_masked_scatter(const Tensor *t, const Tensor *mask, const Tensor *src)
{
    return write_recorded(t, &(Write){WRITE_MASKED_SCATTER, 0, mask, src, 0, 0});
}

int ag_scatter_(Tensor *x, int dim, const Tensor *index, const Tensor *src, int64_t base)
{
    return x && index && src ? write_inplace(x, &(Write){WRITE_SCATTER, dim, index, src, 0, base})
                             : -1;
}

int ag_scatter_value_(Tensor *x, int dim, const Tensor *index, double value, int64_t base)
{
    return x && index
               ? write_inplace(x, &(Write){WRITE_SCATTER_VALUE, dim, index, NULL, value, base})
               : -1;
}

int ag_scatter_add_(Tensor *x, int dim, const Tensor *index, const Tensor *src, int64_t base)
{
    return x && index && src
               ? write_inplace(x, &(Write){WRITE_SCATTER_ADD, dim, index, src, 1, base})
               : -1;
}

int ag_index_add_(Tensor *x, int dim, const Tensor *index, const Tensor *src, double alpha,
                  int64_t base)
{
    return x && index && src
               ? write_inplace(x, &(Write){WRITE_INDEX_ADD, dim, index, src, alpha, base})
               : -1;
}

int ag_index_copy_(Tensor *x, int dim, const Tensor *index, const Tensor *src, int64_t base)
{
    return x && index && src
               ? write_inplace(x, &(Write){WRITE_INDEX_COPY, dim, index, src, 0, base})
               : -1;
}

int ag_index_fill_(Tensor *x, int dim, const Tensor *index, double value, int64_t base)
{
    return x && index
               ? write_inplace(x, &(Write){WRITE_INDEX_FILL, dim, index, NULL, value, base})
               : -1;
}

int ag_masked_scatter_(Tensor *x, const Tensor *mask, const Tensor *src)
{
    return x && mask && src ? write_inplace(x, &(Write){WRITE_MASKED_SCATTER, 0, mask, src, 0, 0})
                            : -1;
}

/* x[mask] = value: filled when value has one element, else scattered. */
int ag_index_put_mask_(Tensor *x, const Tensor *mask, const Tensor *value)
{
    if (!x || !mask || !value)
        return -1;
    WriteKind kind = tensor_numel(value) == 1 ? WRITE_MASKED_FILL : WRITE_MASKED_SCATTER;
    return write_inplace(x, &(Write){kind, 0, mask, value, 0, 0});
}

/* ---- the reads ------------------------------------------------------------------ */

/* Zeros of input 0's shape, in g's dtype. */
static Tensor *input_zeros(const AgNode *n, const Tensor *g)
{
    const AgInput *in = &n->input[0];
    return tmp(tensor_zeros(in->ndim, in->shape, g->dtype));
}

/* d index_select: g's slices added into zeros at index (index_add). */
static int index_select_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *index = saved(n, 0), *zeros = input_zeros(n, g[0]);
    gi[0] = index && zeros ? tmp(ag_index_add(zeros, (int)n->i[0], index, g[0], 1, n->i[1])) : NULL;
    return 0;
}

/* d gather: g added into zeros at index (scatter_add). */
static int gather_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *index = saved(n, 0), *zeros = input_zeros(n, g[0]);
    gi[0] = index && zeros ? tmp(ag_scatter_add(zeros, (int)n->i[0], index, g[0], n->i[1])) : NULL;
    return 0;
}

/* d take: g added into the flat zeros at index (index_add over dim 0),
 * shaped back; the saved index has no negative values. */
static int take_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    const AgInput *in = &n->input[0];
    Tensor *index = saved(n, 0);
    int64_t numel = 1, all = -1;
    for (int d = 0; d < in->ndim; d++)
        numel *= in->shape[d];
    Tensor *flat_index = index ? tmp(tensor_reshape(index, 1, &all)) : NULL;
    Tensor *flat_g = tmp(ag_reshape(g[0], 1, &all));
    Tensor *zeros = tmp(tensor_zeros(1, &numel, g[0]->dtype));
    Tensor *sum = flat_index && flat_g && zeros
                      ? tmp(ag_index_add(zeros, 0, flat_index, flat_g, 1, n->i[1]))
                      : NULL;
    gi[0] = tmp(ag_reshape(sum, in->ndim, in->shape));
    return 0;
}

/* d masked_select: g scattered into zeros of the broadcast shape where the
 * mask is true, summed back to the input's shape. */
static int masked_select_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *mask = saved(n, 0);
    Tensor *zeros = tmp(tensor_zeros((int)n->i[2], &n->i[3], g[0]->dtype));
    gi[0] = mask && zeros ? grad_to_input(n, 0, tmp(ag_masked_scatter(zeros, mask, g[0]))) : NULL;
    return 0;
}

static const AgOp index_select_op = {"IndexSelectBackward", index_select_backward, NULL,
    "d(x:index_select(dim, index))/dx: g added into zeros at the selected rows"};
static const AgOp gather_op = {"GatherBackward", gather_backward, NULL,
    "d(x:gather(dim, index))/dx: g added back into zeros at index (scatter_add)"};
static const AgOp take_op = {"TakeBackward", take_backward, NULL,
                             "d(x:take(index))/dx: g added back into zeros at the taken elements"};
static const AgOp masked_select_op = {"MaskedSelectBackward", masked_select_backward, NULL,
                                      "d(x[mask])/dx: g put back where mask is true, 0 elsewhere"};

/* Records op for out (read from t at `index`, saved; NULL saves nothing). */
static AgNode *record_read(const AgOp *op, const Tensor *t, Tensor **out, const Tensor *index,
                           int dim, int64_t base)
{
    if (!*out || !dtype_is_floating((*out)->dtype) || !ag_should_record(1, &t))
        return NULL;
    AgNode *n = ag_node_new(op, 1, &t);
    if (n) {
        n->i[0] = dim;
        n->i[1] = base;
        if (index && ag_save(n, 0, index) < 0) {
            ag_node_release(n);
            n = NULL;
        }
    }
    *out = ag_finish(n, *out);
    return n;
}

Tensor *ag_index_select(const Tensor *t, int dim, const Tensor *index, int64_t base)
{
    if (!t || !index)
        return NULL;
    Tensor *out = tensor_index_select(t, dim, index, base);
    record_read(&index_select_op, t, &out, index, dim, base);
    return out;
}

Tensor *ag_gather(const Tensor *t, int dim, const Tensor *index, int64_t base)
{
    if (!t || !index)
        return NULL;
    Tensor *out = tensor_gather(t, dim, index, base);
    record_read(&gather_op, t, &out, index, dim, base);
    return out;
}

/* index with its negative values (counting from the end of n elements)
 * made positive, so that index_add accepts it. */
static Tensor *index_nonnegative(const Tensor *index, int64_t n, int64_t base)
{
    Tensor *idx = tensor_clone(index);
    int64_t *v = idx ? tensor_data(idx) : NULL;
    for (int64_t k = 0; v && k < tensor_numel(idx); k++)
        if (v[k] < 0)
            v[k] += n + base;
    return idx;
}

Tensor *ag_take(const Tensor *t, const Tensor *index, int64_t base)
{
    if (!t || !index)
        return NULL;
    Tensor *out = tensor_take(t, index, base);
    if (!out || !dtype_is_floating(out->dtype) || !ag_should_record(1, &t))
        return out;
    Tensor *idx = index_nonnegative(index, tensor_numel(t), base);
    if (!idx) {
        tensor_release(out);
        return NULL;
    }
    record_read(&take_op, t, &out, idx, 0, base);
    tensor_release(idx);
    return out;
}

Tensor *ag_masked_select(const Tensor *t, const Tensor *mask)
{
    if (!t || !mask)
        return NULL;
    Tensor *out = tensor_masked_select(t, mask);
    AgNode *n = record_read(&masked_select_op, t, &out, mask, 0, 0);
    if (n && out) {                     /* the broadcast shape, for the zeros of backward */
        int nd;
        broadcast_shapes("masked_select", t->ndim, t->shape, mask->ndim, mask->shape, &nd, &n->i[3]);
        n->i[2] = nd;
    }
    return out;
}
