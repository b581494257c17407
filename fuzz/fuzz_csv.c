/*
 * fuzz_csv.c — libFuzzer harness for the numeric CSV reader (tensor/csv.c).
 *
 * Input: one byte of options (bits 0-1 pick the delimiter , ; TAB |, bit 2
 * says the first line is a header), then the text.  The table of an
 * accepted text is read back, names included.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "tensor/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t len = size - 1;
    char *text = malloc(len + 1);
    memcpy(text, data + 1, len);
    text[len] = '\0';
    CsvTable table;
    if (csv_parse("fuzz.csv", text, len, ",;\t|"[data[0] & 3], data[0] & 4, &table) == 0) {
        fuzz_touch(table.values);
        for (int64_t k = 0; table.names && k < table.ncols; k++)
            (void)strlen(table.names[k]);
        csv_table_free(&table);
    }
    free(text);
    return 0;
}
