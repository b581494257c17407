/*
 * print.c — a tensor as text, in the layout PyTorch 1.13 prints (str(t), from
 * torch/_tensor_str.py), so what a user knows from PyTorch reads the same here.
 *
 * The idea, as in PyTorch: one formatter serves the whole tensor.  A first
 * pass looks at every element that will be shown (all of them, or only the
 * `edgeitems` at each end of each dim when numel exceeds `threshold`) and
 * decides the mode — integers printed as "1." when every nonzero finite value
 * is whole, scientific notation when the magnitudes span more than 1000x, pass
 * 1e8 or (for non-integers) go below 1e-4, fixed `precision` decimals
 * otherwise — and the width of the widest value, computed from nonzero finite
 * values only.  The second pass right-aligns every element to that width,
 * nests brackets with one more space of indent per level, separates slices of
 * a k-dim tensor by k-1 newlines, and wraps rows at `linewidth`.
 * Trailing items ("dtype=float64", a size for empty tensors, and one item the
 * caller supplies such as "requires_grad=true") wrap like PyTorch's too.
 *
 * Elements are read through the strides, so views print without a copy.
 */
#include "tensor/tensor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "tensor("
/* Room for any one element: 309 integer digits of DBL_MAX, the point, the
 * largest precision, a sign and an exponent. */
#define ELEM_MAX (330 + PRINT_MAX_PRECISION)

PrintOptions print_options_default(void)
{
    return (PrintOptions){.precision = 4, .threshold = 1000, .edgeitems = 3,
                          .linewidth = 80, .sci_mode = -1};
}

/* ---- a growing output buffer; the first failed allocation sticks ---------- */

typedef struct {
    char *p;
    size_t len, cap;
    bool oom;
} TextBuf;

