/*
 * fuzz.h — what the libFuzzer harnesses in fuzz/ share.
 *
 * Each harness hands its input to one parser of outside bytes and, when the
 * parser accepts it, reads back every byte of the tensors it made: a tensor
 * whose memory is smaller than its shape says then shows up as an
 * AddressSanitizer report rather than passing quietly.  A parser's error
 * return is a normal outcome; only a sanitizer report, a crash, a leak or a
 * timeout is a finding.
 */
#ifndef LUAGRAD_FUZZ_H
#define LUAGRAD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "tensor/tensor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads all of t's elements (t is contiguous, as every parser returns it). */
static inline void fuzz_touch(const Tensor *t)
{
    const volatile unsigned char *p = tensor_data(t);
    size_t n = (size_t)tensor_numel(t) * dtype_size(t->dtype);
    unsigned char sum = 0;
    for (size_t i = 0; i < n; i++)
        sum ^= p[i];
    (void)sum;
}

#endif
