-- TensorDataset.lua — samples are rows of tensors that share their first dim
-- (PyTorch's TensorDataset): get(i) returns x[i], y[i], ...; a batch is one
-- index_select per tensor.
local torch = require "torch"
local class = require "data.class"
local Dataset = require "data.Dataset"

local TensorDataset = Dataset:extend("TensorDataset")

local function shape_text(t)
  return #t.shape == 0 and "[]" or table.concat(t.shape, "x")
end

function TensorDataset:init(...)
  local name = class.name(self)
  local ts = table.pack(...)
  if ts.n == 0 then error(name .. ": needs at least one tensor", 3) end
  for i = 1, ts.n do
    local t = ts[i]
    if not torch.is_tensor(t) then error(string.format("%s: argument %d is a %s, not a tensor", name, i, type(t)), 3) end
    if t:dim() == 0 then error(string.format("%s: tensor %d is 0-dim; samples are rows of dim 1", name, i), 3) end
    if t:size(1) ~= ts[1]:size(1) then
      error(string.format("%s: size mismatch between tensors: tensor 1 has %d rows (%s), tensor %d has %d (%s)", name,
        ts[1]:size(1), shape_text(ts[1]), i, t:size(1), shape_text(t)), 3)
    end
  end
  self.tensors = {table.unpack(ts, 1, ts.n)}
end

function TensorDataset:len() return self.tensors[1]:size(1) end

--- Row i of every tensor.
function TensorDataset:get(i)
  i = self:_check_index(i)
  local out = {}
  for k, t in ipairs(self.tensors) do out[k] = t[i] end
  return table.unpack(out)
end

--- The rows at `indices` (a 1-D int64 tensor of 1-based positions) of every tensor.
function TensorDataset:get_batch(indices)
  local out = {}
  for k, t in ipairs(self.tensors) do out[k] = t:index_select(1, indices) end
  return table.unpack(out)
end
torch.doc(TensorDataset.get_batch, "ds:get_batch(indices)",
  "The rows at indices (a 1-D int64 tensor) of every tensor, gathered with one index_select "
    .. "each; the DataLoader uses it in place of get and collation.",
  [[
local ds = data.TensorDataset(torch.arange(8):view(4, 2), torch.tensor({1, 2, 3, 4}))
print(ds:get_batch(torch.tensor({4, 2})))]])

torch.doc(TensorDataset, "data.TensorDataset(x, y, ...)",
  "A dataset of the rows of tensors sharing their first dim: get(i) returns x[i], y[i], ...",
  [[
local x, y = torch.arange(6):float():view(3, 2), torch.tensor({1, 2, 1})
local ds = data.TensorDataset(x, y)
print(ds, ds:get(2))]])
return TensorDataset
