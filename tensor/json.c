/*
 * json.c — a recursive-descent JSON reader that trusts nothing it reads.
 *
 * Every read goes through peek()/the `end` pointer, so a document cut short
 * anywhere (a string, a number, an escape, a UTF-8 sequence) fails with
 * "unexpected end" instead of reading past the buffer.  Numbers are copied
 * into a bounded local buffer before strtod, which would otherwise scan past
 * the end of an unterminated text.  The depth limit bounds the C stack; the
 * duplicate-key check sorts the keys, so a header of many thousands of
 * tensors stays O(n log n).
 */
#include "tensor/json.h"

#include "tensor/tensor.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *start, *p, *end;
    int flags;
    int depth;
} Parser;

static void *fail_at(const Parser *ps, const char *what)
{
    return tensor_fail("byte %zu: %s", (size_t)(ps->p - ps->start), what);
}

static void skip_space(Parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

/* True (and consumed) when the text continues with the literal `word`. */
static bool take_word(Parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return false;
    ps->p += n;
    return true;
}

/* ---- UTF-8 ------------------------------------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at s (at most `avail` bytes), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    size_t n;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    /* Overlong forms, UTF-16 surrogates and values past U+10FFFF. */
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xD800 && cp <= 0xDFFF) ||
        cp > 0x10FFFF)
        return 0;
    return n;
}

int json_utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_sequence(u + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

static size_t utf8_encode(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- strings ---------------------------------------------------------------------- */

static int hex4(Parser *ps, unsigned *out)
{
    if (ps->end - ps->p < 4) {
        ps->p = ps->end;
        fail_at(ps, "unexpected end inside a \\u escape");
        return -1;
    }
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *ps->p;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) {
            fail_at(ps, "bad hex digit in a \\u escape");
            return -1;
        }
        v = v << 4 | (unsigned)d;
        ps->p++;
    }
    *out = v;
    return 0;
}

