-- Subset.lua — the samples of a dataset at given indices (PyTorch's Subset).
local torch = require "torch"
local class = require "data.class"
local Dataset = require "data.Dataset"
local collate = require "data.collate"

local Subset = Dataset:extend("Subset")

--- indices: a Lua list or a 1-D int64 tensor of 1-based positions in dataset.
function Subset:init(dataset, indices)
  local name = class.name(self)
  if type(dataset) ~= "table" or type(dataset.get) ~= "function" then
    error(name .. ": expected a dataset (with get and #), got " .. type(dataset), 3)
  end
  if torch.is_tensor(indices) then
    if indices:dim() ~= 1 or indices.dtype ~= "int64" then
      error(string.format("%s: indices must be a 1-D int64 tensor, got %s of %d dims", name, indices.dtype,
        indices:dim()), 3)
    end
    indices = indices:totable()
  elseif type(indices) ~= "table" then
    error(name .. ": indices must be a list or a 1-D int64 tensor, got " .. type(indices), 3)
  end
  local n = #dataset
  local list = {}
  for k, i in ipairs(indices) do
    local j = class.integer(i)
    if not j or j < 1 or j > n then
      error(string.format("%s: index %s (at %d) out of range for a dataset of %d samples", name, tostring(i), k, n), 3)
    end
    list[k] = j
  end
  self.dataset = dataset
  self.indices = list
end

function Subset:len() return #self.indices end

function Subset:get(i)
  return self.dataset:get(self.indices[self:_check_index(i)])
end

--- A whole batch through the dataset's get_batch when it has one.
function Subset:get_batch(indices)
  local positions = indices:totable()
  local mapped = {}
  for k, i in ipairs(positions) do mapped[k] = self.indices[self:_check_index(i)] end
  if self.dataset.get_batch then
    return self.dataset:get_batch(torch.tensor(mapped, {dtype = "int64"}))
  end
  local samples = {}
  for k, i in ipairs(mapped) do samples[k] = table.pack(self.dataset:get(i)) end
  return collate.default_collate(samples)
end
torch.doc(Subset.get_batch, "ds:get_batch(indices)",
  "The samples at the Subset's positions indices, gathered through the dataset's get_batch "
    .. "when it has one.",
  [[
local ds = data.TensorDataset(torch.arange(10))
local sub = data.Subset(ds, {10, 8, 6})
print(sub:get_batch(torch.tensor({1, 3})))]])

torch.doc(Subset, "data.Subset(dataset, indices)",
  "The samples of dataset at indices (a list or an int64 tensor of 1-based positions).",
  [[
local ds = data.TensorDataset(torch.arange(10))
local evens = data.Subset(ds, {2, 4, 6, 8, 10})
print(evens, evens:get(1))]])
return Subset
