-- ConcatDataset.lua — several datasets one after the other (PyTorch's
-- ConcatDataset; `ds1 + ds2` makes one).
local torch = require "torch"
local class = require "data.class"
local Dataset = require "data.Dataset"

local ConcatDataset = Dataset:extend("ConcatDataset")

function ConcatDataset:init(datasets)
  local name = class.name(self)
  if type(datasets) ~= "table" or getmetatable(datasets) ~= nil or #datasets == 0 then
    error(name .. ": expected a non-empty list of datasets", 3)
  end
  self.datasets, self.cumulative_sizes = {}, {}
  local total = 0
  for k, ds in ipairs(datasets) do
    if type(ds) ~= "table" or type(ds.get) ~= "function" then
      error(string.format("%s: item %d is a %s, not a dataset (with get and #)", name, k, type(ds)), 3)
    end
    total = total + #ds
    self.datasets[k], self.cumulative_sizes[k] = ds, total
  end
end

function ConcatDataset:len() return self.cumulative_sizes[#self.cumulative_sizes] end

function ConcatDataset:get(i)
  i = self:_check_index(i)
  local sizes = self.cumulative_sizes
  local lo, hi = 1, #sizes          -- the first dataset whose cumulative size reaches i
  while lo < hi do
    local mid = (lo + hi) // 2
    if sizes[mid] >= i then hi = mid else lo = mid + 1 end
  end
  return self.datasets[lo]:get(i - (sizes[lo - 1] or 0))
end

torch.doc(ConcatDataset, "data.ConcatDataset({ds1, ds2, ...})",
  "The samples of several datasets one after the other; ds1 + ds2 makes one.",
  [[
local a = data.TensorDataset(torch.zeros(3))
local b = data.TensorDataset(torch.ones(2))
local both = data.ConcatDataset({a, b})
print(both, both:get(4), #(a + b))]])
return ConcatDataset
