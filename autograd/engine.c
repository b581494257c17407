/*
 * engine.c — running backward: from the outputs through the graph to the
 * leaves (ag_backward) or to chosen inputs (ag_grad_of).
 *
 * The walk is iterative, never recursive, so a chain of 10,000 ops needs no
 * C stack.  First a depth-first pass (with an explicit stack) finds every
 * node reachable from the outputs and counts, for each, the edges into it.
 * Then nodes run once all their dependents have: a node is ready when its
 * count drops to zero, and among ready nodes the newest runs first (a heap
 * on creation order), which is PyTorch's order.  Each node's incoming
 * gradients are summed in its buffer before it runs.
 *
 * ag_grad_of runs only the nodes on a path to a requested input and takes
 * the gradient where it reaches that input, without touching any .grad.
 *
 * A run is three phases over one workspace (Graph): start (build and seed),
 * step (one node), close.  ag_backward loops over the steps; ag_run_* hands
 * them out one by one (torch.autograd.stepper), and an on_step watcher sees
 * every node's gradients in and out (torch.autograd.explain).
 */
#include <stdlib.h>
#include <string.h>

#include "autograd/ag_trace.h"
#include "autograd/node.h"

/* ---- the temporaries of the running formula (see node.h) --------------------- */

static _Thread_local AgScratch *scratch;
static _Thread_local void *running_caller;

AgScratch *ag_scratch_swap(AgScratch *s)
{
    AgScratch *old = scratch;
    scratch = s;
    return old;
}

Tensor *tmp(Tensor *t)
{
    if (!t)
        return NULL;
    AgScratch *s = scratch;
    if (!s) {
        tensor_release(t);
        return tensor_fail("internal error: tmp() outside a backward formula");
    }
    if (s->count == s->cap) {
        int cap = s->cap ? 2 * s->cap : 16;
        Tensor **grown = realloc(s->items, (size_t)cap * sizeof *grown);
        if (!grown) {
            tensor_release(t);
            return tensor_fail("out of memory during backward");
        }
        s->items = grown;
        s->cap = cap;
    }
    s->items[s->count++] = t;
    return t;
}

static void scratch_clear(AgScratch *s)
{
    for (int k = 0; k < s->count; k++)
        tensor_release(s->items[k]);
    s->count = 0;
}

void *ag_backward_caller(void)
{
    return running_caller;
}

/* ---- the graph of one backward run -------------------------------------------- */

typedef struct {
    AgNode *node;
    int deps;            /* edges from nodes that have not run yet */
    bool run;            /* its formula runs (else gradients stop here) */
    bool needed;         /* leads to a requested input (ag_grad_of) */
    int next_child;      /* depth-first pass: the next input edge to follow */
    int first_edge;      /* its inputs' tasks are edges[first_edge ...] */
    Tensor *grads_inline[2];
    Tensor **grads_more; /* for nodes with more than two outputs */
    bool owned;          /* the graph holds a reference to node (a root: the
                            accumulator of a leaf output has no other owner) */
} Task;

/* The sums of incoming gradients, one per output of the task's node. */
static Tensor **task_grads(Task *t)
{
    return t->grads_more ? t->grads_more : t->grads_inline;
}

typedef struct {
    Task *tasks;
    int count, cap;
    int *slots;          /* open addressing: task index + 1, 0 when empty */
    int nslots;
    int *heap;           /* ready tasks, newest node on top */
    int heap_len, heap_cap;
    int *stack;          /* the depth-first pass */
    int stack_cap;
    int *edges;          /* per input of each task, the task it feeds (-1: none),
                            found once by the depth-first pass */
    int n_edges, edges_cap;
    int roots;           /* tasks[0 .. roots-1] are the outputs' nodes */
    AgScratch scratch;   /* the running formula's temporaries */
} Graph;

static size_t slot_of(const AgNode *n, int nslots)
{
    uintptr_t h = (uintptr_t)n;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & (size_t)(nslots - 1);
}

static int graph_find(const Graph *g, const AgNode *n)
{
    for (size_t s = slot_of(n, g->nslots);; s = (s + 1) & (size_t)(g->nslots - 1)) {
        int k = g->slots[s];
        if (k == 0)
            return -1;
        if (g->tasks[k - 1].node == n)
            return k - 1;
    }
}

