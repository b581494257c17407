/*
 * node.h — what the op files of autograd/ share: the graph node, the
 * per-tensor record, and the helpers that record a node in a forward op and
 * write a backward formula.
 *
 * An op file pairs each forward with its backward:
 *
 *     static int mul_backward(AgNode *n, Tensor *const *g, Tensor **gi)
 *     {
 *         gi[0] = ag_needs_grad(n, 0) ? grad_to_input(n, 0, tmp(ag_binary(MUL, g[0], saved(n, 1)))) : NULL;
 *         ...
 *     }
 *     static const AgOp mul_op = {"MulBackward", mul_backward, NULL,
 *                                 "d(a*b)/da = b; d/db = a"};
 *
 * A backward formula computes with ag_* ops (so that with create_graph the
 * backward pass is itself recorded and can be differentiated again) and
 * hands every tensor it makes to tmp(), which releases it when the formula
 * returns; the engine keeps what ends up in grad_in.  A NULL gradient where
 * one was needed means the formula failed, with tensor_error() saying why.
 */
#ifndef LUAGRAD_AUTOGRAD_NODE_H
#define LUAGRAD_AUTOGRAD_NODE_H

#include "autograd/autograd.h"

/* grad_out: one gradient per output of the forward op (NULL for an output
 * no gradient reached); grad_in: one per input, set where ag_needs_grad. */
typedef int (*AgBackwardFn)(AgNode *n, Tensor *const *grad_out, Tensor **grad_in);

/* `formula` is the derivative as a reader would write it, for the teaching
 * tools (lib/torch/explain.lua): one clause per input, in input order,
 * separated by "; ".  A clause is "d(EXPR)/dV = D" when the gradient is the
 * upstream gradient times D elementwise, or "d(EXPR)/dV: RULE" when it is
 * computed otherwise (RULE in terms of the upstream gradient g).  EXPR is the
 * forward expression with one single-letter name per input, in input order
 * ("d(a*b)/da"); words of two letters or more are not inputs (dim, alpha);
 * "x..." stands for any number of inputs (cat).  Later clauses may shorten
 * d(EXPR) to d (as in "d/db"); NULL: none written. */
typedef struct AgOp {
    const char *name;
    AgBackwardFn backward;
    void (*free_extra)(AgNode *n);    /* releases n->extra; may be NULL */
    const char *formula;
} AgOp;

/* One input of the forward op: where its gradient goes, and its shape and
 * dtype, which the gradient must have. */
typedef struct {
    AgNode *node;       /* NULL: this input needs no gradient */
    int output_nr;
    DType dtype;
    int ndim;
    bool has_scalar;    /* a 0-dim input that needs no gradient (a number in the */
    double scalar;      /* expression, as in x^2): its value, for explanations */
    int64_t shape[TENSOR_MAX_DIMS];
} AgInput;

#define AG_MAX_SAVED 4

typedef struct {
    Tensor *tensor;     /* a reference, or a detached alias of an output */
    uint32_t version;   /* the storage's version when saved */
    bool is_output;
    int output_nr;      /* which output, when is_output */
} AgSaved;

/* A hook on one output of a node: a tensor hook of a non-leaf (PyTorch's
 * tensor pre-hooks), or the retain_grad of one (then `retain` is the
 * tensor, a weak pointer its meta clears). */
typedef struct AgNodeHook {
    int output_nr;
    AgHook hook;
    Tensor *retain;
    struct AgNodeHook *next;
} AgNodeHook;

struct AgNode {
    const AgOp *op;
    int refcount;
    uint64_t seq;             /* creation order: backward runs newer nodes first */
    int n_outputs;
    bool saved_released;      /* a backward without retain_graph has run */
    bool has_saved;           /* it saved tensors (so it cannot run again then) */
    AgSaved saved[AG_MAX_SAVED];
    /* The op's own arguments: dims, sizes, scalars. */
    double f[4];
    int64_t i[2 * TENSOR_MAX_DIMS + 4];
    void *extra;
    char *label;              /* a name of its own (custom functions), malloc'd */
    Tensor *variable;         /* AccumulateGrad: the leaf (a reference) */
    AgNodeHook *hooks;
    struct AgTrace *trace;    /* teaching mode's record of it (trace.c), or NULL */
    int n_inputs;
    AgInput input[];
};

/* ---- the per-tensor record (meta.c) --------------------------------------- */

