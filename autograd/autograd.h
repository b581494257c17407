/*
 * autograd.h — reverse-mode automatic differentiation over the tensor library.
 *
 * PyTorch's model: a dynamic tape.  When grad mode is on and an input of a
 * differentiable op requires grad, the op records a node (an AgNode) that
 * knows the op's backward formula, the tensors it saved and an edge to the
 * node that produced each input; the result's `grad_fn` is that node.  Leaves
 * (tensors the user marked with requires_grad) are reached through
 * AccumulateGrad nodes that add the incoming gradient into `.grad`.
 * ag_backward walks the graph from the outputs in reverse topological order.
 *
 * The ag_* ops below are the differentiable front of the tensor kernels: the
 * same arguments and results as their tensor_* counterparts, plus recording.
 * A NULL tensor argument makes them return NULL at once, leaving the message
 * of the failure that produced it, so backward formulas can chain them.
 *
 * Plain C like tensor/: no Lua, no exits; failures return NULL or -1 with a
 * message in tensor_error().  Dims are 0-based.
 */
#ifndef LUAGRAD_AUTOGRAD_H
#define LUAGRAD_AUTOGRAD_H

#include "tensor/tensor.h"

typedef struct AgNode AgNode;

/* ---- grad mode and anomaly mode (mode.c) ----------------------------------- */

/* Per thread; on by default. */
bool ag_grad_enabled(void);
void ag_set_grad_enabled(bool on);
/* Per thread; off by default.  On, backward fails at the first node whose
 * formula returns a gradient holding NaN or Inf, naming the node and, when
 * a tracer recorded it (ag_trace.h), where the program made it. */
bool ag_anomaly_enabled(void);
void ag_set_anomaly_enabled(bool on);

/* ---- a tensor's autograd attributes (meta.c) ------------------------------- */

bool ag_requires_grad(const Tensor *t);
/* Marks a leaf; fails for a non-leaf asked to stop requiring grad and for
 * dtypes that cannot carry gradients (only floating tensors can). */
int ag_set_requires_grad(Tensor *t, bool on);
bool ag_is_leaf(const Tensor *t);
/* Borrowed references (NULL when absent). */
Tensor *ag_grad(const Tensor *t);
AgNode *ag_grad_fn(Tensor *t);
/* Replaces t.grad (NULL clears it); the shape must match. */
int ag_set_grad(Tensor *t, Tensor *grad);
/* Keeps the gradient of a non-leaf in its .grad after backward. */
int ag_retain_grad(Tensor *t);
bool ag_retains_grad(const Tensor *t);

/* A hook sees the gradient flowing into a tensor and may replace it: it
 * returns a new reference to use instead, `grad` itself (retained) to keep
 * it, or NULL with a message to fail the backward.  `caller` is what the
 * caller of ag_backward passed (the Lua binding passes its lua_State). */
typedef Tensor *(*AgHookFn)(void *ctx, void *caller, Tensor *grad);
typedef struct AgHook {
    AgHookFn fn;
    void *ctx;
    void (*free_ctx)(void *ctx);
    struct AgHook *next;
} AgHook;
int ag_register_hook(Tensor *t, AgHookFn fn, void *ctx, void (*free_ctx)(void *ctx));

/* A tensor sharing t's storage (and so its version counter) outside any
 * graph; detach_ takes t itself out of its graph. */
Tensor *ag_detach(const Tensor *t);
int ag_detach_(Tensor *t);

/* ---- graph nodes, for inspection (node.c) ---------------------------------- */

void ag_node_retain(AgNode *n);
void ag_node_release(AgNode *n);
/* "MulBackward", "AccumulateGrad". */
const char *ag_node_name(const AgNode *n);
/* The edges to the nodes that receive this node's gradients, one per input
 * of the forward op (PyTorch's next_functions): node NULL for an input that
 * needs no gradient, and which of that node's outputs the edge feeds. */
int ag_node_num_inputs(const AgNode *n);
AgNode *ag_node_input(const AgNode *n, int i, int *output_nr);
/* The leaf an AccumulateGrad node adds into (borrowed), else NULL. */
Tensor *ag_node_variable(const AgNode *n);

/* ---- running backward (engine.c) ------------------------------------------- */

