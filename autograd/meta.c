/*
 * meta.c — a tensor's autograd attributes: requires_grad, grad, grad_fn,
 * retain_grad, hooks, detach.
 *
 * The record (struct AgMeta) is made on first need, so tensors outside any
 * graph pay one NULL pointer.  It holds a reference to the tensor's grad_fn
 * and its .grad; the tensor owns it, and tensor_release frees it here.
 */
#include <stdlib.h>

#include "autograd/node.h"

static void meta_release(struct AgMeta *m);

struct AgMeta *ag_meta(Tensor *t)
{
    if (t->autograd)
        return t->autograd;
    struct AgMeta *m = block_alloc(sizeof *m, true);
    if (!m)
        return tensor_fail("out of memory: cannot allocate autograd state");
    static bool hooked;
    if (!hooked) {
        tensor_set_meta_release(meta_release);
        hooked = true;
    }
    m->view_version = t->storage->version;
    t->autograd = m;
    return m;
}

static void free_hooks(AgHook *h)
{
    while (h) {
        AgHook *next = h->next;
        if (h->free_ctx)
            h->free_ctx(h->ctx);
        free(h);
        h = next;
    }
}

/* Removes the retain_grad hook of the tensor whose record is m from node n. */
static void drop_retain_hook(AgNode *n, const struct AgMeta *m)
{
    for (AgNodeHook **p = &n->hooks; *p; p = &(*p)->next) {
        if ((*p)->retain && (*p)->retain->autograd == m) {
            AgNodeHook *dead = *p;
            *p = dead->next;
            free(dead);
            return;
        }
    }
}

/* tensor_release calls this while the tensor still points at m. */
static void meta_release(struct AgMeta *m)
{
    if (m->retains_grad && m->grad_fn)
        drop_retain_hook(m->grad_fn, m);
    tensor_release(m->grad);
    free_hooks(m->hooks);
    ag_node_release(m->grad_fn);
    block_free(m, sizeof *m);
}

bool ag_requires_grad(const Tensor *t)
{
    const struct AgMeta *m = t->autograd;
    if (m && (m->requires_grad || m->grad_fn))
        return true;
    /* A view of a tensor with history shares it (see ag_view_refresh). */
    return t->base && !(m && m->detached) && ag_requires_grad(t->base);
}

bool ag_is_leaf(const Tensor *t)
{
    return ag_grad_fn((Tensor *)t) == NULL;
}

int ag_set_requires_grad(Tensor *t, bool on)
{
    if (!on) {
        if (!ag_is_leaf(t)) {
            tensor_fail("requires_grad: only leaf tensors can stop requiring grad; use "
                        "detach() for a tensor outside the graph");
            return -1;
        }
        if (t->autograd)
            t->autograd->requires_grad = false;
        return 0;
    }
    if (!dtype_is_floating(t->dtype)) {
        tensor_fail("requires_grad: only floating tensors can require gradients, got %s",
                    dtype_name(t->dtype));
        return -1;
    }
    if (!ag_is_leaf(t))
        return 0;                                  /* a non-leaf already requires grad */
    struct AgMeta *m = ag_meta(t);
    if (!m)
        return -1;
    m->requires_grad = true;
    return 0;
}

Tensor *ag_grad(const Tensor *t)
{
    return t->autograd ? t->autograd->grad : NULL;
}

int ag_set_grad(Tensor *t, Tensor *grad)
{
    if (grad && (!tensor_same_shape(grad, t) || grad->dtype != t->dtype)) {
        char a[128], b[128];
        tensor_fail("grad: assigned grad of shape %s (%s) does not match the tensor's shape %s (%s)",
                    tensor_shape_str(grad, a, sizeof a), dtype_name(grad->dtype),
                    tensor_shape_str(t, b, sizeof b), dtype_name(t->dtype));
        return -1;
    }
    if (!grad && !t->autograd)
        return 0;
    struct AgMeta *m = ag_meta(t);
    if (!m)
        return -1;
    if (grad)
        tensor_retain(grad);
    tensor_release(m->grad);
    m->grad = grad;
    return 0;
}

