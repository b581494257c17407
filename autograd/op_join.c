/*
 * op_join.c — joining, splitting, repeating and reordering, with their
 * derivatives: cat, stack, split, unbind, repeat/tile, flip, roll,
 * tril/triu and diag.
 *
 * Each of these moves elements without changing them, so each gradient
 * moves the output's gradient back: cat and stack hand every input the
 * narrow or the slice of the gradient where it landed, split and unbind
 * (one node, one output per piece) join the pieces' gradients again, with
 * zeros for pieces no gradient reached.  repeat sums the copies (the
 * gradient viewed as (repeats, size) per dim, summed over the repeats),
 * flip flips back, roll rolls back, tril/triu keep the same triangle, and
 * diag takes or embeds the diagonal.  All of it with recorded ops, so
 * second derivatives pass through.
 */
#include <stdlib.h>
#include <string.h>

#include "autograd/node.h"

/* ---- cat: each input gets the narrow of the gradient where it landed ---------- */

/* PyTorch skips 1-D empty tensors in cat (tensor/join.c). */
static bool cat_skipped(const AgInput *in)
{
    return in->ndim == 1 && in->shape[0] == 0;
}

static int cat_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    int d = (int)n->i[0];
    int64_t at = 0;
    for (int k = 0; k < n->n_inputs; k++) {
        const AgInput *in = &n->input[k];
        if (cat_skipped(in)) {
            if (ag_needs_grad(n, k))
                gi[k] = tmp(tensor_zeros(1, in->shape, g[0]->dtype));
            continue;
        }
        if (ag_needs_grad(n, k))
            gi[k] = tmp(ag_narrow(g[0], d, at, in->shape[d]));
        at += in->shape[d];
    }
    return 0;
}

static const AgOp cat_op = {"CatBackward", cat_backward, NULL,
                            "d(cat(x..., dim))/dx: the slice of g where that x sits"};

Tensor *ag_cat(int n, Tensor *const *ts, int dim)
{
    for (int k = 0; k < n; k++)
        if (!ts[k])
            return NULL;
    Tensor *out = tensor_cat(n, ts, dim);
    const Tensor *const *in = (const Tensor *const *)ts;
    if (!out || !ag_should_record(n, in))
        return out;
    int d = 0;
    for (int k = 0; k < n; k++)        /* the dim of the first tensor that counts */
        if (!(ts[k]->ndim == 1 && ts[k]->shape[0] == 0)) {
            d = dim < 0 ? dim + ts[k]->ndim : dim;
            break;
        }
    AgNode *node = ag_node_new(&cat_op, n, in);
    if (node)
        node->i[0] = d;
    return ag_finish(node, out);
}

/* ---- stack: each input gets its slice of the gradient ------------------------- */

static int stack_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    for (int k = 0; k < n->n_inputs; k++)
        if (ag_needs_grad(n, k))
            gi[k] = tmp(ag_select(g[0], (int)n->i[0], k));
    return 0;
}

static const AgOp stack_op = {"StackBackward", stack_backward, NULL,
                              "d(stack(x..., dim))/dx: g selected at that x's position along dim"};

Tensor *ag_stack(int n, Tensor *const *ts, int dim)
{
    for (int k = 0; k < n; k++)
        if (!ts[k])
            return NULL;
    Tensor *out = tensor_stack(n, ts, dim);
    const Tensor *const *in = (const Tensor *const *)ts;
    if (!out || !ag_should_record(n, in))
        return out;
    AgNode *node = ag_node_new(&stack_op, n, in);
    if (node)
        node->i[0] = dim < 0 ? dim + ts[0]->ndim + 1 : dim;
    return ag_finish(node, out);
}

/* ---- split and unbind: one node, one output per piece -------------------------- */

/* The pieces' gradients (borrowed, in a malloc'd array), zeros where none
 * arrived: a piece of split is a narrow of dim i[0] (lengths[k] long), a
 * piece of unbind a slice without it. */