static bool graph_rehash(Graph *g, int nslots)
{
    int *slots = calloc((size_t)nslots, sizeof *slots);
    if (!slots)
        return false;
    free(g->slots);
    g->slots = slots;
    g->nslots = nslots;
    for (int k = 0; k < g->count; k++) {
        size_t s = slot_of(g->tasks[k].node, nslots);
        while (slots[s])
            s = (s + 1) & (size_t)(nslots - 1);
        slots[s] = k + 1;
    }
    return true;
}

/* Room for `need` ints in *a (capacity *cap); false when out of memory. */
static bool reserve_ints(int **a, int *cap, int need)
{
    if (need <= *cap)
        return true;
    int ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    int *grown = realloc(*a, (size_t)ncap * sizeof *grown);
    if (!grown)
        return false;
    *a = grown;
    *cap = ncap;
    return true;
}

/* The task of n, added when new (*added set); -1 when out of memory. */
static int graph_add(Graph *g, AgNode *n, bool *added)
{
    int k = graph_find(g, n);
    *added = k < 0;
    if (k >= 0)
        return k;
    if (g->count == g->cap) {
        int cap = 2 * g->cap;
        Task *grown = realloc(g->tasks, (size_t)cap * sizeof *grown);
        if (!grown)
            return -1;
        g->tasks = grown;
        g->cap = cap;
    }
    if (2 * (g->count + 1) > g->nslots && !graph_rehash(g, 2 * g->nslots))
        return -1;
    if (!reserve_ints(&g->edges, &g->edges_cap, g->n_edges + n->n_inputs))
        return -1;
    Tensor **more = NULL;
    if (n->n_outputs > 2 && !(more = calloc((size_t)n->n_outputs, sizeof *more)))
        return -1;
    k = g->count++;
    g->tasks[k] = (Task){.node = n, .grads_more = more, .first_edge = g->n_edges};
    g->n_edges += n->n_inputs;
    size_t s = slot_of(n, g->nslots);
    while (g->slots[s])
        s = (s + 1) & (size_t)(g->nslots - 1);
    g->slots[s] = k + 1;
    return k;
}

/* Empties the graph for another run, keeping its arrays.  The roots the
 * graph owns go last: they may be all that keeps the other tasks' nodes
 * alive (a stepped run whose output the program has dropped). */
static void graph_clear(Graph *g)
{
    for (int k = 0; k < g->count; k++) {
        Task *t = &g->tasks[k];
        Tensor **grads = task_grads(t);
        for (int o = 0; o < t->node->n_outputs; o++)
            tensor_release(grads[o]);
        free(t->grads_more);
    }
    for (int k = 0; k < g->roots; k++)
        if (g->tasks[k].owned)
            ag_node_release(g->tasks[k].node);
    g->count = 0;
    g->roots = 0;
    g->n_edges = 0;
    g->heap_len = 0;
    if (g->slots)
        memset(g->slots, 0, (size_t)g->nslots * sizeof *g->slots);
    scratch_clear(&g->scratch);
}

static void graph_free(Graph *g)
{
    graph_clear(g);
    free(g->tasks);
    free(g->slots);
    free(g->heap);
    free(g->stack);
    free(g->edges);
    free(g->scratch.items);
    *g = (Graph){0};
}

/* A backward run borrows this thread's spare graph, whose arrays are already
 * the right size for a training loop's graph; a nested run (from a hook) and
 * a run taken one step at a time (which outlives the call) make their own. */
static _Thread_local Graph spare_graph;
static _Thread_local bool spare_busy;

static bool graph_open(Graph *g, bool may_borrow, bool *borrowed)
{
    *borrowed = may_borrow && !spare_busy;
    if (*borrowed) {
        *g = spare_graph;
        spare_busy = true;
    } else
        *g = (Graph){0};
    if (g->tasks)
        return true;
    g->cap = 16;
    g->tasks = malloc((size_t)g->cap * sizeof *g->tasks);
    return g->tasks && graph_rehash(g, 32);
}

/* Graphs that grew past this many nodes give their memory back. */
#define SPARE_GRAPH_MAX 4096

static void graph_close(Graph *g, bool borrowed)
{
    if (borrowed && g->cap <= SPARE_GRAPH_MAX) {
        graph_clear(g);
        spare_graph = *g;
    } else {
        graph_free(g);
        if (borrowed)
            spare_graph = (Graph){0};
    }
    if (borrowed)
        spare_busy = false;
}

static bool heap_before(const Graph *g, int a, int b)
{
    return g->tasks[a].node->seq > g->tasks[b].node->seq;
}

