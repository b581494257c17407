/*
 * npy.c — the .npy reader and writer (see npy.h).
 *
 * The header is a Python literal, which NumPy reads with ast.literal_eval;
 * here a small parser accepts exactly the dicts np.save writes (any key
 * order, either quote style, optional trailing commas, spaces) and nothing
 * else: each of the three keys once, a dtype string, True/False, a tuple of
 * sizes.  A Fortran-order array is read as its transpose and reordered.
 */
#include "tensor/npy.h"

#include "tensor/file.h"

#include <stdlib.h>
#include <string.h>

static const char NPY_MAGIC[6] = "\x93NUMPY";

static const struct {
    const char *descr;
    DType dtype;
} npy_dtypes[] = {
    {"<f4", DTYPE_FLOAT32}, {"<f8", DTYPE_FLOAT64}, {"<i8", DTYPE_INT64},
    {"|u1", DTYPE_UINT8}, {"|b1", DTYPE_BOOL},
};
#define NPY_NDTYPES (int)(sizeof npy_dtypes / sizeof npy_dtypes[0])

typedef struct {
    const char *p, *end;
    const char *path;
} HeaderParser;

typedef struct {
    int dtype;             /* -1 until read */
    int fortran;           /* -1 until read */
    int ndim;              /* -1 until read */
    int64_t shape[TENSOR_MAX_DIMS];
} NpyHeader;

static int header_fail(const HeaderParser *hp, const char *what)
{
    tensor_fail("load: %s: bad .npy header: %s", hp->path, what);
    return -1;
}

static void hp_space(HeaderParser *hp)
{
    while (hp->p < hp->end && (*hp->p == ' ' || *hp->p == '\t' || *hp->p == '\n' || *hp->p == '\r'))
        hp->p++;
}

static bool hp_take(HeaderParser *hp, char c)
{
    hp_space(hp);
    if (hp->p < hp->end && *hp->p == c) {
        hp->p++;
        return true;
    }
    return false;
}

/* A quoted string ('...' or "...", no escapes) into buf. */
static int hp_string(HeaderParser *hp, char *buf, size_t size)
{
    hp_space(hp);
    if (hp->p >= hp->end || (*hp->p != '\'' && *hp->p != '"'))
        return header_fail(hp, "expected a quoted string");
    char quote = *hp->p++;
    size_t n = 0;
    while (hp->p < hp->end && *hp->p != quote) {
        if (n + 1 >= size || *hp->p == '\\')
            return header_fail(hp, "a key or dtype string that is too long or has escapes");
        buf[n++] = *hp->p++;
    }
    if (hp->p >= hp->end)
        return header_fail(hp, "a string without its closing quote");
    hp->p++;
    buf[n] = '\0';
    return 0;
}

static int hp_descr(HeaderParser *hp, NpyHeader *h)
{
    char descr[32];
    hp_space(hp);
    if (hp->p < hp->end && *hp->p == '[')
        return header_fail(hp, "structured dtypes (a list as 'descr') are not supported");
    if (hp_string(hp, descr, sizeof descr) != 0)
        return -1;
    for (int i = 0; i < NPY_NDTYPES && descr[0]; i++) {
        const char *d = npy_dtypes[i].descr;
        /* '=' is native order (little-endian here); one-byte types have no
         * byte order: NumPy writes '|', but any marker means the same. */
        bool order_ok = descr[0] == d[0] || descr[0] == '=' || (d[0] == '|' && strchr("<>", descr[0]));
        if (order_ok && strcmp(descr + 1, d + 1) == 0) {
            h->dtype = (int)npy_dtypes[i].dtype;
            return 0;
        }
    }
    if (descr[0] == '>')
        tensor_fail("load: %s: dtype '%s' is big-endian; luagrad reads little-endian data "
                    "(in NumPy: a.astype(a.dtype.newbyteorder('<')))", hp->path, descr);
    else
        tensor_fail("load: %s: dtype '%s' is not supported (luagrad reads <f4, <f8, <i8, |u1 and |b1)",
                    hp->path, descr);
    return -1;
}