static Tensor **piece_grads(AgNode *n, Tensor *const *g, const int64_t *lengths)
{
    const AgInput *in = &n->input[0];
    int d = (int)n->i[0];
    Tensor **parts = calloc((size_t)n->n_outputs, sizeof *parts);
    if (!parts)
        return tensor_fail("out of memory");
    for (int k = 0; k < n->n_outputs; k++) {
        if (g[k]) {
            parts[k] = g[k];
            continue;
        }
        int64_t shape[TENSOR_MAX_DIMS];
        int nd = 0;
        for (int j = 0; j < in->ndim; j++)
            if (j != d)
                shape[nd++] = in->shape[j];
            else if (lengths)
                shape[nd++] = lengths[k];
        parts[k] = tmp(tensor_zeros(nd, shape, in->dtype));
        if (!parts[k]) {
            free(parts);
            return NULL;
        }
    }
    return parts;
}

/* extra: the lengths of the pieces (malloc'd). */
static int split_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor **parts = piece_grads(n, g, n->extra);
    if (!parts)
        return -1;
    gi[0] = tmp(ag_cat(n->n_outputs, parts, (int)n->i[0]));
    free(parts);
    return 0;
}

static int unbind_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor **parts = piece_grads(n, g, NULL);
    if (!parts)
        return -1;
    gi[0] = tmp(ag_stack(n->n_outputs, parts, (int)n->i[0]));
    free(parts);
    return 0;
}

static void free_lengths(AgNode *n)
{
    free(n->extra);
}

static const AgOp split_op = {"SplitBackward", split_backward, free_lengths,
    "d(x:split(sizes, dim))/dx: the pieces' gradients joined back (zeros for unused pieces)"};
static const AgOp unbind_op = {"UnbindBackward", unbind_backward, NULL,
    "d(x:unbind(dim))/dx: the slices' gradients stacked back (zeros for unused slices)"};

static int release_pieces(int count, Tensor **out)
{
    for (int k = 0; k < count; k++) {
        tensor_release(out[k]);
        out[k] = NULL;
    }
    return -1;
}

/* Makes node n (NULL: failed to make it) the grad_fn of out[0..count),
 * output k of it for piece k; consumes the caller's reference to n. */
static int record_pieces(AgNode *n, int d, int count, Tensor **out)
{
    if (!n)
        return release_pieces(count, out);
    n->n_outputs = count;
    n->i[0] = d;
    int status = 0;
    for (int k = 0; k < count; k++)
        if (!(out[k] = ag_set_output(n, out[k], k)))
            status = -1;
    ag_node_release(n);
    return status < 0 ? release_pieces(count, out) : 0;
}

int ag_split(const Tensor *t, int dim, int n, const int64_t *lengths, Tensor **out)
{
    if (!t)
        return -1;
    int d = tensor_wrap_dim("split", dim, t->ndim);
    if (d < 0)
        return -1;
    memset(out, 0, (size_t)n * sizeof *out);
    int64_t at = 0;
    for (int k = 0; k < n; at += lengths[k++])
        if (!(out[k] = tensor_narrow(t, d, at, lengths[k])))
            return release_pieces(k, out);
    if (at != t->shape[d]) {
        tensor_fail("split: sizes sum to %lld but dim %d has size %lld", (long long)at, dim,
                    (long long)t->shape[d]);
        return release_pieces(n, out);
    }
    if (n == 0 || !ag_should_record(1, &t))
        return 0;
    int64_t *kept = malloc((size_t)n * sizeof *kept);
    AgNode *node = kept ? ag_node_new(&split_op, 1, &t) : tensor_fail("out of memory");
    if (!node) {
        free(kept);
        return release_pieces(n, out);
    }
    memcpy(kept, lengths, (size_t)n * sizeof *kept);
    node->extra = kept;
    return record_pieces(node, d, n, out);
}

int ag_unbind(const Tensor *t, int dim, Tensor **out)
{
    if (!t)
        return -1;
    int d = tensor_wrap_dim("unbind", dim, t->ndim);
    if (d < 0)
        return -1;
    int count = (int)t->shape[d];
    memset(out, 0, (size_t)count * sizeof *out);
    for (int k = 0; k < count; k++)
        if (!(out[k] = tensor_select(t, d, k)))
            return release_pieces(k, out);
    if (count == 0 || !ag_should_record(1, &t))
        return 0;
    return record_pieces(ag_node_new(&unbind_op, 1, &t), d, count, out);
}

/* ---- repeat and tile: the copies' gradients summed ------------------------------ */

