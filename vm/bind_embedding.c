/*
 * bind_embedding.c — torch.embedding(weight, indices, padding_idx), the
 * lookup behind F.embedding and nn.Embedding (lib/nn/functional/sparse.lua).
 *
 * Indices are 1-based int64 values, handed to the core with base 1;
 * padding_idx is 1-based too (negative counts from the end) and becomes the
 * core's 0-based row, or -1 when absent.
 */
#include "autograd/ag_embedding.h"
#include "vm/bind_tensor.h"

static int l_embedding(lua_State *L)
{
    Tensor *weight = check_tensor(L, 1), *indices = check_tensor(L, 2);
    int64_t pad = -1;
    if (!lua_isnoneornil(L, 3)) {
        lua_Integer rows = weight->ndim == 2 ? weight->shape[0] : 0;
        lua_Integer v = luaL_checkinteger(L, 3);
        if (v == 0 || v > rows || v < -rows)
            return luaL_error(L, "embedding: padding_idx %I out of range for num_embeddings %I "
                              "(1..%I, or negative from the end)", v, rows, rows);
        pad = v > 0 ? v - 1 : rows + v;
    }
    push_tensor(L, ag_embedding(weight, indices, pad, 1));
    return 1;
}

static const BindFn embedding_functions[] = {
    {"embedding", l_embedding, "torch.embedding(weight, indices, [padding_idx])",
     "Rows of weight (num_embeddings x embedding_dim) at the 1-based int64 indices (any shape): "
     "a tensor of shape (indices' shape..., embedding_dim).  Row padding_idx (1-based) gets no "
     "gradient.",
     "local weight = torch.tensor({{0.0, 0}, {1, 1}, {2, 2}})  -- 3 embeddings of size 2\n"
     "print(torch.embedding(weight, torch.tensor({{1, 3}, {2, 2}})))"},
    {NULL, NULL, NULL, NULL},
};

void bind_embedding(lua_State *L)
{
    bind_functions(L, -1, embedding_functions);
}
