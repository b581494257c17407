/*
 * block.c — the allocator of small blocks: tensor headers, Storage records
 * and the small buffers that share a block with them.
 *
 * A loop of small ops makes and drops thousands of these, and Lua's
 * collector frees them in batches.  malloc keeps only 7 freed blocks of a
 * size in its per-thread cache, so the rest of a batch, and the allocations
 * after it, took malloc's slow paths: 300 of the 3,500 instructions of
 * `a + b` on 10-element tensors.  Here freed blocks wait on per-thread
 * lists, one per 64-byte size class up to BLOCK_SMALL_MAX, at most
 * BLOCK_CACHE_BYTES a thread; larger blocks and the overflow go to malloc
 * and free.  A block may be freed on another thread than the one that made
 * it: it joins that thread's lists.  The cached blocks belong to no tensor,
 * so storage.c does not count them as live; ASan builds poison them while
 * they wait (asan.h).
 */
#include "tensor/tensor.h"
#include "tensor/asan.h"

#include <stdlib.h>
#include <string.h>

#define CLASS_BYTES 64
#define CLASSES (BLOCK_SMALL_MAX / CLASS_BYTES)
#define BLOCK_CACHE_BYTES ((size_t)64 << 20)

/* A free block holds the next one of its list. */
typedef struct FreeBlock {
    struct FreeBlock *next;
} FreeBlock;

static _Thread_local FreeBlock *free_list[CLASSES];
static _Thread_local size_t cached_bytes;

/* The class of a size (1..BLOCK_SMALL_MAX), and the size its blocks have. */
static int size_class(size_t size)
{
    return (int)((size - 1) / CLASS_BYTES);
}

size_t block_size(size_t size)
{
    return size <= BLOCK_SMALL_MAX ? ((size + CLASS_BYTES - 1) / CLASS_BYTES) * CLASS_BYTES : size;
}

void *block_alloc(size_t size, bool zero)
{
    size = block_size(size);
    if (size > 0 && size <= BLOCK_SMALL_MAX) {
        int c = size_class(size);
        FreeBlock *b = free_list[c];
        if (b) {
            mem_unpoison(b, size);
            free_list[c] = b->next;
            cached_bytes -= size;
            if (zero)
                memset(b, 0, size);
            return b;
        }
    }
    return zero ? calloc(1, size) : malloc(size);
}

void block_free(void *p, size_t size)
{
    size = block_size(size);
    if (p && size > 0 && size <= BLOCK_SMALL_MAX && cached_bytes + size <= BLOCK_CACHE_BYTES) {
        FreeBlock *b = p;
        int c = size_class(size);
        b->next = free_list[c];
        free_list[c] = b;
        cached_bytes += size;
        /* All but the link: LeakSanitizer does not read poisoned memory, so a
         * poisoned link would make the rest of the list look leaked. */
        mem_poison(b + 1, size - sizeof *b);
        return;
    }
    free(p);
}

void block_empty_cache(void)
{
    for (int c = 0; c < CLASSES; c++) {
        while (free_list[c]) {
            FreeBlock *b = free_list[c];
            mem_unpoison(b, (size_t)(c + 1) * CLASS_BYTES);
            free_list[c] = b->next;
            free(b);
        }
    }
    cached_bytes = 0;
}