static void buf_put(TextBuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_str(TextBuf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

static void buf_spaces(TextBuf *b, int n)
{
    static const char spaces[] = "                                ";
    for (; n > 0; n -= (int)sizeof spaces - 1)
        buf_put(b, spaces, n < (int)sizeof spaces - 1 ? (size_t)n : sizeof spaces - 1);
}

static void buf_repeat(TextBuf *b, const char *s, int n)
{
    while (n-- > 0)
        buf_str(b, s);
}

/* ---- the printer: options, the formatter's decisions, the output ----------- */

typedef struct {
    const Tensor *t;
    const PrintOptions *opt;
    const char *base;        /* storage data */
    size_t esize;
    bool summarize;
    bool interrupted;
    /* What the first pass learns (PyTorch's _Formatter). */
    bool any_finite;         /* some nonzero finite value was seen */
    double min_abs, max_abs;
    int w_text, w_int, w_fixed, w_sci;
    /* What it decides. */
    bool int_mode, sci_mode;
    int width;
    TextBuf out;
} Printer;

/* A dim of size n shows only its first and last edgeitems when summarised. */
static bool dim_elided(const Printer *p, int64_t n)
{
    return p->summarize && n > 2 * (int64_t)p->opt->edgeitems;
}

static int64_t shown_count(const Printer *p, int64_t n)
{
    return dim_elided(p, n) ? 2 * (int64_t)p->opt->edgeitems : n;
}

/* The index of the k-th shown item of a dim of size n. */
static int64_t shown_index(const Printer *p, int64_t n, int64_t k)
{
    return dim_elided(p, n) && k >= p->opt->edgeitems ? n - 2 * p->opt->edgeitems + k : k;
}

/* Polled once per row, so Ctrl-C stops a print of millions of elements. */
static bool row_interrupted(Printer *p)
{
    if (!p->interrupted && tensor_check_interrupt())
        p->interrupted = true;
    return p->interrupted;
}

static int text_len(const char *fmt, int prec, double v)
{
    return snprintf(NULL, 0, fmt, prec, v);
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

/* The element at storage offset `off` as text, unpadded; returns its length.
 * Python prints a NaN as "nan" whatever its sign bit, where C may say "-nan". */
static int elem_text(const Printer *p, int64_t off, char *s)
{
    const char *ptr = p->base + off * (int64_t)p->esize;
    int prec = p->opt->precision;
    switch (p->t->dtype) {
    case DTYPE_INT64: return snprintf(s, ELEM_MAX, "%lld", (long long)*(const int64_t *)ptr);
    case DTYPE_UINT8: return snprintf(s, ELEM_MAX, "%u", *(const uint8_t *)ptr);
    case DTYPE_BOOL: return snprintf(s, ELEM_MAX, "%s", *(const uint8_t *)ptr ? "True" : "False");
    default: break;
    }
    double v = dtype_load(p->t->dtype, ptr);
    if (isnan(v))
        return snprintf(s, ELEM_MAX, "nan");
    if (p->sci_mode)
        return snprintf(s, ELEM_MAX, "%.*e", prec, v);
    if (p->int_mode)
        return snprintf(s, ELEM_MAX, isinf(v) ? "%.0f" : "%.0f.", v);
    return snprintf(s, ELEM_MAX, "%.*f", prec, v);
}

/* First pass, one element: the widths it would take in each mode. */
static void measure_elem(Printer *p, int64_t off)
{
    if (!dtype_is_floating(p->t->dtype)) {
        char s[ELEM_MAX];
        p->w_text = max_int(p->w_text, elem_text(p, off, s));
        return;
    }
    double v = dtype_load(p->t->dtype, p->base + off * (int64_t)p->esize);
    if (!isfinite(v) || v == 0)
        return;
    double a = fabs(v);
    if (!p->any_finite || a < p->min_abs)
        p->min_abs = a;
    if (!p->any_finite || a > p->max_abs)
        p->max_abs = a;
    p->any_finite = true;
    if (v != ceil(v))
        p->int_mode = false;
    int prec = p->opt->precision;
    p->w_int = max_int(p->w_int, text_len("%.*f", 0, v) + 1);
    p->w_fixed = max_int(p->w_fixed, text_len("%.*f", prec, v));
    p->w_sci = max_int(p->w_sci, text_len("%.*e", prec, v));
}

static void measure(Printer *p, int dim, int64_t off)
{
    const Tensor *t = p->t;
    if (dim == t->ndim) {
        measure_elem(p, off);
        return;
    }
    if (dim == t->ndim - 1 && row_interrupted(p))
        return;
    int64_t n = shown_count(p, t->shape[dim]);
    for (int64_t k = 0; k < n && !p->interrupted; k++)
        measure(p, dim + 1, off + shown_index(p, t->shape[dim], k) * t->stride[dim]);
}

/* PyTorch's choice of mode and width from what measure() saw.  Without any
 * nonzero finite value the mode stays "integer" and the sci_mode option is
 * not consulted, exactly as PyTorch returns early there. */
static void decide_format(Printer *p)
{
    p->width = 1;
    if (!dtype_is_floating(p->t->dtype)) {
        p->width = max_int(1, p->w_text);
    } else if (p->any_finite) {
        double ratio = p->max_abs / p->min_abs;
        bool wide = ratio > 1000.0 || p->max_abs > 1.0e8;
        p->sci_mode = wide || (!p->int_mode && p->min_abs < 1.0e-4);
        p->width = p->sci_mode ? p->w_sci : p->int_mode ? p->w_int : p->w_fixed;
    } else {
        return;
    }
    if (p->opt->sci_mode >= 0)
        p->sci_mode = p->opt->sci_mode;
}

static void emit_elem(Printer *p, int64_t off)
{
    char s[ELEM_MAX];
    int n = elem_text(p, off, s);
    buf_spaces(&p->out, p->width - n);
    buf_put(&p->out, s, (size_t)n);
}

/* Dim `dim` from storage offset `off`: slices (or, for the last dim, items)
 * inside brackets, with "..." where elided.  Slices of a k-dim tensor are
 * separated by k-1 newlines; a row wraps so that a line holds as many
 * `width + 2`-character items as fit in linewidth - indent. */
static void emit(Printer *p, int dim, int64_t off, int indent)
{
    const Tensor *t = p->t;
    if (dim == t->ndim) {
        emit_elem(p, off);
        return;
    }
    bool row = dim == t->ndim - 1;
    if (row && row_interrupted(p))
        return;
    int64_t size = t->shape[dim], n = shown_count(p, size);
    int64_t per_line = row ? (p->opt->linewidth - indent) / (p->width + 2) : 1;
    if (per_line < 1)
        per_line = 1;
    buf_str(&p->out, "[");
    int64_t slot = 0;
    for (int64_t k = 0; k < n && !p->interrupted; k++) {
        bool gap = dim_elided(p, size) && k == p->opt->edgeitems;
        for (int part = gap ? 0 : 1; part < 2; part++, slot++) {
            if (slot > 0 && (!row || slot % per_line == 0)) {
                buf_str(&p->out, ",");
                buf_repeat(&p->out, "\n", row ? 1 : t->ndim - dim - 1);
                buf_spaces(&p->out, indent + 1);
            } else if (slot > 0) {
                buf_str(&p->out, ", ");
            }
            if (part == 0)
                buf_str(&p->out, row ? " ..." : "...");
            else
                emit(p, dim + 1, off + shown_index(p, size, k) * t->stride[dim], indent + 1);
        }
    }
    buf_str(&p->out, "]");
}

/* PyTorch's _add_suffixes: each item goes on the current line after ", "
 * unless that would pass linewidth; then on a new line at the indent. */
static void add_suffix(Printer *p, const char *item, size_t *last_line_len)
{
    size_t n = strlen(item), indent = strlen(PREFIX);
    if (*last_line_len + n + 2 > (size_t)(p->opt->linewidth > 0 ? p->opt->linewidth : 0)) {
        buf_str(&p->out, ",\n");
        buf_spaces(&p->out, (int)indent);
        *last_line_len = indent + n;
    } else {
        buf_str(&p->out, ", ");
        *last_line_len += n + 2;
    }
    buf_str(&p->out, item);
}

/* "(2, 0, 3)", as Python prints a shape tuple. */
static void size_suffix(const Tensor *t, char *s, size_t len)
{
    size_t used = (size_t)snprintf(s, len, "size=(");
    for (int d = 0; d < t->ndim && used < len; d++)
        used += (size_t)snprintf(s + used, len - used, "%s%lld", d ? ", " : "",
                                 (long long)t->shape[d]);
    if (used < len)
        snprintf(s + used, len - used, ")");
}

static void emit_suffixes(Printer *p, const char *extra)
{
    const Tensor *t = p->t;
    /* PyTorch measures the last line as its length + 1 past the newline
     * (+ 2 without one); kept so wrapping matches it character for character. */
    const char *nl = p->out.oom ? NULL : strrchr(p->out.p, '\n');
    size_t last = nl ? (size_t)(p->out.p + p->out.len - nl) + 1 : p->out.len + 2;
    char item[32 + 24 * TENSOR_MAX_DIMS];
    DType def = dtype_default();
    bool empty = tensor_numel(t) == 0;
    if (empty && t->ndim != 1) {
        size_suffix(t, item, sizeof item);
        add_suffix(p, item, &last);
    }
    /* Hidden: the default dtype, and int64 and bool unless the tensor is empty
     * (with no elements to show, nothing else tells the dtype). */
    bool implied = t->dtype == def || (!empty && (t->dtype == DTYPE_INT64 || t->dtype == DTYPE_BOOL));
    if (!implied) {
        snprintf(item, sizeof item, "dtype=%s", dtype_name(t->dtype));
        add_suffix(p, item, &last);
    }
    if (extra && *extra)
        add_suffix(p, extra, &last);
}

char *tensor_format(const Tensor *t, const PrintOptions *opt, const char *suffix)
{
    if (opt->precision < 0 || opt->precision > PRINT_MAX_PRECISION)
        return tensor_fail("print: precision must be between 0 and %d, got %d",
                           PRINT_MAX_PRECISION, opt->precision);
    /* PyTorch's edgeitems=0 prints every element after the "..." (a Python
     * slice quirk, self[-0:]); refused here rather than imitated. */
    if (opt->edgeitems < 1)
        return tensor_fail("print: edgeitems must be >= 1, got %d", opt->edgeitems);
    Printer p = {
        .t = t,
        .opt = opt,
        .base = t->storage ? (const char *)t->storage->data : NULL,
        .esize = dtype_size(t->dtype),
        .summarize = (double)tensor_numel(t) > opt->threshold,
        .int_mode = true,
    };
    buf_str(&p.out, PREFIX);
    if (tensor_numel(t) == 0) {
        buf_str(&p.out, "[]");
    } else {
        measure(&p, 0, t->offset);
        decide_format(&p);
        if (!p.interrupted)
            emit(&p, 0, t->offset, (int)strlen(PREFIX));
    }
    emit_suffixes(&p, suffix);
    buf_str(&p.out, ")");
    if (p.interrupted || p.out.oom) {
        free(p.out.p);
        return p.interrupted ? NULL : tensor_fail("print: out of memory");
    }
    return p.out.p;
}
