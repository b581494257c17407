/*
 * op_embedding.c — embedding lookups with their derivatives.
 *
 * The lookup y[i] = W[idx[i]] is a gather of rows, so dW is the scatter-add
 * of dy's rows into zeros of W's shape (tensor_embedding_backward), with
 * the padding row left at zero.  That scatter-add is itself recorded
 * (EmbeddingDenseBackward, PyTorch's name) so second derivatives pass: its
 * own derivative gathers the rows back, with the positions that named the
 * padding row zeroed, since they contributed nothing.  Index tensors carry
 * no gradient; each node saves them with num_weights, padding_idx and base.
 */
#include "autograd/ag_embedding.h"
#include "autograd/node.h"
#include "tensor/embedding.h"

static int embedding_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *idx = saved(n, 0);
    gi[0] = idx ? tmp(ag_embedding_backward(g[0], idx, n->i[0], n->i[1], n->i[2])) : NULL;
    return 0;
}

static int embedding_dense_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *idx = saved(n, 0);
    int64_t pad = n->i[1], base = n->i[2];
    Tensor *rows = idx ? tmp(ag_embedding(g[0], idx, -1, base)) : NULL;
    if (rows && pad >= 0) {
        Tensor *at_pad = tmp(tensor_scalar((double)(pad + base), DTYPE_INT64));
        Tensor *hit = f_compare(BINARY_EQ, idx, at_pad);
        Tensor *mask = hit ? tmp(tensor_unsqueeze(hit, -1)) : NULL;
        Tensor *zero = tmp_scalar(0, rows);
        rows = mask && zero ? tmp(ag_masked_fill(rows, mask, zero)) : NULL;
    }
    gi[0] = rows;
    return 0;
}

static const AgOp embedding_op = {"EmbeddingBackward", embedding_backward, NULL,
                                   "d(embedding(w, indices))/dw: g added into the rows the indices picked"};
static const AgOp embedding_dense_op = {"EmbeddingDenseBackward", embedding_dense_backward, NULL,
    "d(embedding(w, indices))/dw: g added into the rows the indices picked"};

/* Records out as op's result of input `in`, saving the indices and the
 * three numbers both formulas need. */
static Tensor *record(const AgOp *op, const Tensor *in, Tensor *out, const Tensor *indices,
                      int64_t num_weights, int64_t padding_idx, int64_t base)
{
    if (!out || !ag_should_record(1, &in))
        return out;
    AgNode *n = ag_node_new(op, 1, &in);
    if (n) {
        n->i[0] = num_weights, n->i[1] = padding_idx, n->i[2] = base;
        if (ag_save(n, 0, indices) < 0) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

Tensor *ag_embedding(const Tensor *weight, const Tensor *indices, int64_t padding_idx, int64_t base)
{
    if (!weight || !indices)
        return NULL;
    Tensor *out = tensor_embedding(weight, indices, base);
    return record(&embedding_op, weight, out, indices, weight->shape[0], padding_idx, base);
}

Tensor *ag_embedding_backward(const Tensor *grad, const Tensor *indices, int64_t num_weights,
                              int64_t padding_idx, int64_t base)
{
    if (!grad || !indices)
        return NULL;
    Tensor *out = tensor_embedding_backward(grad, indices, num_weights, padding_idx, base);
    return record(&embedding_dense_op, grad, out, indices, num_weights, padding_idx, base);
}
