/*
 * safetensors.c — the safetensors reader and writer (see safetensors.h).
 *
 * Reading checks everything before it allocates: the header length against
 * the file size, the JSON (json.c), each entry's fields, and the offsets
 * against the data section, with overflow-checked arithmetic.  Only then are
 * the tensors allocated, so their total size is bounded by the file's, and
 * their bytes read straight into tensor memory in offset order (half floats
 * and small integers through a buffer, widened).  BOOL bytes
 * other than 0 are read as 1: luagrad's kernels load bools as C bools, for
 * which any other byte would be undefined.
 */
#include "tensor/safetensors.h"

#include "tensor/file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How the bytes of a file dtype become luagrad's: as they are, or widened. */
typedef enum { CONV_RAW, CONV_F16, CONV_BF16, CONV_SIGNED, CONV_UNSIGNED } Conversion;

/* The format's dtypes in the reference implementation's order, which its
 * writer sorts by (descending).  luagrad holds five of them as they are and
 * widens half floats to float32 and the smaller integers to int64 on
 * reading; -1 marks those it cannot hold (8-bit floats, U64). */
static const struct {
    const char *name;
    int size;
    int dtype;
    Conversion conv;
} st_dtypes[] = {
    {"BOOL", 1, DTYPE_BOOL, CONV_RAW},       {"U8", 1, DTYPE_UINT8, CONV_RAW},
    {"I8", 1, DTYPE_INT64, CONV_SIGNED},     {"F8_E5M2", 1, -1, CONV_RAW},
    {"F8_E4M3", 1, -1, CONV_RAW},            {"I16", 2, DTYPE_INT64, CONV_SIGNED},
    {"U16", 2, DTYPE_INT64, CONV_UNSIGNED},  {"F16", 2, DTYPE_FLOAT32, CONV_F16},
    {"BF16", 2, DTYPE_FLOAT32, CONV_BF16},   {"I32", 4, DTYPE_INT64, CONV_SIGNED},
    {"U32", 4, DTYPE_INT64, CONV_UNSIGNED},  {"F32", 4, DTYPE_FLOAT32, CONV_RAW},
    {"F64", 8, DTYPE_FLOAT64, CONV_RAW},     {"I64", 8, DTYPE_INT64, CONV_RAW},
    {"U64", 8, -1, CONV_RAW},
};
#define ST_NDTYPES (int)(sizeof st_dtypes / sizeof st_dtypes[0])

/* The file dtype luagrad writes for dt. */
static int st_rank(DType dt)
{
    for (int i = 0; i < ST_NDTYPES; i++)
        if (st_dtypes[i].dtype == (int)dt && st_dtypes[i].conv == CONV_RAW)
            return i;
    return -1;
}

void safetensors_free(Safetensors *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->count; i++) {
        free(st->entries[i].name.s);
        tensor_release(st->entries[i].tensor);
    }
    for (size_t i = 0; i < st->nmeta; i++) {
        free(st->meta_keys[i].s);
        free(st->meta_values[i].s);
    }
    free(st->entries);
    free(st->meta_keys);
    free(st->meta_values);
    memset(st, 0, sizeof *st);
}

/* ---- the header ------------------------------------------------------------------- */

static int copy_string(JsonString *dst, const JsonString *src)
{
    dst->s = malloc(src->len + 1);
    if (!dst->s) {
        tensor_fail("out of memory");
        return -1;
    }
    memcpy(dst->s, src->s, src->len + 1);
    dst->len = src->len;
    return 0;
}

static int parse_metadata(const char *path, const JsonValue *m, Safetensors *out)
{
    if (m->type == JSON_NULL)
        return 0;
    if (m->type != JSON_OBJECT) {
        tensor_fail("load: %s: __metadata__ must be an object of strings", path);
        return -1;
    }
    out->meta_keys = calloc(m->count + 1, sizeof *out->meta_keys);
    out->meta_values = calloc(m->count + 1, sizeof *out->meta_values);
    if (!out->meta_keys || !out->meta_values) {
        tensor_fail("out of memory");
        return -1;
    }
    for (size_t i = 0; i < m->count; i++) {
        if (m->items[i].type != JSON_STRING) {
            tensor_fail("load: %s: __metadata__ value of \"%.100s\" is not a string", path, m->keys[i].s);
            return -1;
        }
        if (copy_string(&out->meta_keys[i], &m->keys[i]) != 0)
            return -1;
        out->nmeta = i + 1;
        if (copy_string(&out->meta_values[i], &m->items[i].string) != 0)
            return -1;
    }
    return 0;
}