struct AgMeta {
    bool requires_grad;       /* a leaf the user marked */
    bool retains_grad;
    bool detached;            /* made by detach, or as a view under no_grad: not a
                               * view of its base as far as autograd is concerned */
    int output_nr;
    AgNode *grad_fn;          /* a reference; NULL for leaves */
    AgNode *grad_accumulator; /* weak: cleared when that node goes */
    Tensor *grad;
    AgHook *hooks;            /* a leaf's tensor hooks, run by AccumulateGrad */
    uint32_t view_version;    /* a view's grad_fn is current for this version */
};

/* t's record, created on first use (NULL only when out of memory). */
struct AgMeta *ag_meta(Tensor *t);
/* Takes t's retain_grad hook off its grad_fn (detach_). */
void ag_meta_drop_retain(Tensor *t);

/* ---- recording (node.c) ---------------------------------------------------- */

/* Grad mode is on and some input requires grad (inputs may be NULL). */
bool ag_should_record(int n, const Tensor *const *inputs);
/* A node with edges to the producers of `inputs` (NULL entries need no
 * gradient) and one output; NULL when out of memory. */
AgNode *ag_node_new(const AgOp *op, int n_inputs, const Tensor *const *inputs);
/* The edge a gradient for t takes (history.c): its grad_fn, its leaf's
 * AccumulateGrad node, or NULL when t needs no gradient; -1 when out of memory. */
int ag_edge(Tensor *t, AgNode **node, int *output_nr);
/* Makes n (output number output_nr) t's grad_fn, in place of the old one. */
void ag_set_history(Tensor *t, struct AgMeta *m, AgNode *n, int output_nr);
/* The AccumulateGrad node of a leaf that requires grad (accumulate.c). */
AgNode *ag_accumulator(Tensor *leaf);
/* A tensor over t's storage that holds no reference to t itself (a view
 * of t's base when t is a view): what a node may keep of its own output
 * without a reference cycle. */
Tensor *ag_storage_alias(const Tensor *t);
/* Saves an input (or any tensor that is not an output of n) for backward. */
int ag_save(AgNode *n, int slot, const Tensor *t);
/* Saves output number k of n without the cycle output -> n -> output. */
int ag_save_output(AgNode *n, int slot, const Tensor *out, int k);
/* Makes n the grad_fn of out (output number k).  Returns out, or NULL (and
 * releases out) when out of memory. */
Tensor *ag_set_output(AgNode *n, Tensor *out, int k);
/* The common ending of a forward with one output: attaches n to out and
 * drops the caller's reference to n.  NULL n (a failed recording) or out
 * releases the other and returns NULL. */
Tensor *ag_finish(AgNode *n, Tensor *out);
/* Releases the saved tensors (after a backward without retain_graph). */
void ag_node_release_saved(AgNode *n);

/* ---- teaching mode (trace.c) ------------------------------------------------ */

/* This thread's tracer (ag_trace.h); NULL, the usual case, records nothing. */
extern _Thread_local const struct AgTracer *ag_active_tracer;
/* Gives n its record (called by ag_node_new while a tracer is set). */
void ag_trace_node(AgNode *n, const Tensor *const *inputs);
/* Keeps a copy of output k of a traced node. */
void ag_trace_output(AgNode *n, const Tensor *out, int output_nr);
void ag_trace_free(struct AgTrace *trace, int n_inputs);

/* ---- in-place ops (history.c) ----------------------------------------------
 *
 *     int rec = ag_inplace_check("mul_", x, 1, &b);      -1 error, 0 plain, 1 record
 *     if (rec <= 0) return rec < 0 ? -1 : tensor_binary_(BINARY_MUL, x, b);
 *     Tensor *old = ag_clone(x);
 *     int status = ag_inplace_commit("mul_", x, old, ag_binary(BINARY_MUL, old, b));
 *     tensor_release(old);
 */
/* Whether an in-place op on x with these other operands must be recorded;
 * fails for a leaf that requires grad (or a view of one) in grad mode. */
int ag_inplace_check(const char *fn, Tensor *x, int n, const Tensor *const *others);
/* Writes `result` (the op computed out of place on `old`, a recorded clone
 * of x, or NULL when the result does not depend on x's value) into x and
 * makes its node x's history.  Consumes result (NULL: fails). */
int ag_inplace_commit(const char *fn, Tensor *x, Tensor *old, Tensor *result);

/* ---- writing backward formulas (node.c) ---------------------------------- */