static int hp_shape(HeaderParser *hp, NpyHeader *h)
{
    if (!hp_take(hp, '('))
        return header_fail(hp, "expected a tuple as 'shape'");
    h->ndim = 0;
    for (;;) {
        if (hp_take(hp, ')'))
            return 0;
        if (h->ndim == TENSOR_MAX_DIMS)
            return header_fail(hp, "more than 16 dims");
        hp_space(hp);
        int64_t v = 0;
        const char *start = hp->p;
        while (hp->p < hp->end && *hp->p >= '0' && *hp->p <= '9') {
            if (v > (INT64_MAX - 9) / 10)
                return header_fail(hp, "a size too large");
            v = v * 10 + (*hp->p++ - '0');
        }
        if (hp->p == start)
            return header_fail(hp, "expected a size >= 0 in 'shape'");
        if (hp->p < hp->end && *hp->p == 'L')   /* Python 2 long, in old files */
            hp->p++;
        h->shape[h->ndim++] = v;
        if (!hp_take(hp, ',')) {
            if (hp_take(hp, ')'))
                return 0;
            return header_fail(hp, "expected ',' or ')' in 'shape'");
        }
    }
}

static int hp_bool(HeaderParser *hp, int *out)
{
    hp_space(hp);
    size_t left = (size_t)(hp->end - hp->p);
    if (left >= 4 && memcmp(hp->p, "True", 4) == 0) {
        hp->p += 4;
        *out = 1;
    } else if (left >= 5 && memcmp(hp->p, "False", 5) == 0) {
        hp->p += 5;
        *out = 0;
    } else {
        return header_fail(hp, "expected True or False as 'fortran_order'");
    }
    return 0;
}

static int parse_header(const char *path, const char *text, size_t len, NpyHeader *h)
{
    HeaderParser hp = {text, text + len, path};
    h->dtype = h->fortran = h->ndim = -1;
    if (!hp_take(&hp, '{'))
        return header_fail(&hp, "expected a dict");
    while (!hp_take(&hp, '}')) {
        char key[32];
        if (hp_string(&hp, key, sizeof key) != 0)
            return -1;
        if (!hp_take(&hp, ':'))
            return header_fail(&hp, "expected ':' after a key");
        int rc, *seen = strcmp(key, "descr") == 0 ? &h->dtype : strcmp(key, "shape") == 0 ? &h->ndim
                      : strcmp(key, "fortran_order") == 0 ? &h->fortran : NULL;
        if (!seen || *seen != -1)
            return header_fail(&hp, seen ? "a key given twice" : "an unknown key (expected descr, "
                               "fortran_order and shape)");
        rc = seen == &h->dtype ? hp_descr(&hp, h) : seen == &h->ndim ? hp_shape(&hp, h) : hp_bool(&hp, seen);
        if (rc != 0)
            return -1;
        if (!hp_take(&hp, ',')) {
            if (hp_take(&hp, '}'))
                break;
            return header_fail(&hp, "expected ',' or '}' in the dict");
        }
    }
    hp_space(&hp);
    if (hp.p != hp.end)
        return header_fail(&hp, "text after the dict");
    if (h->dtype < 0 || h->fortran < 0 || h->ndim < 0)
        return header_fail(&hp, "the dict must have the keys descr, fortran_order and shape");
    return 0;
}

/* The header's text after magic, version and length; *data_at where the data starts. */
static char *read_header(FILE *fp, const char *path, uint64_t size, size_t *len, uint64_t *data_at)
{
    unsigned char pre[12];
    if (size < 10) {
        tensor_fail("load: %s: truncated: %llu bytes is too short for a .npy file", path,
                    (unsigned long long)size);
        return NULL;
    }
    if (file_read_exact(fp, pre, 8, "load", path, "the magic string") != 0)
        return NULL;
    if (memcmp(pre, NPY_MAGIC, 6) != 0)
        return tensor_fail("load: %s: not a .npy file (it does not start with \\x93NUMPY)", path);
    int major = pre[6], width = major == 1 ? 2 : 4;
    if (major < 1 || major > 3 || pre[7] != 0)
        return tensor_fail("load: %s: .npy format version %d.%d is not supported (1.0, 2.0, 3.0 are)",
                           path, pre[6], pre[7]);
    if (file_read_exact(fp, pre + 8, (size_t)width, "load", path, "the header length") != 0)
        return NULL;
    uint64_t n = 0;
    for (int i = width - 1; i >= 0; i--)
        n = n << 8 | pre[8 + i];
    *data_at = 8 + (uint64_t)width + n;
    if (*data_at > size)
        return tensor_fail("load: %s: truncated: the header length %llu goes beyond the end of the "
                           "file (%llu bytes)", path, (unsigned long long)n, (unsigned long long)size);
    char *text = malloc(n + 1);
    if (!text)
        return tensor_fail("out of memory");
    if (file_read_exact(fp, text, n, "load", path, "the header") != 0) {
        free(text);
        return NULL;
    }
    *len = n;
    return text;
}