/* A JSON array of n non-negative integers (n < 0: any count up to `max`). */
static int int_list(const JsonValue *v, int64_t *out, int n, int max, int *count)
{
    if (!v || v->type != JSON_ARRAY || (n >= 0 && v->count != (size_t)n) || v->count > (size_t)max)
        return -1;
    for (size_t i = 0; i < v->count; i++) {
        if (v->items[i].type != JSON_INTEGER || v->items[i].integer < 0)
            return -1;
        out[i] = v->items[i].integer;
    }
    *count = (int)v->count;
    return 0;
}

static int parse_entry(const char *path, const JsonString *name, const JsonValue *info,
                       SafetensorsEntry *e)
{
    const char *n = name->s;
    if (info->type != JSON_OBJECT) {
        tensor_fail("load: %s: the entry of tensor '%.100s' is not an object", path, n);
        return -1;
    }
    for (size_t i = 0; i < info->count; i++) {
        const char *k = info->keys[i].s;
        if (strcmp(k, "dtype") != 0 && strcmp(k, "shape") != 0 && strcmp(k, "data_offsets") != 0) {
            tensor_fail("load: %s: tensor '%.100s' has an unknown field \"%.100s\"", path, n, k);
            return -1;
        }
    }
    const JsonValue *dtype = json_get(info, "dtype");
    if (!dtype || dtype->type != JSON_STRING) {
        tensor_fail("load: %s: tensor '%.100s' has no dtype string", path, n);
        return -1;
    }
    int d = -1;
    for (int i = 0; i < ST_NDTYPES && d < 0; i++)
        if (strcmp(dtype->string.s, st_dtypes[i].name) == 0 && dtype->string.len == strlen(st_dtypes[i].name))
            d = i;
    if (d < 0) {
        tensor_fail("load: %s: tensor '%.100s' has an unknown dtype '%.40s'", path, n, dtype->string.s);
        return -1;
    }
    if (st_dtypes[d].dtype < 0) {
        tensor_fail("load: %s: tensor '%.100s' has dtype %s, which luagrad cannot hold (it reads F32, F64, "
                    "I64, U8, BOOL, F16 and BF16 as float32, I8 to U32 as int64)", path, n, dtype->string.s);
        return -1;
    }
    e->file_dtype = d;
    e->dtype = (DType)st_dtypes[d].dtype;
    if (int_list(json_get(info, "shape"), e->shape, -1, TENSOR_MAX_DIMS, &e->ndim) != 0) {
        tensor_fail("load: %s: tensor '%.100s' needs a shape: a list of at most %d sizes >= 0",
                    path, n, TENSOR_MAX_DIMS);
        return -1;
    }
    int64_t offsets[2];
    int two;
    if (int_list(json_get(info, "data_offsets"), offsets, 2, 2, &two) != 0) {
        tensor_fail("load: %s: tensor '%.100s' needs data_offsets: two integers [begin, end] >= 0",
                    path, n);
        return -1;
    }
    e->begin = (uint64_t)offsets[0];
    e->end = (uint64_t)offsets[1];
    return copy_string(&e->name, name);
}

