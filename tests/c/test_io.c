/*
 * test_io.c — the file-format core without Lua: the JSON reader on valid
 * documents, on every truncation and on every single-byte corruption (run
 * under AddressSanitizer by `make asan`, this is what shows that no input
 * reads out of bounds); the safetensors header checks on the same diet; the
 * atomic writer; npy and IDX round trips; and index_select's row-copy fast
 * path against the strided loop it bypasses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tensor/file.h"
#include "tensor/idx.h"
#include "tensor/json.h"
#include "tensor/npy.h"
#include "tensor/safetensors.h"
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

static JsonValue *parse(const char *text)
{
    return json_parse(text, strlen(text), 0);
}

static void test_json_values(void)
{
    JsonValue *v = parse(" {\"a\": [1, -2.5e3, \"x\\u00e9\\ud83d\\ude00\\n\", true, false, null],"
                         " \"b\": {}, \"c\": 9223372036854775807, \"d\": 9223372036854775808} ");
    CHECK(v && v->type == JSON_OBJECT && v->count == 4);
    const JsonValue *a = json_get(v, "a");
    CHECK(a && a->type == JSON_ARRAY && a->count == 6);
    CHECK(a->items[0].type == JSON_INTEGER && a->items[0].integer == 1);
    CHECK(a->items[1].type == JSON_NUMBER && a->items[1].number == -2500.0);
    CHECK(a->items[2].type == JSON_STRING && a->items[2].string.len == 8 &&
          memcmp(a->items[2].string.s, "x\xc3\xa9\xf0\x9f\x98\x80\n", 8) == 0);
    CHECK(a->items[3].type == JSON_TRUE && a->items[4].type == JSON_FALSE && a->items[5].type == JSON_NULL);
    CHECK(json_get(v, "b")->type == JSON_OBJECT && json_get(v, "b")->count == 0);
    CHECK(json_get(v, "c")->type == JSON_INTEGER && json_get(v, "c")->integer == INT64_MAX);
    CHECK(json_get(v, "d")->type == JSON_NUMBER);
    CHECK(json_get(v, "zz") == NULL);
    json_free(v);

    /* \u0000 decodes to a NUL inside the string; the length tells. */
    v = parse("\"a\\u0000b\"");
    CHECK(v && v->string.len == 3 && v->string.s[1] == '\0');
    json_free(v);
    v = json_parse("[NaN, -Infinity]", 16, JSON_ALLOW_NONFINITE);
    CHECK(v && v->items[0].number != v->items[0].number && v->items[1].number < -1e308);
    json_free(v);
}