static void heap_push(Graph *g, int k)
{
    int i = g->heap_len++;
    g->heap[i] = k;
    while (i > 0 && heap_before(g, g->heap[i], g->heap[(i - 1) / 2])) {
        int p = (i - 1) / 2, tmpk = g->heap[p];
        g->heap[p] = g->heap[i];
        g->heap[i] = tmpk;
        i = p;
    }
}

static int heap_pop(Graph *g)
{
    int top = g->heap[0];
    g->heap[0] = g->heap[--g->heap_len];
    for (int i = 0;;) {
        int l = 2 * i + 1, r = l + 1, best = i;
        if (l < g->heap_len && heap_before(g, g->heap[l], g->heap[best]))
            best = l;
        if (r < g->heap_len && heap_before(g, g->heap[r], g->heap[best]))
            best = r;
        if (best == i)
            break;
        int tmpk = g->heap[i];
        g->heap[i] = g->heap[best];
        g->heap[best] = tmpk;
        i = best;
    }
    return top;
}

typedef struct {
    int n_in;
    Tensor *const *inputs;
    AgNode **node;       /* the node and output where input j's gradient arrives */
    int *output_nr;
    int *task;
    Tensor **results;
} Capture;

static bool is_captured(const Capture *cap, const AgNode *n)
{
    for (int j = 0; j < cap->n_in; j++)
        if (cap->node[j] == n)
            return true;
    return false;
}

/* Adds the nodes reachable from the roots (the tasks already added) and
 * counts the edges into each.  In post-order (a node's inputs before the
 * node) it decides which nodes run: all of them for ag_backward; for
 * ag_grad_of those with a needed input, a node being needed when it runs or
 * when a requested input's gradient arrives there. */
static int graph_discover(Graph *g, const Capture *cap)
{
    int depth = 0;
    if (!reserve_ints(&g->stack, &g->stack_cap, g->count))
        goto oom;
    int roots = g->count;
    for (int r = 0; r < roots; r++) {
        if (g->tasks[r].next_child < 0)
            continue;                      /* finished from an earlier root */
        g->stack[depth++] = r;
        while (depth > 0) {
            int k = g->stack[depth - 1];
            AgNode *n = g->tasks[k].node;
            if (g->tasks[k].next_child < n->n_inputs) {
                int i = g->tasks[k].next_child++;
                AgNode *child = n->input[i].node;
                g->edges[g->tasks[k].first_edge + i] = -1;
                if (!child)
                    continue;
                bool added;
                int c = graph_add(g, child, &added);
                if (c < 0)
                    goto oom;
                g->edges[g->tasks[k].first_edge + i] = c;
                g->tasks[c].deps++;
                if (added) {
                    if (!reserve_ints(&g->stack, &g->stack_cap, depth + 1))
                        goto oom;
                    g->stack[depth++] = c;
                }
                continue;
            }
            Task *t = &g->tasks[k];
            t->next_child = -1;
            t->run = cap == NULL;
            for (int i = 0; i < n->n_inputs && !t->run; i++) {
                int c = g->edges[t->first_edge + i];
                t->run = c >= 0 && g->tasks[c].needed;
            }
            t->needed = t->run || (cap && is_captured(cap, n));
            depth--;
        }
    }
    return 0;
oom:
    tensor_fail("out of memory during backward");
    return -1;
}

/* buffer += grad (a new reference is kept; recorded when grad mode is on). */
static int buffer_add(Tensor **buffer, Tensor *grad)
{
    if (!*buffer) {
        tensor_retain(grad);
        *buffer = grad;
        return 0;
    }
    Tensor *sum = ag_binary(BINARY_ADD, *buffer, grad);
    if (!sum)
        return -1;
    tensor_release(*buffer);
    *buffer = sum;
    return 0;
}

/* The gradient a formula returned for input i, checked against the input's
 * shape and converted to its dtype (a new reference). */
static Tensor *checked_grad(const AgNode *n, int i, Tensor *grad)
{
    const AgInput *in = &n->input[i];
    if (!grad)
        return NULL;
    if (grad->ndim != in->ndim ||
        memcmp(grad->shape, in->shape, (size_t)in->ndim * sizeof in->shape[0]) != 0) {
        char a[128], b[128];
        return tensor_fail("%s returned a gradient of shape %s for input %d of shape %s",
                           n->op->name, tensor_shape_str(grad, a, sizeof a), i + 1,
                           shape_str(in->ndim, in->shape, b, sizeof b));
    }
    if (grad->dtype != in->dtype)
        return ag_to_dtype(grad, in->dtype);
    tensor_retain(grad);
    return grad;
}