static int compare_offsets(const void *a, const void *b)
{
    const SafetensorsEntry *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* The tensors must tile [0, data_len) exactly, each with its shape's bytes. */
static int check_offsets(const char *path, const Safetensors *st, uint64_t data_len)
{
    uint64_t at = 0;
    for (size_t i = 0; i < st->count; i++) {
        const SafetensorsEntry *e = &st->entries[i];
        const char *n = e->name.s;
        if (e->end < e->begin || e->end > data_len) {
            tensor_fail("load: %s: tensor '%.100s' has data_offsets [%llu, %llu] outside the %llu bytes "
                        "of data", path, n, (unsigned long long)e->begin, (unsigned long long)e->end,
                        (unsigned long long)data_len);
            return -1;
        }
        if (e->begin != at) {
            tensor_fail("load: %s: tensor '%.100s' starts at byte %llu of the data, but the previous "
                        "tensor ends at %llu (tensors must follow each other without gaps or overlaps)",
                        path, n, (unsigned long long)e->begin, (unsigned long long)at);
            return -1;
        }
        int64_t numel;
        char shape[128];
        shape_str(e->ndim, e->shape, shape, sizeof shape);
        uint64_t size = (uint64_t)st_dtypes[e->file_dtype].size;
        if (!shape_check(e->ndim, e->shape, &numel) || (uint64_t)numel > UINT64_MAX / size ||
            (uint64_t)numel * size != e->end - e->begin) {
            tensor_fail("load: %s: tensor '%.100s' of shape %s and dtype %s does not match its %llu "
                        "bytes of data", path, n, shape, st_dtypes[e->file_dtype].name,
                        (unsigned long long)(e->end - e->begin));
            return -1;
        }
        at = e->end;
    }
    if (at != data_len) {
        tensor_fail("load: %s: the data section has %llu bytes, but the tensors use only %llu", path,
                    (unsigned long long)data_len, (unsigned long long)at);
        return -1;
    }
    return 0;
}

static int parse_document(const char *path, const JsonValue *doc, uint64_t data_len, Safetensors *out)
{
    if (doc->type != JSON_OBJECT) {
        tensor_fail("load: %s: the header is not a JSON object", path);
        return -1;
    }
    out->entries = calloc(doc->count + 1, sizeof *out->entries);
    if (!out->entries) {
        tensor_fail("out of memory");
        return -1;
    }
    for (size_t i = 0; i < doc->count; i++) {
        if (strcmp(doc->keys[i].s, "__metadata__") == 0 && doc->keys[i].len == 12) {
            if (parse_metadata(path, &doc->items[i], out) != 0)
                return -1;
            continue;
        }
        SafetensorsEntry *e = &out->entries[out->count];
        if (parse_entry(path, &doc->keys[i], &doc->items[i], e) != 0)
            return -1;
        out->count++;
    }
    qsort(out->entries, out->count, sizeof *out->entries, compare_offsets);
    return check_offsets(path, out, data_len);
}

int safetensors_parse_header(const char *path, const char *json, size_t len, uint64_t data_len,
                             Safetensors *out)
{
    memset(out, 0, sizeof *out);
    JsonValue *doc = json_parse(json, len, 0);
    if (!doc) {
        tensor_fail("load: %s: bad JSON in the header: %s", path, tensor_error());
        return -1;
    }
    int rc = parse_document(path, doc, data_len, out);
    json_free(doc);
    if (rc != 0)
        safetensors_free(out);
    return rc;
}

/* ---- reading a file --------------------------------------------------------------- */

static float half_to_float(uint16_t h)
{
    int exponent = h >> 10 & 0x1F, mantissa = h & 0x3FF;
    float f = exponent == 0 ? ldexpf((float)mantissa, -24)                  /* zero, subnormal */
            : exponent == 31 ? (mantissa ? NAN : INFINITY)
            : ldexpf((float)(mantissa | 0x400), exponent - 25);
    return h >> 15 ? -f : f;
}

/* n little-endian values of a widened file dtype from raw into t. */
static void widen(const unsigned char *raw, int size, Conversion conv, Tensor *t)
{
    int64_t n = tensor_numel(t);
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = 0;
        for (int b = size - 1; b >= 0; b--)
            v = v << 8 | raw[i * size + b];
        if (conv == CONV_F16) {
            ((float *)tensor_data(t))[i] = half_to_float((uint16_t)v);
        } else if (conv == CONV_BF16) {
            uint32_t bits = (uint32_t)v << 16;   /* bfloat16 is the top half of a float32 */
            memcpy((float *)tensor_data(t) + i, &bits, 4);
        } else {
            int shift = 64 - 8 * size;
            ((int64_t *)tensor_data(t))[i] = conv == CONV_SIGNED ? (int64_t)(v << shift) >> shift : (int64_t)v;
        }
    }
}

