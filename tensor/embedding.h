/*
 * embedding.h — the kernels of an embedding lookup (tensor/embedding.c).
 *
 * weight is a (V, D) table; indices (int64, any shape, values counting from
 * `base`: 1 from Lua, 0 from C) pick its rows.  The forward is a gather of
 * whole rows; the backward adds each gradient row into the row it came
 * from, skipping the padding row, which gets no gradient (PyTorch's
 * padding_idx).
 */
#ifndef LUAGRAD_TENSOR_EMBEDDING_H
#define LUAGRAD_TENSOR_EMBEDDING_H

#include "tensor/tensor.h"

/* (indices' shape..., D): row indices[i] of weight at position i.  An index
 * out of range fails naming it and num_embeddings. */
Tensor *tensor_embedding(const Tensor *weight, const Tensor *indices, int64_t base);
/* Zeros (num_weights, D) with each row of grad (indices' shape..., D) added
 * into the row its index names, except row padding_idx (0-based; -1 for
 * none).  Rows are split between threads by row number, so every row sums
 * its contributions in index order and the result is the same for any
 * thread count.  Floating grad only. */
Tensor *tensor_embedding_backward(const Tensor *grad, const Tensor *indices, int64_t num_weights,
                                  int64_t padding_idx, int64_t base);
/* The same as one serial loop: the yardstick for the threaded one. */
Tensor *tensor_embedding_backward_ref(const Tensor *grad, const Tensor *indices,
                                      int64_t num_weights, int64_t padding_idx, int64_t base);

#endif