/* Runs the tensor hooks registered on n's outputs, in place in grads. */
static int run_node_hooks(AgNode *n, Tensor **grads)
{
    for (AgNodeHook *h = n->hooks; h; h = h->next) {
        Tensor *g = grads[h->output_nr];
        if (!g)
            continue;
        Tensor *r = h->hook.fn(h->hook.ctx, running_caller, g);
        if (!r)
            return -1;
        tensor_release(g);
        grads[h->output_nr] = r;
    }
    return 0;
}

/* 1 when t holds a NaN, else 2 when it holds an Inf, else 0; -1 on failure. */
static int nonfinite_kind(const Tensor *t)
{
    if (!dtype_is_floating(t->dtype))
        return 0;
    static const UnaryOp tests[2] = {UNARY_ISNAN, UNARY_ISINF};
    for (int k = 0; k < 2; k++) {
        Tensor *mask = tensor_unary(tests[k], t);
        Tensor *any = mask ? tensor_any(mask, 0, NULL, false) : NULL;
        bool found = any && *(const uint8_t *)tensor_data(any);
        tensor_release(mask);
        tensor_release(any);
        if (!any)
            return -1;
        if (found)
            return k + 1;
    }
    return 0;
}

/* Anomaly mode: fails at the first of n's gradients that holds NaN or Inf,
 * naming the node and quoting where the program made it. */
static int check_anomaly(const AgNode *n, Tensor *const *gi, int count)
{
    for (int i = 0; i < count; i++) {
        int kind = gi[i] ? nonfinite_kind(gi[i]) : 0;
        if (kind == 0)
            continue;
        if (kind > 0) {
            const char *stack = ag_node_stack(n);
            tensor_fail("anomaly: %s returned %s values in its gradient for input %d; %s%s",
                        ag_node_name(n), kind == 1 ? "nan" : "inf", i + 1,
                        stack ? "the forward op was made at\n" : "the forward op was made before anomaly "
                        "detection was on, so where is not known", stack ? stack : "");
        }
        return -1;
    }
    return 0;
}

/* Runs task k's formula and passes its gradients on. */
static int run_task(Graph *g, int k, const AgBackwardOptions *opt)
{
    AgNode *n = g->tasks[k].node;
    Tensor **grads = task_grads(&g->tasks[k]);
    Tensor *gi_stack[8] = {NULL}, **gi = gi_stack;
    if (n->n_inputs > 8 && !(gi = calloc((size_t)n->n_inputs, sizeof *gi))) {
        tensor_fail("out of memory during backward");
        return -1;
    }
    if (n->saved_released && n->has_saved) {
        ag_fail_freed(n);
        if (gi != gi_stack)
            free(gi);
        return -1;
    }
    unsigned long failures = tensor_failure_count();
    int status = n->op->backward(n, grads, gi);
    /* The formula's gradients are its temporaries: each is replaced by a
     * checked reference of our own (gi[0 .. owned-1]). */
    int owned = 0;
    for (; owned < n->n_inputs && status == 0; owned++) {
        if (!n->input[owned].node) {
            gi[owned] = NULL;
            continue;
        }
        Tensor *grad = checked_grad(n, owned, gi[owned]);
        if (!grad) {
            /* A failing op in the formula left its own message. */
            if (tensor_failure_count() == failures)
                tensor_fail("%s: the backward formula computed no gradient for input %d",
                            ag_node_name(n), owned + 1);
            status = -1;
            break;
        }
        gi[owned] = grad;
    }
    if (status == 0 && ag_anomaly_enabled())
        status = check_anomaly(n, gi, owned);
    if (status == 0 && opt->on_step)
        status = opt->on_step(opt->step_ctx, n, grads, gi);
    for (int i = 0; i < owned; i++) {
        if (gi[i] && status == 0) {
            int c = g->edges[g->tasks[k].first_edge + i];
            status = buffer_add(&task_grads(&g->tasks[c])[n->input[i].output_nr], gi[i]);
        }
        tensor_release(gi[i]);
    }
    scratch_clear(&g->scratch);
    if (gi != gi_stack)
        free(gi);
    return status;
}

