-- Embedding.lua — nn.Embedding(num_embeddings, embedding_dim, {padding_idx=}):
-- a table of embedding_dim-vectors looked up by 1-based int64 indices.
local torch = require "torch"
local nn = require "nn"

local Embedding = nn.Module:extend("Embedding")

local OPTIONS = {padding_idx = true, dtype = true, _weight = true, _freeze = true}

local function check_options(opts)
  for k in pairs(opts) do
    if k == "max_norm" or k == "norm_type" or k == "scale_grad_by_freq" or k == "sparse" then
      error("Embedding: option '" .. k .. "' is not supported", 4)
    elseif not OPTIONS[k] then
      error("Embedding: unknown option '" .. tostring(k) .. "'", 4)
    end
  end
end

-- padding_idx as a positive 1-based row (negative counts from the end), or nil.
local function padding_row(p, n)
  if p == nil then return nil end
  if math.type(p) ~= "integer" or p == 0 or p > n or p < -n then
    error(string.format("Embedding: padding_idx must be an integer in 1..%d (or negative from the end), got %s",
      n, tostring(p)), 4)
  end
  return p > 0 and p or n + p + 1
end

function Embedding:init(num_embeddings, embedding_dim, opts)
  opts = opts or {}
  check_options(opts)
  if math.type(num_embeddings) ~= "integer" or math.type(embedding_dim) ~= "integer"
    or num_embeddings < 0 or embedding_dim < 0 then
    error("Embedding: num_embeddings and embedding_dim must be non-negative integers", 3)
  end
  self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
  self.padding_idx = padding_row(opts.padding_idx, num_embeddings)
  if opts._weight then
    self.weight = nn.Parameter(opts._weight, not opts._freeze)
  else
    self.weight = nn.Parameter(torch.empty(num_embeddings, embedding_dim, {dtype = opts.dtype}))
    self:reset_parameters()
  end
end

--- PyTorch's default: N(0, 1), with the padding row zero.
function Embedding:reset_parameters()
  nn.init.normal_(self.weight)
  if self.padding_idx then torch.no_grad(function() self.weight[self.padding_idx]:zero_() end) end
end
torch.doc(Embedding.reset_parameters, "embedding:reset_parameters()",
  "Draws the weight again from N(0, 1), with the padding row zero.",
  [[
torch.manual_seed(0)
local emb = nn.Embedding(3, 2, {padding_idx = 2})
emb:reset_parameters()
print(emb.weight)]])

function Embedding:forward(input)
  return nn.functional.embedding(input, self.weight, {padding_idx = self.padding_idx})
end

function Embedding:extra_repr()
  local s = string.format("%d, %d", self.num_embeddings, self.embedding_dim)
  if self.padding_idx then s = s .. ", padding_idx=" .. self.padding_idx end
  return s
end

--- An Embedding whose weight is `embeddings` (shared, not copied); frozen unless {freeze = false}.
function Embedding.from_pretrained(embeddings, opts)
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "freeze" and k ~= "padding_idx" then
      error("Embedding.from_pretrained: unknown option '" .. tostring(k) .. "'", 2)
    end
  end
  if not torch.is_tensor(embeddings) or embeddings:dim() ~= 2 then
    error("Embedding.from_pretrained: expected a 2-D tensor (num_embeddings x embedding_dim)", 2)
  end
  return Embedding(embeddings:size(1), embeddings:size(2),
    {padding_idx = opts.padding_idx, _weight = embeddings, _freeze = opts.freeze ~= false})
end
torch.doc(Embedding.from_pretrained, "nn.Embedding.from_pretrained(embeddings, {freeze=true, padding_idx=})",
  "An Embedding using the given (num_embeddings x embedding_dim) tensor as its weight; with freeze "
    .. "(the default) the weight does not require grad.",
  [[
local emb = nn.Embedding.from_pretrained(torch.tensor({{0.0, 1.0}, {2.0, 3.0}}))
print(emb(torch.tensor({2, 1})), emb.weight.requires_grad)]])

torch.doc(Embedding, "nn.Embedding(num_embeddings, embedding_dim, {padding_idx=, dtype=})",
  "A lookup table: forward(indices) returns the rows at the 1-based int64 indices (any shape), shape "
    .. "(indices..., embedding_dim).  Weight ~ N(0, 1); row padding_idx (1-based) starts at zero and "
    .. "gets no gradient.",
  [[
torch.manual_seed(0)
local emb = nn.Embedding(10, 3, {padding_idx = 1})
print(emb)
print(emb(torch.tensor({{1, 2}, {3, 1}})).shape[3], emb.weight[1])   -- row 1 is zeros]])
return Embedding
