/*
 * fuzz_idx.c — libFuzzer harness for the IDX reader (tensor/idx.c), plain
 * and gzip-compressed.
 *
 * Input: one mode byte, then the file.  Mode bit 0 clear: the bytes are the
 * file as they stand (plain IDX, or gzip data the fuzzer mutates, which
 * mostly exercises damaged streams).  Bit 0 set: the harness gzips the bytes
 * first, so the fuzzer explores IDX headers and sizes behind a valid gzip
 * stream too.  idx_read wants a path (zlib reads from a descriptor), so the
 * file lives in a memfd named by /proc/self/fd/N.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz/fuzz.h"
#include "tensor/idx.h"

/* The bytes as one gzip member, or NULL. */
static unsigned char *gzip(const uint8_t *data, size_t size, size_t *out_len)
{
    z_stream zs = {0};
    /* A small window and little memory: the inputs are small, and large
     * allocations cost a fresh mapping each under ASan. */
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 9 + 16, 1, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&zs, size) + 32;
    unsigned char *out = malloc(cap);
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)size;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = out ? deflate(&zs, Z_FINISH) : Z_MEM_ERROR;
    *out_len = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-idx", 0);
        if (fd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (size < 1)
        return 0;
    size_t len = size - 1;
    unsigned char *packed = data[0] & 1 ? gzip(data + 1, len, &len) : NULL;
    const void *file = packed ? packed : data + 1;
    if ((data[0] & 1) && !packed)
        return 0;
    if (ftruncate(fd, 0) != 0 || pwrite(fd, file, len, 0) != (ssize_t)len)
        abort();
    free(packed);
    Tensor *t = idx_read(path);
    if (t) {
        fuzz_touch(t);
        tensor_release(t);
    }
    return 0;
}