/* Runs the ready nodes, newest first (each when a gradient reached it and
 * it leads somewhere wanted), readying the nodes it feeds once they have
 * heard from all their dependents: all of them, or only the next when
 * one_step.  1 after a single step, 0 when no node is left, -1 on failure. */
static int graph_run(Graph *g, const AgBackwardOptions *opt, Capture *cap, bool one_step)
{
    while (g->heap_len > 0) {
        /* Ctrl-C stops a long backward between nodes (a flag test per node). */
        if (tensor_check_interrupt())
            return -1;
        int k = heap_pop(g);
        Task *t = &g->tasks[k];
        AgNode *n = t->node;
        Tensor **grads = task_grads(t);
        if (t->needed && run_node_hooks(n, grads) < 0)
            return -1;
        for (int j = 0; cap && j < cap->n_in; j++) {
            Tensor *grad = cap->task[j] == k ? grads[cap->output_nr[j]] : NULL;
            if (grad) {
                tensor_retain(grad);
                cap->results[j] = grad;
            }
        }
        bool any = false;
        for (int o = 0; o < n->n_outputs; o++)
            any |= grads[o] != NULL;
        if (t->run && any) {
            if (run_task(g, k, opt) < 0)
                return -1;
            if (!opt->retain_graph && !opt->create_graph)
                ag_node_release_saved(n);
        }
        for (int o = 0; o < n->n_outputs; o++) {
            tensor_release(grads[o]);
            grads[o] = NULL;
        }
        const int *edge = &g->edges[t->first_edge];
        for (int i = 0; i < n->n_inputs; i++) {
            int c = edge[i];
            if (c >= 0 && --g->tasks[c].deps == 0)
                heap_push(g, c);
        }
        if (one_step)
            return 1;
    }
    return 0;
}

/* The gradient that starts output i: grads[i], or 1 for a one-element output. */
static Tensor *root_grad(int i, const Tensor *out, Tensor *grad)
{
    if (!grad) {
        if (tensor_numel(out) != 1)
            return tensor_fail("backward: grad can be implicitly created only for outputs with "
                               "one element; pass a gradient of the output's shape (output %d)",
                               i + 1);
        Tensor *one = tensor_empty(out->ndim, out->shape, out->dtype);
        if (one && tensor_fill_(one, 1) < 0) {
            tensor_release(one);
            return NULL;
        }
        return one;
    }
    if (!tensor_same_shape(grad, out)) {
        char a[128], b[128];
        return tensor_fail("backward: the gradient has shape %s but output %d has shape %s",
                           tensor_shape_str(grad, a, sizeof a), i + 1,
                           tensor_shape_str(out, b, sizeof b));
    }
    if (grad->dtype != out->dtype)
        return tensor_to_dtype(grad, out->dtype);
    tensor_retain(grad);
    return grad;
}

/* Builds the graph from the outputs, seeds it with their gradients and
 * readies the nodes nothing waits on. */
static int graph_start(Graph *g, int n, Tensor *const *outputs, Tensor *const *grads,
                       Capture *cap)
{
    for (int i = 0; i < n; i++) {
        AgNode *node;
        int nr;
        if (ag_edge(outputs[i], &node, &nr) < 0)
            return -1;
        if (!node) {
            tensor_fail("backward: output %d does not require grad and has no grad_fn", i + 1);
            return -1;
        }
        bool added;
        int k = graph_add(g, node, &added);
        if (k < 0) {
            ag_node_release(node);
            tensor_fail("out of memory during backward");
            return -1;
        }
        if (added) {
            g->tasks[k].owned = true;           /* released when the graph closes */
            g->roots = g->count;
        } else
            ag_node_release(node);
        Tensor *start = root_grad(i, outputs[i], grads ? grads[i] : NULL);
        int st = start ? buffer_add(&task_grads(&g->tasks[k])[nr], start) : -1;
        tensor_release(start);
        if (st < 0)
            return -1;
    }
    for (int j = 0; cap && j < cap->n_in; j++) {
        if (ag_edge(cap->inputs[j], &cap->node[j], &cap->output_nr[j]) < 0)
            return -1;
        ag_node_release(cap->node[j]);         /* the input keeps it alive */
    }
    if (graph_discover(g, cap) < 0)
        return -1;
    for (int j = 0; cap && j < cap->n_in; j++)
        cap->task[j] = cap->node[j] ? graph_find(g, cap->node[j]) : -1;
    if (!reserve_ints(&g->heap, &g->heap_cap, g->count)) {
        tensor_fail("out of memory during backward");
        return -1;
    }
    for (int k = 0; k < g->count; k++)
        if (g->tasks[k].deps == 0)
            heap_push(g, k);
    return 0;
}