/* i[0] the count n of repeats, i[1..n] the repeats.  The output's dim k is
 * (repeats[k], size_k) flattened, so the gradient viewed that way and
 * summed over each repeat is the input's (lead dims that repeat added have
 * size 1).  Repeats of 1 get no dim of their own, as in the forward, which
 * keeps the view within TENSOR_MAX_DIMS. */
static int repeat_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    const AgInput *in = &n->input[0];
    int count = (int)n->i[0], lead = count - in->ndim, m = 0, ns = 0;
    int64_t split[TENSOR_MAX_DIMS] = {0};
    int sum_dims[TENSOR_MAX_DIMS];
    for (int k = 0; k < count; k++) {
        int64_t r = n->i[1 + k];
        if (r != 1) {
            sum_dims[ns++] = m;
            split[m++] = r;
        }
        split[m++] = k < lead ? 1 : in->shape[k - lead];
    }
    Tensor *grad = tmp(ag_reshape(g[0], m, split));
    if (ns > 0)
        grad = tmp(ag_sum(grad, ns, sum_dims, false));
    gi[0] = tmp(ag_reshape(grad, in->ndim, in->shape));
    return 0;
}

static const AgOp repeat_op = {"RepeatBackward", repeat_backward, NULL,
                               "d(x:repeat(reps))/dx: g summed over the copies"};

Tensor *ag_repeat(const Tensor *t, int n, const int64_t *repeats)
{
    if (!t)
        return NULL;
    Tensor *out = tensor_repeat(t, n, repeats);
    if (!out || !ag_should_record(1, &t))
        return out;
    AgNode *node = ag_node_new(&repeat_op, 1, &t);
    if (node) {
        node->i[0] = n;
        memcpy(&node->i[1], repeats, (size_t)n * sizeof repeats[0]);
    }
    return ag_finish(node, out);
}

/* tile is repeat with the counts padded by leading 1s to t's dims. */
Tensor *ag_tile(const Tensor *t, int n, const int64_t *reps)
{
    if (!t || n >= t->ndim)
        return t ? ag_repeat(t, n, reps) : NULL;
    int64_t padded[TENSOR_MAX_DIMS];
    int lead = t->ndim - n;
    for (int i = 0; i < t->ndim; i++)
        padded[i] = i < lead ? 1 : reps[i - lead];
    return ag_repeat(t, t->ndim, padded);
}

/* ---- flip and roll: the gradient moved back ----------------------------------- */

/* i[0] the number of dims, i[1..] the dims (0-based). */
static int flip_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    int dims[TENSOR_MAX_DIMS];
    for (int k = 0; k < n->i[0]; k++)
        dims[k] = (int)n->i[1 + k];
    gi[0] = tmp(ag_flip(g[0], (int)n->i[0], dims));
    return 0;
}

static const AgOp flip_op = {"FlipBackward", flip_backward, NULL,
                             "d(x:flip(dims))/dx: g flipped back"};

Tensor *ag_flip(const Tensor *t, int n, const int *dims)
{
    if (!t)
        return NULL;
    Tensor *out = tensor_flip(t, n, dims);
    if (!out || !ag_should_record(1, &t))
        return out;
    AgNode *node = ag_node_new(&flip_op, 1, &t);
    if (node) {
        node->i[0] = n;
        for (int k = 0; k < n; k++)
            node->i[1 + k] = dims[k] < 0 ? dims[k] + t->ndim : dims[k];
    }
    return ag_finish(node, out);
}

/* i[0] the number of dims n (0: the flattened tensor), i[1..] the shifts,
 * i[1 + TENSOR_MAX_DIMS..] the dims.  Rolling back by -shift (taken modulo
 * the size first, so that negating cannot overflow). */
#define ROLL_DIMS (1 + TENSOR_MAX_DIMS)

static int roll_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    const AgInput *in = &n->input[0];
    int count = (int)n->i[0];
    int64_t shifts[TENSOR_MAX_DIMS];
    int dims[TENSOR_MAX_DIMS];
    for (int k = 0; k < (count > 0 ? count : 1); k++) {
        int64_t size = 1;
        if (count > 0)
            size = in->shape[dims[k] = (int)n->i[ROLL_DIMS + k]];
        else
            for (int d = 0; d < in->ndim; d++)
                size *= in->shape[d];
        shifts[k] = size > 0 ? -(n->i[1 + k] % size) : 0;
    }
    gi[0] = tmp(ag_roll(g[0], count, shifts, dims));
    return 0;
}