static int read_tensors(FILE *fp, const char *path, Safetensors *st)
{
    for (size_t i = 0; i < st->count; i++) {
        SafetensorsEntry *e = &st->entries[i];
        e->tensor = tensor_empty(e->ndim, e->shape, e->dtype);
        if (!e->tensor)
            return -1;
        size_t n = (size_t)(e->end - e->begin);
        Conversion conv = st_dtypes[e->file_dtype].conv;
        unsigned char *raw = conv == CONV_RAW ? tensor_data(e->tensor) : malloc(n ? n : 1);
        if (!raw && n > 0) {
            tensor_fail("out of memory");
            return -1;
        }
        int rc = n > 0 ? file_read_exact(fp, raw, n, "load", path, "the tensor data") : 0;
        if (conv != CONV_RAW) {
            if (rc == 0)
                widen(raw, st_dtypes[e->file_dtype].size, conv, e->tensor);
            free(raw);
        }
        if (rc != 0)
            return -1;
        if (e->dtype == DTYPE_BOOL) {
            unsigned char *b = tensor_data(e->tensor);
            for (size_t k = 0; k < n; k++)
                b[k] = b[k] != 0;
        }
    }
    return 0;
}

Safetensors *safetensors_read_stream(FILE *fp, uint64_t size, const char *path)
{
    Safetensors *st = calloc(1, sizeof *st);
    unsigned char len8[8];
    char *header = NULL;
    int rc = -1;
    if (!st) {
        tensor_fail("out of memory");
    } else if (size < 8) {
        tensor_fail("load: %s: truncated: %llu bytes is too short for a safetensors file (the header "
                    "length alone takes 8)", path, (unsigned long long)size);
    } else if (file_read_exact(fp, len8, 8, "load", path, "the header length") == 0) {
        uint64_t n = 0;
        for (int i = 7; i >= 0; i--)
            n = n << 8 | len8[i];
        if (n > size - 8)
            tensor_fail("load: %s: the header length %llu goes beyond the end of the file (%llu bytes): "
                        "truncated, or not a safetensors file", path, (unsigned long long)n,
                        (unsigned long long)size);
        else if (n > SAFETENSORS_MAX_HEADER)
            tensor_fail("load: %s: the header length %llu is larger than the format allows (%d)", path,
                        (unsigned long long)n, SAFETENSORS_MAX_HEADER);
        else if (!(header = malloc(n ? n : 1)))
            tensor_fail("out of memory");
        else if (file_read_exact(fp, header, n, "load", path, "the header") == 0 &&
                 safetensors_parse_header(path, header, n, size - 8 - n, st) == 0)
            rc = read_tensors(fp, path, st);
    }
    free(header);
    if (rc != 0) {
        safetensors_free(st);
        free(st);
        return NULL;
    }
    return st;
}

static void *read_file(void *path, FILE *fp, uint64_t size)
{
    return safetensors_read_stream(fp, size, path);
}

Safetensors *safetensors_read(const char *path)
{
    return file_read_with("load", path, read_file, (void *)path);
}

/* ---- writing ---------------------------------------------------------------------- */

/* A JSON string as serde_json writes it: short escapes where JSON has them,
 * \u00xx (lowercase hex) for other control characters, everything else raw. */
