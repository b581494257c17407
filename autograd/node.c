/*
 * node.c — graph nodes: making them in a forward op, the tensors they save,
 * and the helpers backward formulas are written with.
 *
 * A node holds references to the nodes its gradients flow into (its input
 * edges) and to the tensors it saved; a tensor holds a reference to its
 * grad_fn.  So a graph lives exactly as long as some tensor that can reach
 * it, and references never form a cycle: a node never refers to its own
 * output (ag_save_output keeps a detached alias instead, as PyTorch's
 * SavedVariable does).
 */
#include <stdlib.h>
#include <string.h>

#include "autograd/node.h"

static _Thread_local uint64_t next_seq;

/* Nodes come from block.c's lists: a training step makes and drops them by
 * the hundred, as it does small tensors. */
static size_t node_bytes(int n_inputs)
{
    return sizeof(AgNode) + (size_t)n_inputs * sizeof(AgInput);
}

AgNode *ag_node_new(const AgOp *op, int n_inputs, const Tensor *const *inputs)
{
    AgNode *n = block_alloc(node_bytes(n_inputs), true);
    if (!n)
        return tensor_fail("out of memory: cannot allocate a graph node");
    n->op = op;
    n->refcount = 1;
    n->seq = next_seq++;
    n->n_outputs = 1;
    n->n_inputs = n_inputs;
    for (int i = 0; i < n_inputs; i++) {
        const Tensor *t = inputs[i];
        if (!t)
            continue;
        AgInput *in = &n->input[i];
        in->dtype = t->dtype;
        in->ndim = t->ndim;
        memcpy(in->shape, t->shape, sizeof in->shape);   /* whole: a fixed size copies inline */
        if (ag_edge((Tensor *)t, &in->node, &in->output_nr) < 0) {   /* a new reference */
            ag_node_release(n);
            return NULL;
        }
        if (t->ndim == 0 && !in->node) {
            in->has_scalar = true;
            in->scalar = dtype_load(t->dtype, tensor_data(t));
        }
    }
    if (ag_active_tracer && n_inputs > 0)
        ag_trace_node(n, inputs);
    return n;
}

void ag_node_retain(AgNode *n)
{
    n->refcount++;
}

/* Releasing the last reference to the head of a long chain would recurse
 * once per node (a 10,000-op chain overflows the C stack), so nodes whose
 * count drops to zero go on a worklist instead. */
void ag_node_release(AgNode *n)
{
    if (!n || --n->refcount > 0)
        return;
    AgNode *work = n;
    AgNode **stack = NULL;
    size_t depth = 0, cap = 0;
    while (work) {
        AgNode *dead = work;
        work = NULL;
        for (int i = 0; i < dead->n_inputs; i++) {
            AgNode *next = dead->input[i].node;
            if (next && --next->refcount == 0) {
                if (depth == cap) {
                    size_t ncap = cap ? 2 * cap : 16;
                    AgNode **grown = realloc(stack, ncap * sizeof *grown);
                    if (!grown) {
                        next->refcount++;  /* leak rather than recurse without memory */
                        continue;
                    }
                    stack = grown;
                    cap = ncap;
                }
                stack[depth++] = next;
            }
        }
        ag_node_release_saved(dead);
        if (dead->op->free_extra)
            dead->op->free_extra(dead);
        tensor_release(dead->variable);
        free(dead->label);
        if (dead->trace)
            ag_trace_free(dead->trace, dead->n_inputs);
        for (AgNodeHook *h = dead->hooks; h;) {
            AgNodeHook *next = h->next;
            if (h->hook.free_ctx)
                h->hook.free_ctx(h->hook.ctx);
            free(h);
            h = next;
        }
        block_free(dead, node_bytes(dead->n_inputs));
        if (depth > 0)
            work = stack[--depth];
    }
    free(stack);
}

const char *ag_node_name(const AgNode *n)
{
    return n->label ? n->label : n->op->name;
}

int ag_node_num_inputs(const AgNode *n)
{
    return n->n_inputs;
}

AgNode *ag_node_input(const AgNode *n, int i, int *output_nr)
{
    *output_nr = n->input[i].output_nr;
    return n->input[i].node;
}

Tensor *ag_node_variable(const AgNode *n)
{
    return n->variable;
}

bool ag_should_record(int n, const Tensor *const *inputs)
{
    if (!ag_grad_enabled())
        return false;
    for (int i = 0; i < n; i++)
        if (inputs[i] && ag_requires_grad(inputs[i]))
            return true;
    return false;
}

/* A saved tensor must not be a caller's borrowed operand: the bindings pass
 * numbers as 0-dim tensors on their C stack (bind_elementwise.c), so a 0-dim
 * tensor outside any graph is copied, which is cheap and equally right. */