/* One escape after the backslash: its UTF-8 bytes into out, their count in *n. */
static int parse_escape(Parser *ps, char *out, size_t *n)
{
    if (ps->p >= ps->end) {
        fail_at(ps, "unexpected end inside a string");
        return -1;
    }
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k = strchr(from, *ps->p);
    if (k && *ps->p) {
        out[0] = to[k - from];
        *n = 1;
        ps->p++;
        return 0;
    }
    if (*ps->p != 'u') {
        fail_at(ps, "bad escape in a string");
        return -1;
    }
    ps->p++;
    unsigned cp, low;
    if (hex4(ps, &cp) != 0)
        return -1;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        fail_at(ps, "a low surrogate \\u escape without its high half");
        return -1;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (!take_word(ps, "\\u")) {
            fail_at(ps, "a high surrogate \\u escape without its low half");
            return -1;
        }
        if (hex4(ps, &low) != 0)
            return -1;
        if (low < 0xDC00 || low > 0xDFFF) {
            fail_at(ps, "a high surrogate \\u escape without its low half");
            return -1;
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    *n = utf8_encode(cp, out);
    return 0;
}

/* Parses the string starting at the opening quote. */
static int parse_string(Parser *ps, JsonString *out)
{
    ps->p++;   /* the opening quote */
    /* The decoded text is never longer than the source. */
    const char *q = ps->p;
    while (q < ps->end && *q != '"') {
        if (*q == '\\' && q + 1 < ps->end)
            q++;
        q++;
    }
    char *buf = malloc((size_t)(q - ps->p) + 1);
    if (!buf) {
        tensor_fail("out of memory");
        return -1;
    }
    size_t len = 0;
    for (;;) {
        if (ps->p >= ps->end) {
            free(buf);
            fail_at(ps, "unexpected end inside a string");
            return -1;
        }
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"')
            break;
        if (c < 0x20) {
            free(buf);
            fail_at(ps, "a control character inside a string (it must be escaped)");
            return -1;
        }
        if (c == '\\') {
            ps->p++;
            size_t n;
            if (parse_escape(ps, buf + len, &n) != 0) {
                free(buf);
                return -1;
            }
            len += n;
            continue;
        }
        size_t n = utf8_sequence((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
        if (n == 0) {
            free(buf);
            fail_at(ps, "a string that is not valid UTF-8");
            return -1;
        }
        memcpy(buf + len, ps->p, n);
        len += n;
        ps->p += n;
    }
    ps->p++;   /* the closing quote */
    buf[len] = '\0';
    out->s = buf;
    out->len = len;
    return 0;
}

/* ---- numbers ---------------------------------------------------------------------- */

static bool is_digit(const Parser *ps)
{
    return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

/* One or more digits, or a failure saying `what`. */
static int take_digits(Parser *ps, const char *what)
{
    if (!is_digit(ps)) {
        fail_at(ps, what);
        return -1;
    }
    while (is_digit(ps))
        ps->p++;
    return 0;
}

static int parse_number(Parser *ps, JsonValue *v)
{
    const char *begin = ps->p;
    bool integral = true;
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    if ((ps->flags & JSON_ALLOW_NONFINITE) && take_word(ps, "Infinity")) {
        v->type = JSON_NUMBER;
        v->number = *begin == '-' ? -(double)INFINITY : (double)INFINITY;
        return 0;
    }
    if (!is_digit(ps)) {
        fail_at(ps, "expected a digit");
        return -1;
    }
    if (*ps->p == '0') {
        ps->p++;
        if (is_digit(ps)) {
            fail_at(ps, "a number with a leading zero");
            return -1;
        }
    }
    while (is_digit(ps))
        ps->p++;
    if (ps->p < ps->end && *ps->p == '.') {
        integral = false;
        ps->p++;
        if (take_digits(ps, "expected a digit after the decimal point") != 0)
            return -1;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        integral = false;
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (take_digits(ps, "expected a digit in the exponent") != 0)
            return -1;
    }
    char buf[512];
    size_t n = (size_t)(ps->p - begin);
    if (n >= sizeof buf) {
        ps->p = begin;
        fail_at(ps, "a number longer than 511 characters");
        return -1;
    }
    memcpy(buf, begin, n);
    buf[n] = '\0';
    if (integral) {
        errno = 0;
        long long i = strtoll(buf, NULL, 10);
        if (errno == 0) {
            v->type = JSON_INTEGER;
            v->integer = i;
            v->number = (double)i;
            return 0;
        }
    }
    v->type = JSON_NUMBER;
    v->number = strtod(buf, NULL);
    return 0;
}

/* ---- values ----------------------------------------------------------------------- */

static int parse_value(Parser *ps, JsonValue *v);

/* Grows a parallel pair of arrays (items, and keys for objects) by one. */
static int grow(JsonValue *v, size_t *cap, bool with_keys)
{
    if (v->count < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 4;
    JsonValue *items = realloc(v->items, ncap * sizeof *items);
    if (!items) {
        tensor_fail("out of memory");
        return -1;
    }
    v->items = items;
    if (with_keys) {
        JsonString *keys = realloc(v->keys, ncap * sizeof *keys);
        if (!keys) {
            tensor_fail("out of memory");
            return -1;
        }
        v->keys = keys;
    }
    *cap = ncap;
    return 0;
}

static int compare_keys(const void *a, const void *b)
{
    const JsonString *x = *(const JsonString *const *)a, *y = *(const JsonString *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int check_unique_keys(Parser *ps, const JsonValue *v, const char *object_start)
{
    if (v->count < 2)
        return 0;
    const JsonString **sorted = malloc(v->count * sizeof *sorted);
    if (!sorted) {
        tensor_fail("out of memory");
        return -1;
    }
    for (size_t i = 0; i < v->count; i++)
        sorted[i] = &v->keys[i];
    qsort(sorted, v->count, sizeof *sorted, compare_keys);
    int rc = 0;
    for (size_t i = 1; i < v->count && rc == 0; i++) {
        if (compare_keys(&sorted[i - 1], &sorted[i]) == 0) {
            ps->p = object_start;
            tensor_fail("byte %zu: the object has the key \"%.100s\" twice",
                        (size_t)(ps->p - ps->start), sorted[i]->s);
            rc = -1;
        }
    }
    free(sorted);
    return rc;
}

/* An array (`close` ']') or an object ('}'), from its opening bracket. */
static int parse_container(Parser *ps, JsonValue *v, bool object)
{
    const char *start = ps->p;
    char close = object ? '}' : ']';
    size_t cap = 0;
    v->type = object ? JSON_OBJECT : JSON_ARRAY;
    if (++ps->depth > JSON_MAX_DEPTH) {
        fail_at(ps, "nested deeper than 64 levels");
        return -1;
    }
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return 0;
    }
    for (;;) {
        if (grow(v, &cap, object) != 0)
            return -1;
        JsonValue *item = &v->items[v->count];
        memset(item, 0, sizeof *item);
        if (object) {
            skip_space(ps);
            if (ps->p >= ps->end || *ps->p != '"') {
                fail_at(ps, ps->p >= ps->end ? "unexpected end inside an object" : "expected a string key");
                return -1;
            }
            JsonString *key = &v->keys[v->count];
            if (parse_string(ps, key) != 0)
                return -1;
            v->count++;   /* counted now, so json_free releases the key on failure */
            skip_space(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                fail_at(ps, "expected ':' after an object key");
                return -1;
            }
            ps->p++;
        } else {
            v->count++;
        }
        if (parse_value(ps, item) != 0)
            return -1;
        skip_space(ps);
        if (ps->p >= ps->end) {
            fail_at(ps, object ? "unexpected end inside an object" : "unexpected end inside an array");
            return -1;
        }
        if (*ps->p == close)
            break;
        if (*ps->p != ',') {
            fail_at(ps, object ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array");
            return -1;
        }
        ps->p++;
    }
    ps->p++;
    ps->depth--;
    return object ? check_unique_keys(ps, v, start) : 0;
}

static int parse_value(Parser *ps, JsonValue *v)
{
    skip_space(ps);
    if (ps->p >= ps->end) {
        fail_at(ps, "unexpected end where a value should start");
        return -1;
    }
    switch (*ps->p) {
    case '{':
        return parse_container(ps, v, true);
    case '[':
        return parse_container(ps, v, false);
    case '"':
        v->type = JSON_STRING;
        return parse_string(ps, &v->string);
    case 't':
        v->type = JSON_TRUE;
        break;
    case 'f':
        v->type = JSON_FALSE;
        break;
    case 'n':
        v->type = JSON_NULL;
        break;
    default:
        if ((ps->flags & JSON_ALLOW_NONFINITE) && take_word(ps, "NaN")) {
            v->type = JSON_NUMBER;
            v->number = (double)NAN;
            return 0;
        }
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9') ||
            ((ps->flags & JSON_ALLOW_NONFINITE) && *ps->p == 'I'))
            return parse_number(ps, v);
        fail_at(ps, "expected a value");
        return -1;
    }
    static const char *const words[] = {[JSON_NULL] = "null", [JSON_FALSE] = "false", [JSON_TRUE] = "true"};
    if (!take_word(ps, words[v->type])) {
        fail_at(ps, "expected a value");
        return -1;
    }
    return 0;
}

static void free_contents(JsonValue *v)
{
    if (v->type == JSON_STRING)
        free(v->string.s);
    if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
        for (size_t i = 0; i < v->count; i++) {
            /* A member whose key was read but whose value failed is zeroed (JSON_NULL). */
            free_contents(&v->items[i]);
            if (v->type == JSON_OBJECT)
                free(v->keys[i].s);
        }
        free(v->items);
        free(v->keys);
    }
}

JsonValue *json_parse(const char *text, size_t len, int flags)
{
    Parser ps = {text, text, text + len, flags, 0};
    JsonValue *v = calloc(1, sizeof *v);
    if (!v)
        return tensor_fail("out of memory");
    if (parse_value(&ps, v) != 0) {
        json_free(v);
        return NULL;
    }
    skip_space(&ps);
    if (ps.p != ps.end) {
        json_free(v);
        return fail_at(&ps, "unexpected text after the value");
    }
    return v;
}

void json_free(JsonValue *v)
{
    if (!v)
        return;
    free_contents(v);
    free(v);
}

const JsonValue *json_get(const JsonValue *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < obj->count; i++)
        if (obj->keys[i].len == n && memcmp(obj->keys[i].s, key, n) == 0)
            return &obj->items[i];
    return NULL;
}
