/*
 * fuzz_npy.c — libFuzzer harness for the .npy reader (tensor/npy.c): the
 * input is a whole file, read from memory through fmemopen.  The tensor of
 * an accepted file is read back.
 */
#include <stdio.h>

#include "fuzz/fuzz.h"
#include "tensor/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fmemopen((void *)data, size, "rb");
    if (!fp)
        return 0;
    Tensor *t = npy_read_stream(fp, size, "fuzz.npy");
    fclose(fp);
    if (t) {
        fuzz_touch(t);
        tensor_release(t);
    }
    return 0;
}
