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

/* ---- grad mode (mode.c) --------------------------------------------------- */

/* Per thread; on by default. */
bool ag_grad_enabled(void);
void ag_set_grad_enabled(bool on);

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

typedef struct {
    bool retain_graph;   /* keep saved tensors for another backward */
    bool create_graph;   /* record the backward pass itself (implies retain) */
    void *caller;        /* handed to hooks and custom functions */
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

/* op_matmul.c */
Tensor *ag_matmul(const Tensor *a, const Tensor *b);
Tensor *ag_mm(const Tensor *a, const Tensor *b);
Tensor *ag_bmm(const Tensor *a, const Tensor *b);
Tensor *ag_mv(const Tensor *a, const Tensor *v);
Tensor *ag_dot(const Tensor *a, const Tensor *b);

/* op_copy.c */
Tensor *ag_clone(const Tensor *t);
Tensor *ag_to_dtype(const Tensor *t, DType dt);
Tensor *ag_contiguous(Tensor *t);    /* t itself (a new reference) when contiguous */
/* x[...] = src (broadcast, converted) and x[...] = value, recorded: the old
 * value of x gets no gradient, src gets x's. */
int ag_copy_(Tensor *x, const Tensor *src);
int ag_fill_(Tensor *x, double value);

#endif
