/*
 * storage.c — the one allocator behind every tensor's memory.
 *
 * Counting every byte in one place is what lets the Lua binding tell the
 * garbage collector how much memory its small userdata really hold (Torch7's
 * lesson: without it, loops needed collectgarbage() by hand).  When malloc
 * fails we call the reclaim hook once (the binding runs a full collection,
 * which releases dead tensors) and retry before reporting "out of memory".
 * Large buffers are aligned to 64 bytes, a cache line and an AVX-512 vector,
 * which BLAS and vectorised loops prefer.  Every buffer is released with
 * free(), whichever way it was obtained.
 */
#include "tensor/tensor.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORAGE_LARGE (1u << 20)
#define STORAGE_ALIGN 64

static atomic_size_t storage_bytes;
static void (*reclaim_hook)(void *ctx);
static void *reclaim_ctx;

void storage_set_reclaim_hook(void (*hook)(void *ctx), void *ctx)
{
    reclaim_hook = hook;
    reclaim_ctx = ctx;
}

size_t storage_live_bytes(void)
{
    return atomic_load(&storage_bytes);
}

static void *storage_try_alloc(size_t nbytes, bool zero)
{
    if (nbytes < STORAGE_LARGE)
        return zero ? calloc(1, nbytes) : malloc(nbytes);
    void *p = NULL;
    if (posix_memalign(&p, STORAGE_ALIGN, nbytes) != 0)
        return NULL;
    if (zero)
        memset(p, 0, nbytes);
    return p;
}

/* "4.0 GB": enough precision for a person deciding what to shrink. */
static void storage_human_size(size_t nbytes, char *buf, size_t len)
{
    static const char *units[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)nbytes;
    int u = 0;
    while (v >= 1024 && u < 6) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

Storage *storage_new(size_t nbytes, bool zero)
{
    Storage *s = malloc(sizeof *s);
    void *data = NULL;
    if (s && nbytes > 0) {
        data = storage_try_alloc(nbytes, zero);
        if (!data && reclaim_hook) {
            reclaim_hook(reclaim_ctx);
            data = storage_try_alloc(nbytes, zero);
        }
    }
    if (!s || (nbytes > 0 && !data)) {
        char human[32];
        storage_human_size(nbytes, human, sizeof human);
        free(s);
        return tensor_fail("out of memory: cannot allocate %zu bytes (%s)", nbytes, human);
    }
    s->data = data;
    s->nbytes = nbytes;
    s->refcount = 1;
    atomic_fetch_add(&storage_bytes, nbytes);
    return s;
}

void storage_retain(Storage *s)
{
    s->refcount++;
}

void storage_release(Storage *s)
{
    if (!s || --s->refcount > 0)
        return;
    atomic_fetch_sub(&storage_bytes, s->nbytes);
    free(s->data);
    free(s);
}
