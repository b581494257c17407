/*
 * fuzz_json.c — libFuzzer harness for the JSON reader (tensor/json.c), which
 * parses safetensors headers and torch._json_decode's text.
 *
 * Input: one flag byte (bit 0: accept NaN and Infinity), then the text, which
 * is not NUL-terminated: the reader must never look past its end.  An
 * accepted document is walked in full, and json_get looks a key up in every
 * object, so a malformed tree shows up too.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "tensor/json.h"

static void walk(const JsonValue *v)
{
    if (v->type == JSON_STRING && !json_utf8_valid(v->string.s, v->string.len))
        abort();                        /* the reader promised valid UTF-8 */
    for (size_t i = 0; i < v->count; i++)
        walk(&v->items[i]);
    if (v->type == JSON_OBJECT && v->count > 0)
        json_get(v, v->keys[0].s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* A copy of exactly the text's size, so reading past it is a report. */
    size_t len = size - 1;
    char *text = malloc(len ? len : 1);
    memcpy(text, data + 1, len);
    JsonValue *v = json_parse(text, len, data[0] & 1 ? JSON_ALLOW_NONFINITE : 0);
    if (v) {
        walk(v);
        json_free(v);
    }
    free(text);
    return 0;
}
