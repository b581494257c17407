/*
 * csv.c — the numeric CSV reader (see csv.h).
 *
 * The file is read whole and NUL-terminated, then walked twice: once to count
 * rows and check that each has the header's (or the first row's) number of
 * fields, once to convert.  Sizes are known before the tensor is allocated,
 * so there is no growing buffer of doubles.  A field is trimmed before
 * strtod, which would otherwise skip a line end as white space and read the
 * next row's first number into an empty field.
 */
#include "tensor/csv.h"

#include "tensor/file.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *path;
    char delim;
    char *p;          /* the cursor in the NUL-terminated text */
    int64_t line;     /* 1-based, for messages */
} Cursor;

static bool at_line_end(const Cursor *c)
{
    return *c->p == '\n' || *c->p == '\r' || *c->p == '\0';
}

/* Spaces and tabs, unless the tab is the delimiter. */
static bool is_blank(const Cursor *c, char ch)
{
    return (ch == ' ' || ch == '\t') && ch != c->delim;
}

static void skip_blank(Cursor *c)
{
    while (is_blank(c, *c->p))
        c->p++;
}

static void next_line(Cursor *c)
{
    while (!at_line_end(c))
        c->p++;
    if (*c->p == '\r')
        c->p++;
    if (*c->p == '\n')
        c->p++;
    c->line++;
}

/* Skips empty lines; false at the end of the text. */
static bool next_row(Cursor *c)
{
    for (;;) {
        char *start = c->p;
        skip_blank(c);
        if (*c->p == '\0')
            return false;
        if (!at_line_end(c)) {
            c->p = start;
            return true;
        }
        next_line(c);
    }
}

/* One field: [start, end) trimmed of blanks and one pair of double quotes;
 * leaves the cursor on the delimiter or line end after it. */
static int field(Cursor *c, char **start, char **end)
{
    skip_blank(c);
    bool quoted = *c->p == '"';
    c->p += quoted;
    *start = c->p;
    while (!at_line_end(c) && *c->p != c->delim && !(quoted && *c->p == '"'))
        c->p++;
    *end = c->p;
    if (quoted) {
        if (*c->p != '"') {
            tensor_fail("read_csv: %s:%lld: a quoted field without its closing quote", c->path, (long long)c->line);
            return -1;
        }
        c->p++;
    }
    skip_blank(c);
    if (!at_line_end(c) && *c->p != c->delim) {
        tensor_fail("read_csv: %s:%lld: text after a closing quote", c->path, (long long)c->line);
        return -1;
    }
    if (!quoted)
        while (*end > *start && is_blank(c, (*end)[-1]))
            (*end)--;
    return 0;
}

/* Visits the fields of the row at the cursor; returns their count or -1.
 * With `out`, converts each into out[k]. */
static int64_t row(Cursor *c, double *out, int64_t ncols)
{
    int64_t k = 0;
    for (;;) {
        char *s, *e;
        if (field(c, &s, &e) != 0)
            return -1;
        if (out && k < ncols) {
            char saved = *e, *stop;
            *e = '\0';
            out[k] = strtod(s, &stop);
            *e = saved;
            if (s == e || stop != e) {
                tensor_fail("read_csv: %s:%lld: field %lld is %s%.*s%s, not a number", c->path,
                            (long long)c->line, (long long)k + 1, s == e ? "empty" : "'",
                            (int)(e - s > 40 ? 40 : e - s), s, s == e ? "" : "'");
                return -1;
            }
        }
        k++;
        if (*c->p != c->delim)
            break;
        c->p++;
    }
    next_line(c);
    return k;
}

static int read_names(Cursor *c, CsvTable *out)
{
    char *save = c->p;
    int64_t n = row(c, NULL, 0);
    if (n < 0)
        return -1;
    out->names = calloc((size_t)n, sizeof *out->names);
    if (!out->names) {
        tensor_fail("out of memory");
        return -1;
    }
    out->ncols = n;
    c->p = save;
    c->line--;
    for (int64_t k = 0; k < n; k++) {
        char *s, *e;
        field(c, &s, &e);
        out->names[k] = strndup(s, (size_t)(e - s));
        if (!out->names[k]) {
            tensor_fail("out of memory");
            return -1;
        }
        c->p += *c->p == c->delim;
    }
    next_line(c);
    return 0;
}

/* Counts the rows from the cursor, checking their widths. */
static int64_t count_rows(Cursor c, bool header, int64_t *ncols)
{
    int64_t rows = 0;
    while (next_row(&c)) {
        int64_t line = c.line, n = row(&c, NULL, 0);
        if (n < 0)
            return -1;
        if (*ncols < 0)
            *ncols = n;
        if (n != *ncols) {
            tensor_fail("read_csv: %s:%lld: %lld fields, but the %s has %lld", c.path, (long long)line,
                        (long long)n, header ? "header" : "first row", (long long)*ncols);
            return -1;
        }
        rows++;
    }
    return rows;
}

static int parse(Cursor *c, bool header, CsvTable *out)
{
    int64_t ncols = -1;
    if (header) {
        if (!next_row(c)) {
            tensor_fail("read_csv: %s: the file is empty (no header line)", c->path);
            return -1;
        }
        if (read_names(c, out) != 0)
            return -1;
        ncols = out->ncols;
    }
    int64_t rows = count_rows(*c, header, &ncols);
    if (rows < 0)
        return -1;
    if (ncols < 0)
        ncols = 0;
    out->ncols = ncols;
    out->values = tensor_empty(2, (int64_t[]){rows, ncols}, DTYPE_FLOAT64);
    if (!out->values)
        return -1;
    double *v = tensor_data(out->values);
    for (int64_t r = 0; r < rows; r++) {
        next_row(c);
        if (row(c, v + r * ncols, ncols) < 0)
            return -1;
    }
    return 0;
}

int csv_read(const char *path, char delimiter, bool header, CsvTable *out)
{
    memset(out, 0, sizeof *out);
    uint64_t size;
    FILE *fp = file_open_read("read_csv", path, &size);
    if (!fp)
        return -1;
    char *text = size < SIZE_MAX ? malloc((size_t)size + 1) : NULL;
    int rc = -1;
    if (!text)
        tensor_fail("read_csv: %s: out of memory", path);
    else if (file_read_exact(fp, text, (size_t)size, "read_csv", path, "the text") == 0) {
        text[size] = '\0';
        rc = csv_parse(path, text, (size_t)size, delimiter, header, out);
    }
    free(text);
    fclose(fp);
    return rc;
}

int csv_parse(const char *path, char *text, size_t size, char delimiter, bool header, CsvTable *out)
{
    memset(out, 0, sizeof *out);
    int rc = -1;
    if (strlen(text) != size) {
        tensor_fail("read_csv: %s: a NUL byte in the text (a binary file?)", path);
    } else {
        Cursor c = {path, delimiter, text, 1};
        rc = parse(&c, header, out);
    }
    if (rc != 0)
        csv_table_free(out);
    return rc;
}

void csv_table_free(CsvTable *t)
{
    tensor_release(t->values);
    if (t->names)
        for (int64_t k = 0; k < t->ncols; k++)
            free(t->names[k]);
    free(t->names);
    memset(t, 0, sizeof *t);
}
