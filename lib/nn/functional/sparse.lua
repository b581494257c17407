-- nn.functional.sparse — F.embedding, the lookup of nn.Embedding, over
-- torch.embedding (tensor/embedding.c: a gather of rows forward, a
-- deterministic scatter-add backward that skips the padding row).
local torch = require "torch"

local M = {}

local UNSUPPORTED = {max_norm = true, norm_type = true, scale_grad_by_freq = true, sparse = true}

--- Rows of weight at 1-based int64 indices of any shape.
function M.embedding(input, weight, opts)
  opts = opts or {}
  if type(opts) ~= "table" then error("embedding: options must be a table ({padding_idx = ...})", 2) end
  for k in pairs(opts) do
    if UNSUPPORTED[k] then
      error(string.format("embedding: option '%s' is not supported", tostring(k)), 2)
    elseif k ~= "padding_idx" then
      error(string.format("embedding: unknown option '%s'", tostring(k)), 2)
    end
  end
  if type(input) == "table" and not torch.is_tensor(input) then
    input = torch.tensor(input, {dtype = "int64"})
  end
  if not (torch.is_tensor(input) and torch.is_tensor(weight)) then
    error("embedding: expected an index tensor (or list) and a weight tensor", 2)
  end
  return torch.embedding(weight, input, opts.padding_idx)
end
torch.doc(M.embedding, "F.embedding(input, weight, {padding_idx=})",
  "Rows of weight (num_embeddings x embedding_dim) at the 1-based int64 indices in input (any "
    .. "shape; a Lua list works too): shape (input's shape..., embedding_dim).  Row padding_idx "
    .. "(1-based, negative from the end) gets no gradient.",
  [[
local weight = torch.tensor({{0.0, 0.0}, {1.0, 1.0}, {2.0, 4.0}})
print(F.embedding({3, 1, 3}, weight))     -- rows 3, 1, 3]])

return M
