/*
 * walk.c — stepping a multi-index through a shape in row-major order.
 *
 * The kernels that work a matrix (or an element) at a time over some outer
 * dims — batched matmul, tril/triu, nonzero — share this odometer: it keeps
 * one running offset per operand, so operands with different strides
 * (expanded, transposed) move together without recomputing offsets.
 */
#include "tensor/tensor.h"

bool walk_next(int n, const int64_t *shape, int64_t *idx, int narg,
               const int64_t *const *strides, int64_t *off)
{
    for (int d = n - 1; d >= 0; d--) {
        bool carry = ++idx[d] == shape[d];
        for (int k = 0; k < narg; k++)
            off[k] += carry ? -(shape[d] - 1) * strides[k][d] : strides[k][d];
        if (!carry)
            return true;
        idx[d] = 0;
    }
    return false;
}