static void test_json_errors(void)
{
    static const struct {
        const char *text, *needle;
    } cases[] = {
        {"", "byte 0: unexpected end"}, {"{", "unexpected end"}, {"[1,]", "expected a value"},
        {"{\"a\":1,}", "expected a string key"}, {"{\"a\" 1}", "expected ':'"}, {"[1 2]", "expected ',' or ']'"},
        {"01", "leading zero"}, {"1.", "after the decimal point"}, {"1e", "in the exponent"}, {"-", "expected a digit"},
        {"NaN", "expected a value"}, {"nul", "expected a value"}, {"\"\\q\"", "bad escape"},
        {"\"\\u12G4\"", "bad hex digit"}, {"\"\\ud800\"", "high surrogate"}, {"\"\\ud800\\u0041\"", "high surrogate"},
        {"\"\\udc00\"", "low surrogate"}, {"\"\x01\"", "control character"}, {"\"\xff\"", "not valid UTF-8"},
        {"\"\xed\xa0\x80\"", "not valid UTF-8"}, {"\"\xf4\x90\x80\x80\"", "not valid UTF-8"},
        {"\"\xe2\x82\"", "not valid UTF-8"}, {"{\"k\":1,\"k\":2}", "the key \"k\" twice"}, {"1 2", "unexpected text"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_ERROR(parse(cases[i].text) == NULL, cases[i].needle);
    char deep[200];
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    deep[128] = '\0';
    JsonValue *v = parse(deep);
    CHECK(v != NULL);
    json_free(v);
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    deep[130] = '\0';
    CHECK_ERROR(parse(deep) == NULL, "deeper than 64");
}

/* Every strict prefix of a complete document fails; every single-byte change
 * parses or fails, never reading outside the buffer (each attempt gets its
 * own exactly-sized copy, so ASan sees any overrun). */
static void test_json_truncations_and_corruptions(void)
{
    const char *doc = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],"
                      "\"data_offsets\":[0,24]},\"s\":\"\\u00e9\\ud83d\\ude00\\\"\",\"n\":[-1.5e-3,true,null]}";
    size_t n = strlen(doc);
    int prefix_failures = 0, survived = 0;
    for (size_t len = 0; len < n; len++) {
        char *copy = malloc(len ? len : 1);
        memcpy(copy, doc, len);
        JsonValue *v = json_parse(copy, len, 0);
        prefix_failures += v == NULL;
        json_free(v);
        free(copy);
    }
    CHECK(prefix_failures == (int)n);
    static const unsigned char bytes[] = {0, '"', '\\', '{', '}', '[', ']', ',', ':', '0', 'u', 0x80, 0xc3, 0xff};
    for (size_t i = 0; i < n; i++) {
        for (size_t b = 0; b < sizeof bytes; b++) {
            char *copy = malloc(n);
            memcpy(copy, doc, n);
            copy[i] = (char)bytes[b];
            JsonValue *v = json_parse(copy, n, JSON_ALLOW_NONFINITE);
            survived += v != NULL;
            json_free(v);
            free(copy);
        }
    }
    CHECK(survived > 0);
}

static void test_safetensors_header(void)
{
    const char *good = "{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"U8\",\"shape\":[2],"
                       "\"data_offsets\":[24,26]},\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";
    Safetensors st;
    CHECK(safetensors_parse_header("mem", good, strlen(good), 26, &st) == 0);
    CHECK(st.count == 2 && strcmp(st.entries[0].name.s, "w") == 0 && st.entries[1].dtype == DTYPE_UINT8);
    CHECK(st.nmeta == 1 && strcmp(st.meta_values[0].s, "pt") == 0);
    safetensors_free(&st);
    CHECK_ERROR(safetensors_parse_header("mem", good, strlen(good), 27, &st) != 0, "use only 26");
    CHECK_ERROR(safetensors_parse_header("mem", good, strlen(good), 25, &st) != 0, "outside the 25 bytes");
    size_t n = strlen(good);
    int accepted = 0;
    for (size_t i = 0; i < n; i++) {
        for (int b = 0; b < 256; b += 3) {
            char *copy = malloc(n);
            memcpy(copy, good, n);
            copy[i] = (char)b;
            if (safetensors_parse_header("mem", copy, n, 26, &st) == 0) {
                accepted++;
                safetensors_free(&st);
            }
            free(copy);
        }
    }
    CHECK(accepted > 0);
}

static char *temp_dir(void)
{
    static char dir[] = "/tmp/luagrad_test_io_XXXXXX";
    return mkdtemp(dir);
}

static bool file_exists(const char *p)
{
    return access(p, F_OK) == 0;
}

static size_t count_entries(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    if (p && fscanf(p, "%zu", &n) != 1)
        n = 999;
    if (p)
        pclose(p);
    return n;
}

static void test_atomic(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/atomic.bin", dir);
    AtomicFile f;
    CHECK(atomic_open(&f, "test", path) == 0);
    CHECK(atomic_write(&f, "new", 3) == 0);
    atomic_abort(&f);
    CHECK(!file_exists(path) && count_entries(dir) == 0);
    CHECK(atomic_open(&f, "test", path) == 0);
    atomic_write(&f, "first", 5);
    CHECK(atomic_commit(&f) == 0);
    CHECK(atomic_open(&f, "test", path) == 0);
    atomic_write(&f, "second!", 7);
    f.failed = 1;                                 /* as after a failed write */
    CHECK(atomic_commit(&f) != 0);
    FILE *fp = fopen(path, "rb");
    char buf[16] = {0};
    CHECK(fp && fread(buf, 1, sizeof buf, fp) == 5 && memcmp(buf, "first", 5) == 0);
    if (fp)
        fclose(fp);
    CHECK(count_entries(dir) == 1);
    unlink(path);
    snprintf(path, sizeof path, "%s/no/such/dir/x", dir);
    CHECK_ERROR(atomic_open(&f, "test", path) != 0, "cannot create a file beside it");
}

static void test_npy_round_trip(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/t.npy", dir);
    Tensor *t = arange(SHAPE(3, 4), DTYPE_INT64);
    Tensor *view = tensor_transpose(t, 0, 1);
    CHECK(npy_write(path, view) == 0);
    Tensor *back = npy_read(path);
    CHECK(back && back->ndim == 2 && back->shape[0] == 4 && back->shape[1] == 3);
    CHECK(back && AT(back, 1, 2) == 9 && AT(back, 3, 0) == 3);
    tensor_release(back);
    tensor_release(view);
    tensor_release(t);
    unlink(path);
}

static void test_idx(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/t.idx", dir);
    static const unsigned char bytes[] = {0, 0, 0x0B, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 0xFE, 0x01, 0x00};
    FILE *fp = fopen(path, "wb");
    fwrite(bytes, 1, sizeof bytes, fp);
    fclose(fp);
    Tensor *t = idx_read(path);
    CHECK(t && t->dtype == DTYPE_INT64 && t->ndim == 2 && AT(t, 0, 0) == -2 && AT(t, 0, 1) == 256);
    tensor_release(t);
    unlink(path);
}

/* The row-copy fast path (dim 0, contiguous) against the strided loop (the
 * same values read through a transposed copy, which is not contiguous). */
static void test_index_select_rows(void)
{
    DType dts[] = {DTYPE_UINT8, DTYPE_FLOAT32, DTYPE_INT64};
    for (size_t k = 0; k < sizeof dts / sizeof dts[0]; k++) {
        Tensor *t = arange(SHAPE(50, 3, 4), dts[k]);
        Tensor *idx = tensor_empty(SHAPE(7), DTYPE_INT64);
        int64_t picks[7] = {50, 1, 7, 7, 23, 2, 49};
        memcpy(tensor_data(idx), picks, sizeof picks);
        Tensor *fast = tensor_index_select(t, 0, idx, 1);
        Tensor *tt = tensor_transpose(t, 0, 2), *strided_src = tensor_clone(tt);
        Tensor *strided_t = tensor_transpose(strided_src, 0, 2);   /* t's values, not contiguous */
        Tensor *slow = tensor_index_select(strided_t, 0, idx, 1);
        CHECK(fast && slow && !tensor_is_contiguous(strided_t));
        bool same = fast && slow;
        for (int64_t i = 0; same && i < 7; i++)
            for (int64_t j = 0; j < 3; j++)
                for (int64_t l = 0; l < 4; l++)
                    same = same && AT(fast, i, j, l) == AT(slow, i, j, l) &&
                           AT(fast, i, j, l) == AT(t, picks[i] - 1, j, l);
        CHECK(same);
        tensor_release(fast), tensor_release(slow), tensor_release(tt), tensor_release(strided_src);
        tensor_release(strided_t), tensor_release(idx), tensor_release(t);
    }
}

int main(void)
{
    test_json_values();
    test_json_errors();
    test_json_truncations_and_corruptions();
    test_safetensors_header();
    char *dir = temp_dir();
    CHECK(dir != NULL);
    if (dir) {
        test_atomic(dir);
        test_npy_round_trip(dir);
        test_idx(dir);
        rmdir(dir);
    }
    test_index_select_rows();
    return check_summary();
}
