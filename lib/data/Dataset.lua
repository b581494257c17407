-- Dataset.lua — data.Dataset, the base class of datasets.
--
-- The protocol (PyTorch's map-style dataset, 1-based): #ds is the number of
-- samples and ds:get(i) returns sample i as one or more values, usually
-- `input, target`.  Any table with __len and get works with the DataLoader;
-- this base class adds the bounds check, `ds1 + ds2` (a ConcatDataset) and a
-- repr.  A dataset may also define ds:get_batch(indices) (indices: a 1-D
-- int64 tensor) returning whole batches, which the DataLoader then uses in
-- place of get and collation: TensorDataset and MNIST gather a batch in one
-- index_select per tensor.
local torch = require "torch"
local class = require "data.class"

local Dataset = class.new("Dataset")

function Dataset:init() end

--- The number of samples; subclasses define len.
function Dataset:len()
  error(class.name(self) .. ": len is not defined (define " .. class.name(self) .. ":len)", 2)
end
torch.doc(Dataset.len, "ds:len()",
  "The number of samples, which #ds returns; each dataset defines it.",
  [[
local ds = data.TensorDataset(torch.zeros(5, 2))
print(ds:len(), #ds)]])

function Dataset:get()
  error(class.name(self) .. ": get is not defined (define " .. class.name(self) .. ":get)", 2)
end
torch.doc(Dataset.get, "ds:get(i)",
  "Sample i (1-based) as one or more values, usually input, target; each dataset defines "
    .. "it.",
  [[
local ds = data.TensorDataset(torch.tensor({{1, 2}, {3, 4}}), torch.tensor({10, 20}))
print(ds:get(2))]])

Dataset.__len = function(self) return self:len() end
Dataset.__add = function(a, b) return require("data.ConcatDataset")({a, b}) end

--- i as an integer in 1..#self, or an error naming the dataset.
function Dataset:_check_index(i)
  local k, n = class.integer(i), #self
  if not k then
    error(string.format("%s: index must be an integer, got %s", class.name(self), type(i) == "number" and tostring(i)
      or type(i)), 3)
  end
  if k < 1 or k > n then
    error(string.format("%s: index %d out of range (the dataset has %d samples)", class.name(self), k, n), 3)
  end
  return k
end

function Dataset:_repr()
  return string.format("%s(%d samples)", class.name(self), #self)
end

torch.doc(Dataset.extend, "data.Dataset:extend(name)",
  "A subclass named name; every class of data (datasets, samplers, transforms, DataLoader) has this same "
    .. "extend. Define init(...) and the protocol's methods on it; calling the class makes an instance.",
  [[
local Range = data.Dataset:extend("Range")
function Range:init(n) self.n = n end
function Range:len() return self.n end
function Range:get(i) return i end
print(Range, Range(3), Range(3):get(2))]])

torch.doc(Dataset, "data.Dataset",
  "The base class of datasets: subclass with data.Dataset:extend(name) and define len() and get(i) "
  .. "(1-based, returning input, target, ...). ds1 + ds2 concatenates.",
  [[
local Squares = data.Dataset:extend("Squares")
function Squares:init(n) self.n = n end
function Squares:len() return self.n end
function Squares:get(i) return torch.tensor({i}), i * i end
local ds = Squares(4)
print(ds, #ds, ds:get(3))
for x, y in data.DataLoader(ds, {batch_size = 2}):iter() do print(x:view(-1), y) end]])
return Dataset
