/* test_storage.c — the allocator: live bytes are counted, large blocks are
 * reused at the same size, the cache is not counted as live, and emptying it
 * lets a block go back to the system. */
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

    Storage *huge = storage_new((size_t)1 << 62, false);
    CHECK_ERROR(huge == NULL, "out of memory");
    return check_summary();
}