/* What the formulas see while a run is in them: grad mode as create_graph
 * asks, the run's temporaries and caller; restored by formulas_leave. */
typedef struct {
    bool grad_enabled;
    void *caller;
    AgScratch *scratch;
} Outside;

static Outside formulas_enter(Graph *g, const AgBackwardOptions *opt)
{
    Outside o = {ag_grad_enabled(), running_caller, ag_scratch_swap(&g->scratch)};
    ag_set_grad_enabled(opt->create_graph);
    running_caller = opt->caller;
    return o;
}

static void formulas_leave(Outside o)
{
    running_caller = o.caller;
    ag_set_grad_enabled(o.grad_enabled);
    ag_scratch_swap(o.scratch);
}

static int backward_run(int n, Tensor *const *outputs, Tensor *const *grads,
                        const AgBackwardOptions *opt, Capture *cap)
{
    Graph g;
    bool borrowed;
    int status = -1;
    if (!graph_open(&g, true, &borrowed))
        tensor_fail("out of memory during backward");
    else if (graph_start(&g, n, outputs, grads, cap) == 0) {
        Outside o = formulas_enter(&g, opt);
        status = graph_run(&g, opt, cap, false);
        formulas_leave(o);
    }
    graph_close(&g, borrowed);
    return status;
}

/* ---- one step at a time ---------------------------------------------------------- */

struct AgRun {
    Graph g;
    AgBackwardOptions opt;
    bool over;
};

AgRun *ag_run_begin(int n, Tensor *const *outputs, Tensor *const *grads,
                    const AgBackwardOptions *opt)
{
    AgRun *run = calloc(1, sizeof *run);
    bool borrowed;
    if (!run || !graph_open(&run->g, false, &borrowed)) {
        if (run)
            graph_free(&run->g);
        free(run);
        return tensor_fail("out of memory during backward");
    }
    run->opt = *opt;
    if (graph_start(&run->g, n, outputs, grads, NULL) < 0) {
        ag_run_free(run);
        return NULL;
    }
    return run;
}

int ag_run_step(AgRun *run, void *caller)
{
    if (run->over)
        return 0;
    run->opt.caller = caller;
    Outside o = formulas_enter(&run->g, &run->opt);
    int status = graph_run(&run->g, &run->opt, NULL, true);
    formulas_leave(o);
    if (status <= 0) {
        run->over = true;
        graph_clear(&run->g);         /* lets go of the graph at once */
    }
    return status;
}

void ag_run_free(AgRun *run)
{
    if (!run)
        return;
    graph_free(&run->g);
    free(run);
}

int ag_backward(int n, Tensor *const *outputs, Tensor *const *grads, const AgBackwardOptions *opt)
{
    return backward_run(n, outputs, grads, opt, NULL);
}

int ag_grad_of(int n_out, Tensor *const *outputs, Tensor *const *grads, int n_in,
               Tensor *const *inputs, bool allow_unused, const AgBackwardOptions *opt,
               Tensor **results)
{
    for (int j = 0; j < n_in; j++) {
        results[j] = NULL;
        if (!ag_requires_grad(inputs[j])) {
            tensor_fail("grad: input %d does not require grad", j + 1);
            return -1;
        }
    }
    AgNode **node = calloc((size_t)(n_in > 0 ? n_in : 1), sizeof *node);
    int *ints = calloc((size_t)(n_in > 0 ? 2 * n_in : 1), sizeof *ints);
    int status = -1;
    if (!node || !ints) {
        tensor_fail("out of memory during backward");
        goto done;
    }
    Capture cap = {n_in, inputs, node, ints, ints + n_in, results};
    status = backward_run(n_out, outputs, grads, opt, &cap);
    for (int j = 0; j < n_in && status == 0; j++) {
        if (!results[j] && !allow_unused) {
            tensor_fail("grad: input %d was not used to compute the outputs (pass "
                        "{allow_unused = true} to get nil for it)", j + 1);
            status = -1;
        }
    }
    if (status < 0)
        for (int j = 0; j < n_in; j++) {
            tensor_release(results[j]);
            results[j] = NULL;
        }
done:
    free(node);
    free(ints);
    return status;
}