int ag_save(AgNode *n, int slot, const Tensor *t)
{
    Tensor *keep;
    if (t->ndim == 0 && !ag_requires_grad(t)) {
        keep = tensor_clone(t);
        if (!keep)
            return -1;
    } else {
        keep = (Tensor *)t;
        tensor_retain(keep);
    }
    n->saved[slot] = (AgSaved){keep, keep->storage->version, false, 0};
    n->has_saved = true;
    return 0;
}

/* The alias shares the output's storage (so in-place changes show in its
 * version) but not the output itself, which refers to n. */
Tensor *ag_storage_alias(const Tensor *t)
{
    Tensor *alias = tensor_alias(t);
    if (alias && alias->base == t) {
        alias->base = NULL;       /* t owns its storage, and so does the alias */
        tensor_release((Tensor *)t);
    }
    return alias;
}

int ag_save_output(AgNode *n, int slot, const Tensor *out, int output_nr)
{
    Tensor *alias = ag_storage_alias(out);
    if (!alias)
        return -1;
    n->saved[slot] = (AgSaved){alias, out->storage->version, true, output_nr};
    n->has_saved = true;
    return 0;
}

void ag_node_release_saved(AgNode *n)
{
    for (int k = 0; k < AG_MAX_SAVED; k++) {
        tensor_release(n->saved[k].tensor);
        n->saved[k].tensor = NULL;
    }
    n->saved_released = true;
}

void ag_set_history(Tensor *t, struct AgMeta *m, AgNode *n, int output_nr)
{
    AgNodeHook *retain = NULL;
    if (m->retains_grad && m->grad_fn) {
        /* retain_grad follows the tensor to its new grad_fn, as in PyTorch. */
        for (AgNodeHook **p = &m->grad_fn->hooks; *p; p = &(*p)->next) {
            if ((*p)->retain == t) {
                retain = *p;
                *p = retain->next;
                break;
            }
        }
    }
    ag_node_retain(n);
    ag_node_release(m->grad_fn);
    m->grad_fn = n;
    m->output_nr = output_nr;
    m->view_version = t->storage->version;
    if (n->trace)
        ag_trace_output(n, t, output_nr);
    if (retain) {
        AgNodeHook **p = &n->hooks;
        while (*p)
            p = &(*p)->next;
        retain->output_nr = output_nr;
        retain->next = NULL;
        *p = retain;
    }
}

Tensor *ag_set_output(AgNode *n, Tensor *out, int k)
{
    struct AgMeta *m = ag_meta(out);
    if (!m) {
        tensor_release(out);
        return NULL;
    }
    ag_set_history(out, m, n, k);
    return out;
}

Tensor *ag_finish(AgNode *n, Tensor *out)
{
    if (out && n)
        out = ag_set_output(n, out, 0);
    else
        tensor_release(out);
    ag_node_release(n);
    return n ? out : NULL;
}

/* ---- helpers for backward formulas ------------------------------------------ */

void *ag_fail_freed(const AgNode *n)
{
    return tensor_fail("%s: trying to backward through the graph a second time (or to use "
                       "saved tensors after they were freed); pass {retain_graph = true} "
                       "to the first backward if you need a second one",
                       ag_node_name(n));
}

Tensor *saved(AgNode *n, int slot)
{
    AgSaved *s = &n->saved[slot];
    if (n->saved_released || !s->tensor)
        return ag_fail_freed(n);
    if (s->tensor->storage->version != s->version)
        return tensor_fail("%s: a tensor needed for gradient computation has been modified by an "
                           "in-place operation: saved tensor %d was at version %u and is now at "
                           "version %u; clone() it before modifying it, or modify it after backward",
                           n->op->name, slot + 1, (unsigned)s->version,
                           (unsigned)s->tensor->storage->version);
    if (!s->is_output || !ag_grad_enabled())
        return s->tensor;
    /* create_graph: the saved output must lead back to n again. */
    Tensor *alias = tensor_alias(s->tensor);
    return alias ? tmp(ag_set_output(n, alias, s->output_nr)) : NULL;
}

Tensor *tmp_scalar(double v, const Tensor *like)
{
    return like ? tmp(tensor_scalar(v, like->dtype)) : NULL;
}

Tensor *grad_to_input(AgNode *n, int i, Tensor *grad)
{
    const AgInput *in = &n->input[i];
    if (!grad || (grad->ndim == in->ndim &&
                  memcmp(grad->shape, in->shape, (size_t)in->ndim * sizeof in->shape[0]) == 0))
        return grad;
    return tmp(ag_sum_to(grad, in->ndim, in->shape));
}