static const AgOp roll_op = {"RollBackward", roll_backward, NULL,
                             "d(x:roll(shifts, dims))/dx: g rolled back"};

Tensor *ag_roll(const Tensor *t, int n, const int64_t *shifts, const int *dims)
{
    if (!t)
        return NULL;
    Tensor *out = tensor_roll(t, n, shifts, dims);
    if (!out || !ag_should_record(1, &t))
        return out;
    AgNode *node = ag_node_new(&roll_op, 1, &t);
    if (node) {
        node->i[0] = n;
        node->i[1] = shifts[0];
        for (int k = 0; k < n; k++) {
            node->i[1 + k] = shifts[k];
            node->i[ROLL_DIMS + k] = dims[k] < 0 ? dims[k] + t->ndim : dims[k];
        }
    }
    return ag_finish(node, out);
}

/* ---- tril and triu: the gradient keeps the same triangle ------------------------ */

/* i[0]: lower (1) or upper (0); i[1]: the diagonal k. */
static int tri_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    gi[0] = tmp(n->i[0] ? ag_tril(g[0], n->i[1]) : ag_triu(g[0], n->i[1]));
    return 0;
}

static const AgOp tril_op = {"TrilBackward", tri_backward, NULL,
                             "d(x:tril(diagonal))/dx = 1 on and below that diagonal, else 0"};
static const AgOp triu_op = {"TriuBackward", tri_backward, NULL,
                             "d(x:triu(diagonal))/dx = 1 on and above that diagonal, else 0"};

static Tensor *triangle(const Tensor *t, int64_t k, bool lower)
{
    if (!t)
        return NULL;
    Tensor *out = tensor_clone(t);
    if (out && (lower ? tensor_tril_(out, k) : tensor_triu_(out, k)) < 0) {
        tensor_release(out);
        return NULL;
    }
    if (!out || !ag_should_record(1, &t))
        return out;
    AgNode *node = ag_node_new(lower ? &tril_op : &triu_op, 1, &t);
    if (node) {
        node->i[0] = lower;
        node->i[1] = k;
    }
    return ag_finish(node, out);
}

Tensor *ag_tril(const Tensor *t, int64_t k)
{
    return triangle(t, k, true);
}

Tensor *ag_triu(const Tensor *t, int64_t k)
{
    return triangle(t, k, false);
}

static int triangle_(Tensor *x, int64_t k, bool lower)
{
    const char *fn = lower ? "tril_" : "triu_";
    int rec = ag_inplace_check(fn, x, 0, NULL);
    if (rec <= 0)
        return rec < 0 ? -1 : lower ? tensor_tril_(x, k) : tensor_triu_(x, k);
    Tensor *old = ag_clone(x);
    int status = old ? ag_inplace_commit(fn, x, old, triangle(old, k, lower)) : -1;
    tensor_release(old);
    return status;
}

int ag_tril_(Tensor *x, int64_t k)
{
    return triangle_(x, k, true);
}

int ag_triu_(Tensor *x, int64_t k)
{
    return triangle_(x, k, false);
}

/* ---- diag: a vector onto a diagonal, or a diagonal out of a matrix -------------- */

/* 1-D -> 2-D: the gradient's diagonal; 2-D -> 1-D: the gradient put on the
 * diagonal of zeros.  i[0]: the offset. */
static int diag_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    const AgInput *in = &n->input[0];
    if (in->ndim == 1)
        gi[0] = tmp(ag_diagonal(g[0], n->i[0], 0, 1));
    else
        gi[0] = tmp(ag_diagonal_embed(g[0], in->ndim, in->shape, n->i[0], 0, 1));
    return 0;
}

static const AgOp diag_op = {"DiagBackward", diag_backward, NULL,
    "d(diag(x))/dx: the diagonal of g (or g placed on a diagonal of zeros)"};

Tensor *ag_diag(const Tensor *t, int64_t offset)
{
    if (!t)
        return NULL;
    Tensor *out = tensor_diag(t, offset);
    if (!out || !ag_should_record(1, &t))
        return out;
    AgNode *node = ag_node_new(&diag_op, 1, &t);
    if (node)
        node->i[0] = offset;
    return ag_finish(node, out);
}