/* The array as read (transposed when Fortran order) made C order. */
static Tensor *from_fortran(Tensor *t)
{
    int dims[TENSOR_MAX_DIMS];
    for (int d = 0; d < t->ndim; d++)
        dims[d] = t->ndim - 1 - d;
    Tensor *p = tensor_permute(t, dims);
    tensor_release(t);
    if (!p)
        return NULL;
    Tensor *c = tensor_clone(p);
    tensor_release(p);
    return c;
}

static Tensor *read_data(FILE *fp, const char *path, const NpyHeader *h, uint64_t left)
{
    int64_t shape[TENSOR_MAX_DIMS], numel;
    for (int d = 0; d < h->ndim; d++)
        shape[d] = h->shape[h->fortran ? h->ndim - 1 - d : d];
    DType dt = (DType)h->dtype;
    char desc[128];
    shape_str(h->ndim, h->shape, desc, sizeof desc);
    if (!shape_check(h->ndim, shape, &numel) || (uint64_t)numel > UINT64_MAX / dtype_size(dt))
        return tensor_fail("load: %s: shape %s is too large", path, desc);
    uint64_t need = (uint64_t)numel * dtype_size(dt);
    if (need != left)
        return tensor_fail("load: %s: %s: shape %s of %s needs %llu bytes of data, the file has %llu "
                           "after the header", path, need > left ? "truncated" : "data left over", desc,
                           dtype_name(dt), (unsigned long long)need, (unsigned long long)left);
    Tensor *t = tensor_empty(h->ndim, shape, dt);
    if (!t)
        return NULL;
    if (left > 0 && file_read_exact(fp, tensor_data(t), (size_t)left, "load", path, "the data") != 0) {
        tensor_release(t);
        return NULL;
    }
    if (dt == DTYPE_BOOL) {
        unsigned char *b = tensor_data(t);
        for (uint64_t k = 0; k < left; k++)
            b[k] = b[k] != 0;
    }
    return h->fortran && h->ndim > 1 ? from_fortran(t) : t;
}

Tensor *npy_read_stream(FILE *fp, uint64_t size, const char *path)
{
    uint64_t data_at = 0;
    size_t len = 0;
    char *text = read_header(fp, path, size, &len, &data_at);
    NpyHeader h;
    Tensor *t = NULL;
    if (text && parse_header(path, text, len, &h) == 0)
        t = read_data(fp, path, &h, size - data_at);
    free(text);
    return t;
}

static void *read_file(void *path, FILE *fp, uint64_t size)
{
    return npy_read_stream(fp, size, path);
}

Tensor *npy_read(const char *path)
{
    return file_read_with("load", path, read_file, (void *)path);
}

/* ---- writing ---------------------------------------------------------------------- */

static const char *npy_descr(DType dt)
{
    for (int i = 0; i < NPY_NDTYPES; i++)
        if (npy_dtypes[i].dtype == dt)
            return npy_dtypes[i].descr;
    return NULL;
}

/* np.save's header: the dict, spare spaces so the first size could grow to
 * 21 digits in place, padding to a multiple of 64 bytes, '\n'. */
static size_t format_header(const Tensor *t, char *out, size_t size)
{
    char shape[TENSOR_MAX_DIMS * 24 + 8] = "(";
    for (int d = 0; d < t->ndim; d++) {
        char num[24];
        snprintf(num, sizeof num, "%lld%s", (long long)t->shape[d], t->ndim == 1 ? "," : d + 1 < t->ndim ? ", " : "");
        strcat(shape, num);
    }
    strcat(shape, ")");
    int n = snprintf(out, size, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                     npy_descr(t->dtype), shape);
    if (t->ndim > 0) {
        int digits = snprintf(NULL, 0, "%lld", (long long)t->shape[0]);
        for (int k = digits; k < 21; k++)
            out[n++] = ' ';
    }
    size_t hlen = (size_t)n + 1, pad = 64 - (10 + hlen) % 64;
    memset(out + n, ' ', pad);
    out[n + pad] = '\n';
    return hlen + pad;
}

int npy_write(const char *path, const Tensor *t)
{
    char header[1024];
    size_t n = format_header(t, header, sizeof header);
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)n, (unsigned char)(n >> 8)};
    Tensor *c = tensor_contiguous((Tensor *)t);
    if (!c)
        return -1;
    AtomicFile f;
    int rc = atomic_open(&f, "save", path);
    if (rc == 0) {
        atomic_write(&f, pre, sizeof pre);
        atomic_write(&f, header, n);
        atomic_write(&f, tensor_data(c), (size_t)tensor_numel(c) * dtype_size(c->dtype));
        rc = atomic_commit(&f);
    }
    tensor_release(c);
    return rc;
}
