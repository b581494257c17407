/*
 * fuzz_safetensors.c — libFuzzer harness for the safetensors reader
 * (tensor/safetensors.c): the input is a whole file, read from memory
 * through fmemopen.  Every tensor of an accepted file is read back.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz/fuzz.h"
#include "tensor/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fmemopen((void *)data, size, "rb");
    if (!fp)
        return 0;
    Safetensors *st = safetensors_read_stream(fp, size, "fuzz.safetensors");
    fclose(fp);
    if (st) {
        for (size_t i = 0; i < st->count; i++)
            fuzz_touch(st->entries[i].tensor);
        safetensors_free(st);
        free(st);
    }
    return 0;
}