/* A watcher of a backward pass (the teaching tools): called after each
 * node's formula ran, with the gradients that reached the node (one per
 * output, NULL where none did) and those it passed on (one per input, NULL
 * where none).  Borrowed; -1 fails the backward. */
typedef int (*AgStepFn)(void *ctx, AgNode *n, Tensor *const *grad_out, Tensor *const *grad_in);

typedef struct {
    bool retain_graph;   /* keep saved tensors for another backward */
    bool create_graph;   /* record the backward pass itself (implies retain) */
    void *caller;        /* handed to hooks and custom functions */
    AgStepFn on_step;    /* may be NULL */
    void *step_ctx;
} AgBackwardOptions;

/* Accumulates d(sum of outputs[i] * grads[i])/d(leaf) into each leaf's .grad.
 * grads[i] may be NULL for a one-element output (taken as 1). */
int ag_backward(int n, Tensor *const *outputs, Tensor *const *grads,
                const AgBackwardOptions *opt);
/* The same gradients for `inputs`, returned in results[] (new references)
 * instead of accumulated; an input the outputs do not depend on fails unless
 * allow_unused, when its result is NULL. */
int ag_grad_of(int n_out, Tensor *const *outputs, Tensor *const *grads, int n_in,
               Tensor *const *inputs, bool allow_unused, const AgBackwardOptions *opt,
               Tensor **results);
/* The `caller` of the backward running on this thread (NULL outside one). */
void *ag_backward_caller(void);

/* ag_backward one node at a time (torch.autograd.stepper): begin builds and
 * seeds the graph (NULL on failure); each step runs the next node the engine
 * would run, with `caller` as the hooks' caller, and returns 1, or 0 when
 * none is left, or -1 when the node failed (which ends the run).  The run
 * holds references to the outputs' nodes, so the graph lives until
 * ag_run_free, which abandons whatever has not run. */
typedef struct AgRun AgRun;
AgRun *ag_run_begin(int n, Tensor *const *outputs, Tensor *const *grads,
                    const AgBackwardOptions *opt);
int ag_run_step(AgRun *run, void *caller);
void ag_run_free(AgRun *run);

/* ---- differentiable ops: op_*.c, each beside its backward formula ---------- */

/* op_elementwise.c */
Tensor *ag_binary(BinaryOp op, const Tensor *a, const Tensor *b);
Tensor *ag_add_scaled(BinaryOp op, const Tensor *a, const Tensor *b, double alpha);
Tensor *ag_unary(UnaryOp op, const Tensor *x);
Tensor *ag_where(const Tensor *cond, const Tensor *a, const Tensor *b);
/* In-place forms (history.c explains how they are recorded). */
int ag_binary_(BinaryOp op, Tensor *x, const Tensor *b);
int ag_add_scaled_(BinaryOp op, Tensor *x, const Tensor *b, double alpha);
int ag_unary_(UnaryOp op, Tensor *x);
/* Sums grad over the dims that broadcasting added or expanded, down to
 * `shape` (PyTorch's sum_to; torch-autograd's unbroadcast). */
Tensor *ag_sum_to(const Tensor *grad, int ndim, const int64_t *shape);

/* op_reduce.c */
Tensor *ag_sum(const Tensor *t, int ndims, const int *dims, bool keepdim);
Tensor *ag_mean(const Tensor *t, int ndims, const int *dims, bool keepdim);
Tensor *ag_prod(const Tensor *t, int ndims, const int *dims, bool keepdim);
Tensor *ag_amax(const Tensor *t, int ndims, const int *dims, bool keepdim);
Tensor *ag_amin(const Tensor *t, int ndims, const int *dims, bool keepdim);
Tensor *ag_max(const Tensor *t);
Tensor *ag_min(const Tensor *t);
/* Only the values are differentiable; the indices are never recorded. */
int ag_max_dim(const Tensor *t, int dim, bool keepdim, Tensor **values, Tensor **indices);
int ag_min_dim(const Tensor *t, int dim, bool keepdim, Tensor **values, Tensor **indices);
Tensor *ag_var(const Tensor *t, int ndims, const int *dims, double correction, bool keepdim);
Tensor *ag_std(const Tensor *t, int ndims, const int *dims, double correction, bool keepdim);
Tensor *ag_norm(const Tensor *t, double p, int ndims, const int *dims, bool keepdim);
Tensor *ag_logsumexp(const Tensor *t, int ndims, const int *dims, bool keepdim);