/* A retain_grad hook: stores the gradient (a detached copy) into .grad, or
 * adds it there when one is already kept. */
static Tensor *store_retained_grad(void *ctx, void *caller, Tensor *grad)
{
    Tensor *t = ctx;
    struct AgMeta *m = t->autograd;
    Tensor *sum = m->grad ? tensor_binary(BINARY_ADD, m->grad, grad) : tensor_clone(grad);
    if (!sum)
        return NULL;
    tensor_release(m->grad);
    m->grad = sum;
    tensor_retain(grad);
    return grad;
}

int ag_retain_grad(Tensor *t)
{
    if (!ag_requires_grad(t)) {
        tensor_fail("retain_grad: the tensor does not require grad");
        return -1;
    }
    AgNode *fn = ag_grad_fn(t);
    if (!fn || t->autograd->retains_grad)
        return 0;                               /* a leaf keeps its grad anyway */
    AgNodeHook *h = calloc(1, sizeof *h);
    if (!h) {
        tensor_fail("out of memory: cannot allocate a hook");
        return -1;
    }
    h->output_nr = t->autograd->output_nr;
    h->hook.fn = store_retained_grad;
    h->hook.ctx = t;
    h->retain = t;
    AgNodeHook **p = &fn->hooks;              /* last: .grad sees what the hooks made */
    while (*p)
        p = &(*p)->next;
    *p = h;
    t->autograd->retains_grad = true;
    return 0;
}

bool ag_retains_grad(const Tensor *t)
{
    return t->autograd && t->autograd->retains_grad;
}

/* Called when t's grad_fn changes (an in-place op) or t goes: its retain
 * hook must not outlive it on the old node. */
void ag_meta_drop_retain(Tensor *t)
{
    struct AgMeta *m = t->autograd;
    if (m && m->retains_grad && m->grad_fn)
        drop_retain_hook(m->grad_fn, m);
}

int ag_register_hook(Tensor *t, AgHookFn fn, void *ctx, void (*free_ctx)(void *ctx))
{
    if (!ag_requires_grad(t)) {
        tensor_fail("register_hook: cannot register a hook on a tensor that does not require grad");
        return -1;
    }
    AgNode *grad_fn = ag_grad_fn(t);
    struct AgMeta *m = ag_meta(t);
    AgNodeHook *nh = grad_fn ? calloc(1, sizeof *nh) : NULL;
    AgHook *lh = grad_fn ? NULL : calloc(1, sizeof *lh);
    if (!m || (!nh && !lh)) {
        free(nh);
        tensor_fail("out of memory: cannot allocate a hook");
        return -1;
    }
    AgHook h = {fn, ctx, free_ctx, NULL};
    if (grad_fn) {
        /* Run before the retain_grad hook, so .grad sees the hooked value;
         * user hooks run in the order they were registered. */
        AgNodeHook **p = &grad_fn->hooks;
        while (*p && !(*p)->retain)
            p = &(*p)->next;
        *nh = (AgNodeHook){m->output_nr, h, NULL, *p};
        *p = nh;
    } else {
        AgHook **p = &m->hooks;
        while (*p)
            p = &(*p)->next;
        *lh = h;
        *p = lh;
    }
    return 0;
}

/* Not a reference to t (a custom function's ctx may keep the detached
 * output of its own node), and never treated as a view of anything. */
Tensor *ag_detach(const Tensor *t)
{
    Tensor *d = ag_storage_alias(t);
    if (!d)
        return NULL;
    struct AgMeta *m = ag_meta(d);
    if (!m) {
        tensor_release(d);
        return NULL;
    }
    m->detached = true;
    return d;
}

int ag_detach_(Tensor *t)
{
    struct AgMeta *m = t->autograd;
    if (t->base && !(m && m->detached)) {
        tensor_fail("detach_: cannot detach a view in place; use detach()");
        return -1;
    }
    if (!m)
        return 0;
    ag_meta_drop_retain(t);
    ag_node_release(m->grad_fn);
    m->grad_fn = NULL;
    m->requires_grad = false;
    m->retains_grad = false;
    return 0;
}
