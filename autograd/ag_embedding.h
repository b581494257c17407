/*
 * ag_embedding.h — embedding lookups, differentiable (autograd/op_embedding.c).
 *
 * Index values count from `base` (the Lua binding passes 1); padding_idx is
 * the 0-based row that gets no gradient, -1 for none.
 */
#ifndef LUAGRAD_AG_EMBEDDING_H
#define LUAGRAD_AG_EMBEDDING_H

#include "autograd/autograd.h"

/* Rows of weight (V, D) at indices: (indices' shape..., D). */
Tensor *ag_embedding(const Tensor *weight, const Tensor *indices, int64_t padding_idx,
                     int64_t base);
/* Its gradient to weight: grad's rows added into zeros (num_weights, D). */
Tensor *ag_embedding_backward(const Tensor *grad, const Tensor *indices, int64_t num_weights,
                              int64_t padding_idx, int64_t base);

#endif
