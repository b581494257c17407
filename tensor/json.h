/*
 * json.h — a small, strict JSON reader (RFC 8259) for file headers.
 *
 * It exists for the safetensors header, which is untrusted input: every
 * malformed document is an error naming the byte where it went wrong, never
 * a read past the end of the text (which need not be NUL-terminated).
 * Strings are checked to be UTF-8 and decoded; duplicate keys in an object
 * are an error (RFC 8259 leaves them undefined; a file reader must not pick
 * one silently); nesting is limited to JSON_MAX_DEPTH.
 */
#ifndef LUAGRAD_JSON_H
#define LUAGRAD_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

typedef enum {
    JSON_NULL, JSON_FALSE, JSON_TRUE,
    JSON_INTEGER,   /* a number written without fraction or exponent that fits int64 */
    JSON_NUMBER,    /* any other number */
    JSON_STRING, JSON_ARRAY, JSON_OBJECT
} JsonType;

typedef struct JsonValue JsonValue;

/* Strings are decoded (escapes resolved), NUL-terminated for convenience,
 * and may hold NUL bytes themselves (from \u0000): use len. */
typedef struct {
    char *s;
    size_t len;
} JsonString;

struct JsonValue {
    JsonType type;
    int64_t integer;        /* JSON_INTEGER */
    double number;          /* JSON_NUMBER, and JSON_INTEGER's value as a double */
    JsonString string;      /* JSON_STRING */
    size_t count;           /* items of an array, members of an object */
    JsonValue *items;       /* array items; object member values */
    JsonString *keys;       /* object member keys, in document order */
};

/* Accept NaN, Infinity and -Infinity as numbers (Python's json writes them). */
#define JSON_ALLOW_NONFINITE 1

/* Parses one JSON value (surrounded by optional whitespace) from text[0..len).
 * NULL with a message "byte N: what was wrong" (counting from 0) on failure. */
JsonValue *json_parse(const char *text, size_t len, int flags);
void json_free(JsonValue *v);
/* The member `key` of an object, or NULL. */
const JsonValue *json_get(const JsonValue *obj, const char *key);
/* True when s[0..len) is well-formed UTF-8 (no overlong forms or surrogates). */
int json_utf8_valid(const char *s, size_t len);

#endif
