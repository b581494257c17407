/*
 * test_helpers.h — shorthand shared by the C tests of tensor/: shapes and
 * indices written inline, and tensors whose values are known by heart.
 */
#ifndef LUAGRAD_TEST_HELPERS_H
#define LUAGRAD_TEST_HELPERS_H

#include "tensor/tensor.h"

/* SHAPE(2, 3) expands to the (ndim, shape) argument pair. */
#define SHAPE(...) \
    (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), (const int64_t[]){__VA_ARGS__}
/* AT(t, i, j) reads t[i][j] as a double. */
#define AT(t, ...) tensor_get((t), (const int64_t[]){__VA_ARGS__})

/* A contiguous tensor holding 0, 1, 2, ... in row-major order, so element
 * [i][j] of a 3x4 one is 4i + j. */
static inline Tensor *arange(int ndim, const int64_t *shape, DType dt)
{
    Tensor *t = tensor_empty(ndim, shape, dt);
    int64_t n = tensor_numel(t);
    for (int64_t i = 0; i < n; i++)
        dtype_store(dt, (char *)tensor_data(t) + i * (int64_t)dtype_size(dt), (double)i);
    return t;
}

#endif