static inline bool ag_needs_grad(const AgNode *n, int i)
{
    return n->input[i].node != NULL;
}
/* The error for a node whose saved tensors a backward has freed. */
void *ag_fail_freed(const AgNode *n);
/* A saved tensor (borrowed, released with the formula's temporaries), after
 * checking that no in-place op has changed it; NULL with PyTorch's message
 * otherwise, or when backward already freed it. */
Tensor *saved(AgNode *n, int slot);
/* Hands t to the running formula's temporaries; returns t. */
Tensor *tmp(Tensor *t);
/* Reduces a gradient to input i's shape (undoing broadcasting). */
Tensor *grad_to_input(AgNode *n, int i, Tensor *grad);
/* A 0-dim tensor of grad's dtype, as a temporary. */
Tensor *tmp_scalar(double v, const Tensor *like);

/* Shorthands for formulas: the recorded op, as a temporary. */
static inline Tensor *f_add(const Tensor *a, const Tensor *b)
{
    return tmp(ag_binary(BINARY_ADD, a, b));
}
static inline Tensor *f_sub(const Tensor *a, const Tensor *b)
{
    return tmp(ag_binary(BINARY_SUB, a, b));
}
static inline Tensor *f_mul(const Tensor *a, const Tensor *b)
{
    return tmp(ag_binary(BINARY_MUL, a, b));
}
static inline Tensor *f_div(const Tensor *a, const Tensor *b)
{
    return tmp(ag_binary(BINARY_DIV, a, b));
}
static inline Tensor *f_unary(UnaryOp op, const Tensor *x)
{
    return tmp(ag_unary(op, x));
}
/* x * c and x + c for a number c. */
static inline Tensor *f_scale(const Tensor *x, double c)
{
    return f_mul(x, tmp_scalar(c, x));
}
static inline Tensor *f_shift(const Tensor *x, double c)
{
    return f_add(x, tmp_scalar(c, x));
}
/* cond ? x : 0, without letting a NaN or inf in x through where cond is false. */
Tensor *f_keep(const Tensor *cond, const Tensor *x);
/* A comparison (not recorded: masks carry no gradient). */
static inline Tensor *f_compare(BinaryOp op, const Tensor *a, const Tensor *b)
{
    return a && b ? tmp(tensor_binary(op, a, b)) : NULL;
}

/* ---- shared by the reductions (op_reduce.c) and views (op_view.c) -------- */

/* A node for a reduction of t over dims (0 dims: all), which it records. */
AgNode *reduce_node(const AgOp *op, const Tensor *t, int ndims, const int *dims);
/* The output gradient g spread back over the reduced input's shape. */
Tensor *reduce_grad_spread(const AgNode *n, const Tensor *g);
/* How many input elements each output element of reduction n summarises. */
double reduce_count(const AgNode *n);
/* Whether some element of x is zero (-1 on failure): where prod and cumprod
 * leave their formulas that divide by x (op_reduce.c). */
int reduce_any_zero(const Tensor *x);
/* The region that view node `view` (narrow, select, diagonal) took, taken
 * from t and recorded. */
Tensor *ag_region(const AgNode *view, const Tensor *t);
/* Zeros of `shape` with g on their diagonal `offset` of dims d1 and d2,
 * recorded (its gradient takes that diagonal): diagonal's gradient, and
 * diag's (op_join.c). */
Tensor *ag_diagonal_embed(const Tensor *g, int ndim, const int64_t *shape, int64_t offset, int d1,
                          int d2);

/* ---- value-selecting ops (op_sort.c; max/min along a dim in op_reduce.c) -- */

/* The backward of such an op: g scattered into zeros of the input's shape
 * at the positions the op took (recorded). */
int select_backward(AgNode *n, Tensor *const *grad_out, Tensor **grad_in);
/* Records `values`, taken from t along dim at the 0-based int64 `indices`
 * (values' shape; both lack dim unless keepdim), as op, whose backward is
 * select_backward; the node keeps its own copy of the indices.  Returns
 * values, or NULL (values released) on failure. */
Tensor *record_selection(const AgOp *op, const Tensor *t, int dim, bool keepdim, Tensor *values,
                         const Tensor *indices);
/* The ending of a kernel that produced values and indices with `status`:
 * records the values as above; -1 (both released) on any failure. */
int selection_result(const AgOp *op, const Tensor *t, int dim, bool keepdim, int status,
                     Tensor **values, Tensor **indices);

/* The temporaries of the formula running on this thread (engine.c). */
typedef struct {
    Tensor **items;
    int count, cap;
    bool failed;
} AgScratch;
AgScratch *ag_scratch_swap(AgScratch *s);

#endif
