/* test_storage.c — the allocator: live bytes are counted, large blocks are
 * reused at the same size, the cache is not counted as live, and emptying it
 * lets a block go back to the system; small blocks are reused by size class
 * and zeroed when asked; a small tensor's header shares its storage's block
 * and outlives nothing it must not (run under ASan by make asan). */
#include "tensor/tensor.h"
#include "tests/c/check.h"

int main(void)
{
    size_t before = storage_live_bytes();
    Storage *small = storage_new(1000, true);
    CHECK(small && storage_live_bytes() == before + 1000);
    CHECK(((unsigned char *)small->data)[999] == 0);
    storage_release(small);
    CHECK(storage_live_bytes() == before);

    size_t big = (size_t)5 << 20;            /* 5 MiB: a large, cached block */
    Storage *a = storage_new(big, false);
    CHECK(a != NULL);
    void *first = a->data;
    ((char *)a->data)[big - 1] = 7;
    storage_release(a);
    CHECK(storage_live_bytes() == before);   /* cached bytes belong to no tensor */
    Storage *b = storage_new(big, true);
    CHECK(b && b->data == first);            /* reused ... */
    CHECK(((char *)b->data)[big - 1] == 0);  /* ... and zeroed when asked */
    Storage *c = storage_new(big + 100, false);   /* same 2 MiB rounding: 6 MiB */
    CHECK(c && c->data != first);
    storage_release(c);
    storage_release(b);

    storage_empty_cache();
    Storage *d = storage_new((size_t)7 << 20, false);   /* a size never cached */
    CHECK(d != NULL);
    storage_release(d);
    storage_empty_cache();
    CHECK(storage_live_bytes() == before);

    /* Small blocks: a freed block is the next one of its 64-byte class. */
    unsigned char *p = block_alloc(100, false);
    CHECK(p != NULL && block_size(100) == 128);
    p[127] = 9;
    block_free(p, 100);
    unsigned char *q = block_alloc(120, true);   /* same class: the same block, zeroed */
    CHECK(q == p && q[127] == 0);
    unsigned char *r = block_alloc(200, false);  /* another class */
    CHECK(r != NULL && r != q);
    block_free(q, 120);
    block_free(r, 200);
    CHECK(block_size(BLOCK_SMALL_MAX + 1) == BLOCK_SMALL_MAX + 1);   /* malloc's, as asked */
    void *big_block = block_alloc(BLOCK_SMALL_MAX + 1, true);
    CHECK(big_block != NULL);
    block_free(big_block, BLOCK_SMALL_MAX + 1);
    block_empty_cache();

    /* A small tensor is one block; a view keeps it alive (through its base)
     * after the tensor's own reference goes, and frees it with itself. */
    int64_t shape[1] = {10};
    Tensor *t = tensor_zeros(1, shape, DTYPE_FLOAT32);
    CHECK(t && (void *)t == t->storage->block);
    CHECK(storage_live_bytes() == before + 40);
    Tensor *v = tensor_narrow(t, 0, 2, 3);
    CHECK(v && (void *)v != v->storage->block);
    tensor_release(t);
    ((float *)tensor_data(v))[0] = 1;          /* the buffer is still there */
    CHECK(storage_live_bytes() == before + 40);
    tensor_release(v);
    CHECK(storage_live_bytes() == before);
    int64_t large_shape[1] = {1 << 20};         /* 4 MiB: header and storage apart */
    Tensor *large = tensor_empty(1, large_shape, DTYPE_FLOAT32);
    CHECK(large && (void *)large != large->storage->block);
    tensor_release(large);
    storage_empty_cache();

    Storage *huge = storage_new((size_t)1 << 62, false);
    CHECK_ERROR(huge == NULL, "out of memory");
    return check_summary();
}