static void put_json_string(FILE *out, const JsonString *s)
{
    fputc('"', out);
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->s[i];
        const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f"
                        : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        if (esc)
            fputs(esc, out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

typedef struct {
    const JsonString *name;
    Tensor *tensor;     /* contiguous */
    int rank;
} WriteItem;

static int compare_bytes(const JsonString *x, const JsonString *y)
{
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The reference writer's order: dtype descending, then name. */
static int compare_items(const void *a, const void *b)
{
    const WriteItem *x = a, *y = b;
    if (x->rank != y->rank)
        return y->rank - x->rank;
    return compare_bytes(x->name, y->name);
}

static int compare_names(const void *a, const void *b)
{
    return compare_bytes(((const WriteItem *)a)->name, ((const WriteItem *)b)->name);
}

static int compare_meta(const void *a, const void *b)
{
    return compare_bytes(*(const JsonString *const *)a, *(const JsonString *const *)b);
}

static int check_names(const char *path, WriteItem *items, size_t n, size_t nmeta,
                       const JsonString *keys, const JsonString *values)
{
    for (size_t i = 0; i < n; i++) {
        const JsonString *s = items[i].name;
        if (!json_utf8_valid(s->s, s->len)) {
            tensor_fail("save: %s: the tensor name '%.100s' is not valid UTF-8", path, s->s);
            return -1;
        }
        if (s->len == 12 && memcmp(s->s, "__metadata__", 12) == 0) {
            tensor_fail("save: %s: '__metadata__' cannot name a tensor (the format reserves it)", path);
            return -1;
        }
    }
    qsort(items, n, sizeof *items, compare_names);
    for (size_t i = 1; i < n; i++) {
        if (compare_bytes(items[i - 1].name, items[i].name) == 0) {
            tensor_fail("save: %s: two tensors are named '%.100s'", path, items[i].name->s);
            return -1;
        }
    }
    for (size_t i = 0; i < 2 * nmeta; i++) {
        const JsonString *s = i < nmeta ? &keys[i] : &values[i - nmeta];
        if (!json_utf8_valid(s->s, s->len)) {
            tensor_fail("save: %s: the metadata string '%.100s' is not valid UTF-8", path, s->s);
            return -1;
        }
    }
    return 0;
}

/* The header's JSON, padded with spaces to a multiple of 8 bytes, in a
 * malloc'd buffer (*len bytes); NULL when out of memory. */
static char *build_header(WriteItem *items, size_t n, size_t nmeta, const JsonString *keys,
                          const JsonString *values, const JsonString **order, size_t *len)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    if (!out)
        return NULL;
    fputc('{', out);
    if (nmeta > 0) {
        for (size_t i = 0; i < nmeta; i++)
            order[i] = &keys[i];
        qsort(order, nmeta, sizeof *order, compare_meta);
        fputs("\"__metadata__\":{", out);
        for (size_t i = 0; i < nmeta; i++) {
            size_t k = (size_t)(order[i] - keys);
            fputs(i ? "," : "", out);
            put_json_string(out, &keys[k]);
            fputc(':', out);
            put_json_string(out, &values[k]);
        }
        fputs(n ? "}," : "}", out);
    }
    uint64_t at = 0;
    for (size_t i = 0; i < n; i++) {
        Tensor *t = items[i].tensor;
        fputs(i ? "," : "", out);
        put_json_string(out, items[i].name);
        fprintf(out, ":{\"dtype\":\"%s\",\"shape\":[", st_dtypes[items[i].rank].name);
        for (int d = 0; d < t->ndim; d++)
            fprintf(out, "%s%lld", d ? "," : "", (long long)t->shape[d]);
        uint64_t bytes = (uint64_t)tensor_numel(t) * dtype_size(t->dtype);
        fprintf(out, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)at, (unsigned long long)(at + bytes));
        at += bytes;
    }
    fputc('}', out);
    while (ftell(out) % 8 != 0)
        fputc(' ', out);
    bool failed = ferror(out) != 0;
    if (fclose(out) != 0 || failed) {
        free(text);
        return NULL;
    }
    return text;
}

static int write_file(const char *path, const char *header, size_t header_len, const WriteItem *items, size_t n)
{
    AtomicFile f;
    if (atomic_open(&f, "save", path) != 0)
        return -1;
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((uint64_t)header_len >> (8 * i));
    atomic_write(&f, len8, 8);
    atomic_write(&f, header, header_len);
    for (size_t i = 0; i < n; i++)
        atomic_write(&f, tensor_data(items[i].tensor),
                     (size_t)tensor_numel(items[i].tensor) * dtype_size(items[i].tensor->dtype));
    return atomic_commit(&f);
}

int safetensors_write(const char *path, size_t n, const JsonString *names, Tensor *const *tensors,
                      size_t nmeta, const JsonString *meta_keys, const JsonString *meta_values)
{
    WriteItem *items = calloc(n + 1, sizeof *items);
    const JsonString **order = calloc(nmeta + 1, sizeof *order);
    char *header = NULL;
    size_t header_len = 0;
    int rc = -1;
    size_t made = 0;
    if (!items || !order) {
        tensor_fail("out of memory");
        goto done;
    }
    for (; made < n; made++) {
        items[made].name = &names[made];
        items[made].rank = st_rank(tensors[made]->dtype);
        items[made].tensor = tensor_contiguous(tensors[made]);
        if (!items[made].tensor)
            goto done;
    }
    if (check_names(path, items, n, nmeta, meta_keys, meta_values) != 0)
        goto done;
    qsort(items, n, sizeof *items, compare_items);
    header = build_header(items, n, nmeta, meta_keys, meta_values, order, &header_len);
    if (!header)
        tensor_fail("save: %s: out of memory", path);
    else
        rc = write_file(path, header, header_len, items, n);
done:
    for (size_t i = 0; i < made; i++)
        tensor_release(items[i].tensor);
    free(items);
    free(order);
    free(header);
    return rc;
}
