/*
 * matmul_ref.c — the textbook matrix product, kept as the yardstick for the
 * BLAS paths in matmul.c (llm.c keeps its naive matmul_forward for the same
 * reason).  It reads every element through tensor_get, whatever the strides,
 * and accumulates in double, so it shares no code and no layout decision
 * with the kernels it checks.  Slow on purpose; only tests call it.
 */
#include "tensor/tensor.h"

Tensor *tensor_matmul_ref(const Tensor *a, const Tensor *b)
{
    int nd = a->ndim;
    if (nd != b->ndim || (nd != 2 && nd != 3))
        return tensor_fail("matmul_ref: expected two 2-D or two 3-D tensors");
    int64_t batch = nd == 3 ? a->shape[0] : 1, m = a->shape[nd - 2], k = a->shape[nd - 1];
    int64_t n = b->shape[nd - 1];
    if (b->shape[nd - 2] != k || (nd == 3 && b->shape[0] != batch))
        return tensor_fail("matmul_ref: shapes do not match");
    int64_t shape[3] = {batch, m, n};
    Tensor *c = tensor_empty(nd, shape + (3 - nd), a->dtype);
    if (!c)
        return NULL;
    /* Index arrays hold (batch, row, col); 2-D tensors read from [1]. */
    int64_t ia[3], ib[3], ic[3];
    const int skip = 3 - nd;
    for (int64_t s = 0; s < batch; s++)
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                double sum = 0;
                for (int64_t p = 0; p < k; p++) {
                    ia[0] = ib[0] = s, ia[1] = i, ia[2] = p, ib[1] = p, ib[2] = j;
                    sum += tensor_get(a, ia + skip) * tensor_get(b, ib + skip);
                }
                ic[0] = s, ic[1] = i, ic[2] = j;
                tensor_set(c, ic + skip, sum);
            }
    return c;
}
