/*
 * storage.c — the one allocator behind every tensor's memory.
 *
 * Counting every byte in one place is what lets the Lua binding tell the
 * garbage collector how much memory its small userdata really hold (Torch7's
 * lesson: without it, loops needed collectgarbage() by hand).  When malloc
 * fails we call the reclaim hook once (the binding runs a full collection,
 * which releases dead tensors) and retry before reporting "out of memory".
 *
 * Large buffers (>= 1 MiB) are where the time goes: a fresh 4 KiB page costs
 * about 11 us to fault in on this VM, so a new 64 MB result would cost more
 * than the arithmetic that fills it.  They are therefore rounded up to whole
 * 2 MiB huge pages, aligned to them and marked MADV_HUGEPAGE (one fault per
 * 2 MiB), and kept after release in a small cache of exact-size blocks that
 * the next allocation of that size reuses: a training loop allocates the
 * same shapes every step.  The cache holds at most CACHE_MAX_BYTES, is
 * emptied before the reclaim hook runs when memory is short, and its bytes
 * are not counted as live (they belong to no tensor).  Smaller buffers share
 * one block with their Storage record (block.c), and the header of a new
 * tensor joins them.
 */
#include "tensor/tensor.h"
#include "tensor/asan.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define STORAGE_LARGE (1u << 20)
#define HUGE_PAGE ((size_t)2 << 20)
#define CACHE_SLOTS 32
#define CACHE_MAX_BYTES ((size_t)512 << 20)

/* Released large blocks, by their rounded size, waiting to be reused. */
static struct {
    pthread_mutex_t lock;
    void *data[CACHE_SLOTS];
    size_t size[CACHE_SLOTS];
    int count;
    size_t bytes;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

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

static size_t large_block_size(size_t nbytes)
{
    return (nbytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}

static void *cache_take(size_t size)
{
    void *p = NULL;
    pthread_mutex_lock(&cache.lock);
    for (int i = cache.count - 1; i >= 0; i--) {
        if (cache.size[i] == size) {
            p = cache.data[i];
            mem_unpoison(p, size);
            cache.bytes -= size;
            cache.count--;
            cache.data[i] = cache.data[cache.count];
            cache.size[i] = cache.size[cache.count];
            break;
        }
    }
    pthread_mutex_unlock(&cache.lock);
    return p;
}

/* Keeps the block for reuse when there is room; otherwise frees it. */
static void cache_give(void *p, size_t size)
{
    pthread_mutex_lock(&cache.lock);
    bool kept = cache.count < CACHE_SLOTS && cache.bytes + size <= CACHE_MAX_BYTES;
    if (kept) {
        mem_poison(p, size);
        cache.data[cache.count] = p;
        cache.size[cache.count++] = size;
        cache.bytes += size;
    }
    pthread_mutex_unlock(&cache.lock);
    if (!kept)
        free(p);
}

void storage_empty_cache(void)
{
    block_empty_cache();
    pthread_mutex_lock(&cache.lock);
    for (int i = 0; i < cache.count; i++) {
        mem_unpoison(cache.data[i], cache.size[i]);
        free(cache.data[i]);
    }
    cache.count = 0;
    cache.bytes = 0;
    pthread_mutex_unlock(&cache.lock);
}

static void *large_alloc(size_t nbytes, bool zero)
{
    size_t size = large_block_size(nbytes);
    void *p = cache_take(size);
    if (p == NULL) {
        if (posix_memalign(&p, HUGE_PAGE, size) != 0)
            return NULL;
        madvise(p, size, MADV_HUGEPAGE);      /* advice only: failure is harmless */
    }
    if (zero)
        memset(p, 0, nbytes);
    return p;
}

/* A small buffer lives in the same malloc block as its Storage, just after a
 * header of one cache line, and the tensor header made with it (if any)
 * comes first: one allocation per tensor instead of three, which is much of
 * the cost of an op on a tiny tensor. */
#define STORAGE_HEADER 64
_Static_assert(sizeof(Storage) <= STORAGE_HEADER, "Storage must fit its header");

static Storage *storage_try_new(size_t nbytes, bool zero, size_t header_bytes, void **header)
{
    Storage *s;
    void *block;
    size_t size;
    if (nbytes < STORAGE_LARGE) {
        header_bytes = (header_bytes + STORAGE_HEADER - 1) / STORAGE_HEADER * STORAGE_HEADER;
        size = header_bytes + STORAGE_HEADER + nbytes;
        block = block_alloc(size, zero);
        if (block == NULL)
            return NULL;
        s = (Storage *)((char *)block + header_bytes);
        s->data = nbytes > 0 ? (char *)s + STORAGE_HEADER : NULL;   /* no elements, no data */
        *header = header_bytes ? block : NULL;
    } else {
        size = sizeof *s;
        block = s = block_alloc(size, false);
        if (s == NULL)
            return NULL;
        s->data = large_alloc(nbytes, zero);
        if (s->data == NULL) {
            block_free(s, size);
            return NULL;
        }
        *header = NULL;
    }
    s->block = block;
    s->block_bytes = size;
    s->nbytes = nbytes;
    s->refcount = 1;
    s->version = 0;
    return s;
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

Storage *storage_new_with_header(size_t nbytes, bool zero, size_t header_bytes, void **header)
{
    Storage *s = storage_try_new(nbytes, zero, header_bytes, header);
    if (s == NULL) {
        storage_empty_cache();
        if (reclaim_hook)
            reclaim_hook(reclaim_ctx);
        s = storage_try_new(nbytes, zero, header_bytes, header);
    }
    if (s == NULL) {
        char human[32];
        storage_human_size(nbytes, human, sizeof human);
        return tensor_fail("out of memory: cannot allocate %zu bytes (%s)", nbytes, human);
    }
    atomic_fetch_add(&storage_bytes, nbytes);
    return s;
}

Storage *storage_new(size_t nbytes, bool zero)
{
    void *header;
    return storage_new_with_header(nbytes, zero, 0, &header);
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
    if (s->nbytes >= STORAGE_LARGE)
        cache_give(s->data, large_block_size(s->nbytes));
    block_free(s->block, s->block_bytes);
}
