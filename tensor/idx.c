/*
 * idx.c — the IDX reader (see idx.h).
 *
 * zlib's gz* functions read compressed and plain files alike, so one path
 * serves both.  The data size is known from the header, so the whole body is
 * inflated straight into the tensor in one gzread per GiB: decoding the
 * 47 MB Fashion-MNIST training images costs about as much as inflate itself.
 * The file must hold exactly the bytes its header announces: a truncated
 * file and one with bytes left over are both errors, as is a damaged gzip
 * stream (its CRC is checked at the end).
 */
#include "tensor/idx.h"

#include "tensor/file.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static const struct {
    unsigned char code;
    int size;
    DType dtype;
    const char *name;
} idx_types[] = {
    {0x08, 1, DTYPE_UINT8, "uint8"}, {0x09, 1, DTYPE_INT64, "int8"},
    {0x0B, 2, DTYPE_INT64, "int16"}, {0x0C, 4, DTYPE_INT64, "int32"},
    {0x0D, 4, DTYPE_FLOAT32, "float32"}, {0x0E, 8, DTYPE_FLOAT64, "float64"},
};

/* Reads n bytes; -1 with a message telling truncation from damage. */
static int gz_read_exact(gzFile gz, void *buf, size_t n, const char *path, const char *what)
{
    size_t got = 0;
    while (got < n) {
        size_t chunk = n - got < (size_t)1 << 30 ? n - got : (size_t)1 << 30;
        int r = gzread(gz, (char *)buf + got, (unsigned)chunk);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got == n)
        return 0;
    int err;
    const char *msg = gzerror(gz, &err);
    if (err != Z_OK && err != Z_BUF_ERROR)
        tensor_fail("read_idx: %s: damaged gzip data: %s", path, msg);
    else
        tensor_fail("read_idx: %s: truncated: %s needs %zu bytes, only %zu are there", path, what, n, got);
    return -1;
}

static uint64_t load_be(const unsigned char *p, int size)
{
    uint64_t v = 0;
    for (int i = 0; i < size; i++)
        v = v << 8 | p[i];
    return v;
}

/* Big-endian values of `size` bytes into t's dtype. */
static void convert(const unsigned char *raw, int size, Tensor *t)
{
    int64_t n = tensor_numel(t);
    void *out = tensor_data(t);
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = load_be(raw + i * size, size);
        if (t->dtype == DTYPE_FLOAT32) {
            uint32_t u = (uint32_t)v;
            memcpy((float *)out + i, &u, 4);
        } else if (t->dtype == DTYPE_FLOAT64) {
            memcpy((double *)out + i, &v, 8);
        } else {   /* sign-extend the int8/16/32 value */
            int shift = 64 - 8 * size;
            ((int64_t *)out)[i] = (int64_t)(v << shift) >> shift;
        }
    }
}

/* The most data bytes a file of `size` bytes can hold after a header of
 * `head` bytes: the rest of a plain file; for gzip, deflate's largest
 * expansion (1032:1, zlib's technical notes).  A header is checked against it
 * before anything is allocated, so a few bytes cannot claim gigabytes. */
static uint64_t data_capacity(gzFile gz, uint64_t size, uint64_t head)
{
    if (gzdirect(gz))
        return size > head ? size - head : 0;
    return size > UINT64_MAX / 1032 ? UINT64_MAX : size * 1032;
}

static Tensor *read_body(gzFile gz, const char *path, uint64_t file_size)
{
    unsigned char head[4], dims[4 * TENSOR_MAX_DIMS];
    if (gz_read_exact(gz, head, 4, path, "the magic number") != 0)
        return NULL;
    int type = -1;
    for (int i = 0; i < (int)(sizeof idx_types / sizeof idx_types[0]); i++)
        if (idx_types[i].code == head[2])
            type = i;
    if (head[0] != 0 || head[1] != 0 || type < 0)
        return tensor_fail("read_idx: %s: not an IDX file: it starts with bytes %02x %02x %02x %02x "
                           "(IDX starts with 00 00, a type code 08-0e and the number of dims)", path,
                           head[0], head[1], head[2], head[3]);
    int ndim = head[3];
    if (ndim < 1 || ndim > TENSOR_MAX_DIMS)
        return tensor_fail("read_idx: %s: %d dims (luagrad reads 1 to %d)", path, ndim, TENSOR_MAX_DIMS);
    if (gz_read_exact(gz, dims, 4 * (size_t)ndim, path, "the list of dims") != 0)
        return NULL;
    int64_t shape[TENSOR_MAX_DIMS], numel;
    for (int d = 0; d < ndim; d++)
        shape[d] = (int64_t)load_be(dims + 4 * d, 4);
    int size = idx_types[type].size;
    if (!shape_check(ndim, shape, &numel) || numel > INT64_MAX / 8)
        return tensor_fail("read_idx: %s: the dims describe more data than any file holds", path);
    size_t bytes = (size_t)numel * (size_t)size;
    char what[96], shape_text[64];
    snprintf(what, sizeof what, "%s data of shape %s", idx_types[type].name,
             shape_str(ndim, shape, shape_text, sizeof shape_text));
    uint64_t capacity = data_capacity(gz, file_size, 4 + 4 * (uint64_t)ndim);
    if (bytes > capacity && gzdirect(gz))
        return tensor_fail("read_idx: %s: truncated: %s needs %zu bytes, only %llu are there", path, what,
                           bytes, (unsigned long long)capacity);
    if (bytes > capacity)
        return tensor_fail("read_idx: %s: truncated: %s needs %zu bytes, more than a %llu-byte gzip file "
                           "can hold", path, what, bytes, (unsigned long long)file_size);
    Tensor *t = tensor_empty(ndim, shape, idx_types[type].dtype);
    if (!t)
        return NULL;
    /* uint8 data is read in place; the others through a buffer of raw bytes. */
    bool direct = t->dtype == DTYPE_UINT8;
    unsigned char *raw = direct ? tensor_data(t) : malloc(bytes ? bytes : 1);
    int rc = bytes == 0 ? 0 : raw ? gz_read_exact(gz, raw, bytes, path, what) : (tensor_fail("out of memory"), -1);
    if (!direct) {
        if (rc == 0)
            convert(raw, size, t);
        free(raw);
    }
    unsigned char extra[256];
    int more = rc == 0 ? gzread(gz, extra, sizeof extra) : 0;
    if (rc == 0 && more != 0) {
        int err;
        const char *msg = gzerror(gz, &err);
        if (more < 0)
            tensor_fail("read_idx: %s: damaged gzip data: %s", path, msg);
        else
            tensor_fail("read_idx: %s: bytes left over after the %s", path, what);
        rc = -1;
    }
    if (rc != 0) {
        tensor_release(t);
        return NULL;
    }
    return t;
}

Tensor *idx_read(const char *path)
{
    uint64_t size;
    FILE *fp = file_open_read("read_idx", path, &size);
    if (!fp)
        return NULL;
    int fd = dup(fileno(fp));
    fclose(fp);
    gzFile gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
    if (!gz) {
        if (fd >= 0)
            close(fd);
        return tensor_fail("read_idx: %s: cannot open: out of memory or descriptors", path);
    }
    /* A large buffer for a large file, no larger than the file for a small
     * one (whose reads then cost no 768 KiB of buffers). */
    gzbuffer(gz, size < (1 << 18) ? (unsigned)size + 1 : 1 << 18);
    Tensor *t = read_body(gz, path, size);
    gzclose(gz);
    return t;
}