/* op_scan.c */
Tensor *ag_cumsum(const Tensor *t, int dim);
Tensor *ag_cumprod(const Tensor *t, int dim);
Tensor *ag_softmax(const Tensor *t, int dim);
Tensor *ag_log_softmax(const Tensor *t, int dim);

/* op_sort.c: the values are differentiable, the indices never recorded. */
int ag_sort(const Tensor *t, int dim, bool descending, Tensor **values, Tensor **indices);
int ag_topk(const Tensor *t, int64_t k, int dim, bool largest, Tensor **values,
            Tensor **indices);

/* op_ternary.c (where is in op_elementwise.c); a bound of clamp may be NULL. */
Tensor *ag_clamp(const Tensor *x, const Tensor *lo, const Tensor *hi);
Tensor *ag_masked_fill(const Tensor *x, const Tensor *mask, const Tensor *value);
Tensor *ag_lerp(const Tensor *start, const Tensor *end, const Tensor *weight);
Tensor *ag_addcmul(const Tensor *x, const Tensor *t1, const Tensor *t2, double value);
Tensor *ag_addcdiv(const Tensor *x, const Tensor *t1, const Tensor *t2, double value);
int ag_clamp_(Tensor *x, const Tensor *lo, const Tensor *hi);
int ag_masked_fill_(Tensor *x, const Tensor *mask, const Tensor *value);
int ag_lerp_(Tensor *start, const Tensor *end, const Tensor *weight);
int ag_addcmul_(Tensor *x, const Tensor *t1, const Tensor *t2, double value);
int ag_addcdiv_(Tensor *x, const Tensor *t1, const Tensor *t2, double value);

/* op_view.c */
Tensor *ag_view(const Tensor *t, int ndim, const int64_t *shape);
Tensor *ag_reshape(const Tensor *t, int ndim, const int64_t *shape);
Tensor *ag_expand(const Tensor *t, int ndim, const int64_t *shape);
Tensor *ag_squeeze(const Tensor *t, int dim);
Tensor *ag_squeeze_all(const Tensor *t);
Tensor *ag_unsqueeze(const Tensor *t, int dim);
Tensor *ag_flatten(const Tensor *t, int start, int end);
Tensor *ag_transpose(const Tensor *t, int d0, int d1);
Tensor *ag_permute(const Tensor *t, const int *dims);
Tensor *ag_narrow(const Tensor *t, int dim, int64_t start, int64_t length);
Tensor *ag_select(const Tensor *t, int dim, int64_t index);
Tensor *ag_diagonal(const Tensor *t, int64_t offset, int d1, int d2);
/* x:t(): a matrix transposed; fewer dims give an alias. */
Tensor *ag_t(const Tensor *t);
/* Windows of `size`, `step` apart along dim, as a new last dim; their
 * gradients sum where windows overlap. */
Tensor *ag_unfold(const Tensor *t, int dim, int64_t size, int64_t step);

/* op_matmul.c */
Tensor *ag_matmul(const Tensor *a, const Tensor *b);
Tensor *ag_mm(const Tensor *a, const Tensor *b);
Tensor *ag_bmm(const Tensor *a, const Tensor *b);
Tensor *ag_mv(const Tensor *a, const Tensor *v);
Tensor *ag_dot(const Tensor *a, const Tensor *b);
Tensor *ag_outer(const Tensor *a, const Tensor *b);
/* beta * input + alpha * (m1 @ m2), batched for baddbmm. */
Tensor *ag_addmm(const Tensor *input, const Tensor *m1, const Tensor *m2, double beta,
                 double alpha);
Tensor *ag_baddbmm(const Tensor *input, const Tensor *b1, const Tensor *b2, double beta,
                   double alpha);

/* op_copy.c */
Tensor *ag_clone(const Tensor *t);
Tensor *ag_to_dtype(const Tensor *t, DType dt);
Tensor *ag_contiguous(Tensor *t);    /* t itself (a new reference) when contiguous */
/* x[...] = src (broadcast, converted) and x[...] = value, recorded: the old
 * value of x gets no gradient, src gets x's. */
