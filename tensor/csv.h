/*
 * csv.h — numeric tables in delimited text (CSV, TSV, ...).
 *
 * Every row holds the same number of fields, each a number as strtod reads
 * it (decimal, exponent, inf, nan), optionally in double quotes and padded
 * with spaces or tabs.  An optional first line holds the column names.
 * Blank lines are skipped; "\r\n" line ends are accepted.
 */
#ifndef LUAGRAD_CSV_H
#define LUAGRAD_CSV_H

#include "tensor/tensor.h"

typedef struct {
    Tensor *values;      /* (rows, cols) float64 */
    int64_t ncols;
    char **names;        /* ncols names when the file has a header, else NULL */
} CsvTable;

/* 0, or -1 with "read_csv: <path>:<line>: what is wrong". */
int csv_read(const char *path, char delimiter, bool header, CsvTable *out);
/* The same from text[0..size), which must be followed by a NUL (text[size]
 * == 0); fields are NUL-terminated in place while they are converted and
 * restored after.  `path` only names the text in messages. */
int csv_parse(const char *path, char *text, size_t size, char delimiter, bool header, CsvTable *out);
void csv_table_free(CsvTable *t);

#endif
