/*
 * pool.h — pooling kernels: max, average and their adaptive forms over the
 * last one or two dims (pool.c), and the naive references they are tested
 * against (pool_ref.c).
 *
 * An input is a stack of planes: (N, C, H, W) or (C, H, W) for the 2-D pools,
 * (N, C, L) or (C, L) for the 1-D ones (a plane of height 1).  Every output
 * element is reduced over a window of its plane; max pools also return where
 * the max was, as an int64 flat position within the plane (h * W + w,
 * 0-based), which is all their backward needs.  Shapes and the output-size
 * rule (floor or ceil, padding at most half the kernel) are PyTorch's.
 * Floating dtypes only.
 */
#ifndef LUAGRAD_POOL_H
#define LUAGRAD_POOL_H

#include "tensor/tensor.h"

typedef enum { POOL_MAX, POOL_AVG, POOL_ADAPTIVE_MAX, POOL_ADAPTIVE_AVG } PoolKind;

/* What to pool.  Per spatial dim (index 0 is H, 1 is W; a 1-D pool uses
 * index 1 and keeps index 0 at kernel 1, stride 1, no padding). */
typedef struct {
    PoolKind kind;
    int dims;                      /* spatial dims: 1 or 2 */
    int64_t kernel[2], stride[2], padding[2], dilation[2];
    bool ceil_mode;
    bool count_include_pad;        /* average: padding counts in the divisor */
    int64_t divisor_override;      /* average: 0 for none */
    int64_t output_size[2];        /* adaptive pools */
} PoolSpec;

/* A spec with PyTorch's defaults for `kind` over `dims` spatial dims:
 * kernel 1, stride = kernel (set it after the kernel), no padding,
 * dilation 1, floor mode, count_include_pad. */
PoolSpec pool_spec(PoolKind kind, int dims);
/* "max_pool2d", "adaptive_avg_pool2d", ...: how messages name the op. */
const char *pool_name(const PoolSpec *s);
/* Checks the spec against an input shape and gives the output's; -1 with
 * a message naming the op and the shapes. */
int pool_output_shape(const PoolSpec *s, int ndim, const int64_t *in_shape, int64_t *out_shape);

/* Max pools (POOL_MAX, POOL_ADAPTIVE_MAX): values and flat positions.  A NaN
 * in a window wins, as in PyTorch. */
int tensor_max_pool(const Tensor *x, const PoolSpec *s, Tensor **out, Tensor **indices);
/* Average pools (POOL_AVG, POOL_ADAPTIVE_AVG). */
Tensor *tensor_avg_pool(const Tensor *x, const PoolSpec *s);
/* The gradient of an average pool for an input of `in_shape`: each output
 * gradient spread evenly over its window (the adjoint of tensor_avg_pool). */
Tensor *tensor_avg_pool_backward(const Tensor *grad, const PoolSpec *s, int ndim,
                                 const int64_t *in_shape);
/* The gradient of a max pool: zeros of `in_shape` with each grad element
 * added at its plane position (indices: the max pool's, grad's shape). */
Tensor *tensor_pool_scatter(const Tensor *grad, const Tensor *indices, int ndim,
                            const int64_t *in_shape, int dims);
/* Its adjoint: x (the input's shape) read at the positions, indices' shape. */
Tensor *tensor_pool_gather(const Tensor *x, const Tensor *indices, int dims);

/* pool_ref.c: the same results by the textbook loops (window bounds worked
 * out per element, every value read through tensor_get), for the tests. */
int tensor_max_pool_ref(const Tensor *x, const PoolSpec *s, Tensor **out, Tensor **indices);
Tensor *tensor_avg_pool_ref(const Tensor *x, const PoolSpec *s);

#endif