int ag_copy_(Tensor *x, const Tensor *src);
int ag_fill_(Tensor *x, double value);

/* op_join.c */
Tensor *ag_cat(int n, Tensor *const *ts, int dim);
Tensor *ag_stack(int n, Tensor *const *ts, int dim);
/* The narrows of t along dim with the given lengths (which sum to its
 * size), and its slices along dim: views, one node for all (n_out pieces
 * into out[]).  -1 on failure, with nothing left in out[]. */
int ag_split(const Tensor *t, int dim, int n, const int64_t *lengths, Tensor **out);
int ag_unbind(const Tensor *t, int dim, Tensor **out);
Tensor *ag_repeat(const Tensor *t, int n, const int64_t *repeats);
Tensor *ag_tile(const Tensor *t, int n, const int64_t *reps);
Tensor *ag_flip(const Tensor *t, int n, const int *dims);
Tensor *ag_roll(const Tensor *t, int n, const int64_t *shifts, const int *dims);
Tensor *ag_tril(const Tensor *t, int64_t k);
Tensor *ag_triu(const Tensor *t, int64_t k);
int ag_tril_(Tensor *x, int64_t k);
int ag_triu_(Tensor *x, int64_t k);
Tensor *ag_diag(const Tensor *t, int64_t offset);

/* op_random.c: the random fills, in place; what x held gets no gradient. */
int ag_uniform_(Tensor *x, double lo, double hi);
int ag_normal_(Tensor *x, double mean, double std);
int ag_bernoulli_(Tensor *x, double p);

/* op_index.c: dims 0-based; index values count from `base` (the Lua binding
 * passes 1); masks are bool.  The out-of-place writes return a written copy
 * of t (masked_scatter broadcasts t against the mask); the in-place ones
 * write x (the mask broadcasts to x's shape). */
Tensor *ag_index_select(const Tensor *t, int dim, const Tensor *index, int64_t base);
Tensor *ag_gather(const Tensor *t, int dim, const Tensor *index, int64_t base);
Tensor *ag_take(const Tensor *t, const Tensor *index, int64_t base);
Tensor *ag_masked_select(const Tensor *t, const Tensor *mask);
Tensor *ag_scatter(const Tensor *t, int dim, const Tensor *index, const Tensor *src, int64_t base);
Tensor *ag_scatter_value(const Tensor *t, int dim, const Tensor *index, double value,
                         int64_t base);
Tensor *ag_scatter_add(const Tensor *t, int dim, const Tensor *index, const Tensor *src,
                       int64_t base);
Tensor *ag_index_add(const Tensor *t, int dim, const Tensor *index, const Tensor *src,
                     double alpha, int64_t base);
Tensor *ag_index_copy(const Tensor *t, int dim, const Tensor *index, const Tensor *src,
                      int64_t base);
Tensor *ag_index_fill(const Tensor *t, int dim, const Tensor *index, double value, int64_t base);
Tensor *ag_masked_scatter(const Tensor *t, const Tensor *mask, const Tensor *src);
int ag_scatter_(Tensor *x, int dim, const Tensor *index, const Tensor *src, int64_t base);
int ag_scatter_value_(Tensor *x, int dim, const Tensor *index, double value, int64_t base);
int ag_scatter_add_(Tensor *x, int dim, const Tensor *index, const Tensor *src, int64_t base);
int ag_index_add_(Tensor *x, int dim, const Tensor *index, const Tensor *src, double alpha,
                  int64_t base);
int ag_index_copy_(Tensor *x, int dim, const Tensor *index, const Tensor *src, int64_t base);
int ag_index_fill_(Tensor *x, int dim, const Tensor *index, double value, int64_t base);
int ag_masked_scatter_(Tensor *x, const Tensor *mask, const Tensor *src);
/* x[mask] = value: a one-element value is filled where mask is true
 * (MaskedFillBackward), a longer one scattered there (masked_scatter_). */
int ag_index_put_mask_(Tensor *x, const Tensor *mask, const Tensor *value);

#endif
