-- DataLoader.lua — batches of a dataset, epoch after epoch (PyTorch's
-- DataLoader, single-process).
--
--   local loader = data.DataLoader(ds, {batch_size = 64, shuffle = true})
--   for inputs, targets in loader:iter() do ... end      -- #loader batches
--
-- Each epoch asks the sampler for its order once (one int64 tensor; shuffled
-- samplers draw a new torch.randperm, so torch.manual_seed makes the run
-- reproducible) and slices batches out of it.  A batch of a dataset with
-- get_batch (TensorDataset, MNIST, Subsets of them) is gathered by it in one
-- index_select per tensor; other datasets are read sample by sample and the
-- samples collated (data.default_collate, or collate_fn).  There are no
-- worker processes: gathering a batch of 100 Fashion-MNIST images costs a few
-- microseconds, far below a training step, so prefetching would not pay.
local torch = require "torch"
local class = require "data.class"
local collate = require "data.collate"
local RandomSampler = require "data.samplers.RandomSampler"
local SequentialSampler = require "data.samplers.SequentialSampler"

local DataLoader = class.new("DataLoader")
local OPTIONS = {batch_size = true, shuffle = true, drop_last = true, collate_fn = true, sampler = true,
  generator = true, seed = true}

function DataLoader:init(dataset, opts)
  local fn = "DataLoader"
  opts = class.options(opts, fn, OPTIONS, 3)
  local ok, n = pcall(function() return #dataset end)
  if type(dataset) ~= "table" or type(dataset.get) ~= "function" or not ok or not class.integer(n) then
    error(fn .. ": expected a dataset (a table with get and #), got " .. type(dataset), 3)
  end
  self.dataset = dataset
  self.batch_size = class.positive_integer(opts.batch_size or 1, fn, "batch_size", 3)
  self.drop_last = opts.drop_last == true
  if opts.collate_fn ~= nil and type(opts.collate_fn) ~= "function" then
    error(fn .. ": collate_fn must be a function, got " .. type(opts.collate_fn), 3)
  end
  self.collate_fn = opts.collate_fn
  if opts.sampler ~= nil then
    if opts.shuffle then error(fn .. ": sampler and shuffle cannot be given together", 3) end
    if type(opts.sampler) ~= "table" or type(opts.sampler.indices) ~= "function" then
      error(fn .. ": sampler must have an indices() method (see data.Sampler), got " .. type(opts.sampler), 3)
    end
    self.sampler = opts.sampler
  elseif opts.shuffle then
    self.sampler = RandomSampler(dataset, {generator = opts.generator, seed = opts.seed})
  else
    self.sampler = SequentialSampler(dataset)
  end
  self.shuffle = opts.shuffle == true
end

--- The number of batches in an epoch.
function DataLoader:len()
  local n = #self.sampler
  if self.drop_last then return n // self.batch_size end
  return (n + self.batch_size - 1) // self.batch_size
end
torch.doc(DataLoader.len, "loader:len()",
  "The number of batches in an epoch, which #loader returns.",
  [[
local ds = data.TensorDataset(torch.zeros(10, 2))
print(#data.DataLoader(ds, {batch_size = 4}), #data.DataLoader(ds, {batch_size = 4, drop_last = true}))]])
DataLoader.__len = DataLoader.len

--- The batch of the given positions (a 1-D int64 tensor).
function DataLoader:fetch(indices)
  local ds = self.dataset
  if not self.collate_fn and ds.get_batch then return ds:get_batch(indices) end
  local samples = {}
  for k, i in ipairs(indices:totable()) do samples[k] = table.pack(ds:get(i)) end
  return (self.collate_fn or collate.default_collate)(samples)
end
torch.doc(DataLoader.fetch, "loader:fetch(indices)",
  "The batch of the given positions (a 1-D int64 tensor): the dataset's get_batch, or get "
    .. "and collation.",
  [[
local ds = data.TensorDataset(torch.arange(10):float():view(5, 2), torch.arange(5))
local loader = data.DataLoader(ds, {batch_size = 2})
print(loader:fetch(torch.tensor({5, 1})))]])

--- An iterator over one epoch's batches: for inputs, targets in loader:iter() do ... end
function DataLoader:iter()
  local order = self.sampler:indices()
  if not torch.is_tensor(order) or order:dim() ~= 1 or order.dtype ~= "int64" then
    error(class.name(self.sampler) .. ":indices() must return a 1-D int64 tensor", 2)
  end
  local n, b = order:numel(), 0
  local batches = self.drop_last and n // self.batch_size or (n + self.batch_size - 1) // self.batch_size
  return function()
    b = b + 1
    if b > batches then return nil end
    -- The previous batch and its temporaries are usually garbage by now.  A
    -- small collector step (a minor collection in luagrad's generational
    -- mode) frees them, so this batch reuses their warm memory instead of
    -- faulting in fresh pages: 0.14 s instead of 1.7 s per Fashion-MNIST
    -- epoch with ToTensor and Normalize.
    collectgarbage("step")
    local first = (b - 1) * self.batch_size + 1
    return self:fetch(order:narrow(1, first, math.min(self.batch_size, n - first + 1)))
  end
end

--- The sampler's random state (for a checkpoint taken between epochs).
function DataLoader:state_dict()
  return type(self.sampler.state_dict) == "function" and self.sampler:state_dict() or {}
end
torch.doc(DataLoader.state_dict, "loader:state_dict()",
  "The random state of the loader's sampler (when it has its own generator), to resume an "
    .. "interrupted run with the same order.",
  [[
local ds = data.TensorDataset(torch.arange(6))
local loader = data.DataLoader(ds, {batch_size = 3, shuffle = true, seed = 0})
local sd = loader:state_dict()
local first = loader:iter()()
loader:load_state_dict(sd)
print(first, loader:iter()())    -- the same first batch again]])

function DataLoader:load_state_dict(sd)
  if type(self.sampler.load_state_dict) == "function" then self.sampler:load_state_dict(sd) end
end
torch.doc(DataLoader.load_state_dict, "loader:load_state_dict(sd)",
  "Restores what state_dict returned.",
  [[
local ds = data.TensorDataset(torch.arange(6))
local a = data.DataLoader(ds, {batch_size = 6, shuffle = true, seed = 1})
local b = data.DataLoader(ds, {batch_size = 6, shuffle = true, seed = 2})
b:load_state_dict(a:state_dict())
print(a:iter()(), b:iter()())]])

function DataLoader:_repr()
  return string.format("DataLoader(%d samples, batch_size=%d, shuffle=%s, drop_last=%s: %d batches)",
    #self.sampler, self.batch_size, tostring(self.shuffle), tostring(self.drop_last), #self)
end

torch.doc(DataLoader,
  "data.DataLoader(dataset, {batch_size=1, shuffle=false, drop_last=false, collate_fn=, sampler=, seed=, generator=})",
  "Batches of a dataset: for inputs, targets in loader:iter() do ... end; #loader is the number of batches. "
  .. "Shuffling draws from torch.manual_seed's stream, or from its own with seed=/generator=.",
  [[
torch.manual_seed(0)
local ds = data.TensorDataset(torch.randn(10, 3), torch.randint(1, 4, {10}))
local loader = data.DataLoader(ds, {batch_size = 4, shuffle = true})
print(loader)
for x, y in loader:iter() do print(table.concat(x.shape, "x"), y) end]])
torch.doc(DataLoader.iter, "loader:iter()", "An iterator over one epoch's batches (a new order each epoch when shuffled).",
  [[
local ds = data.TensorDataset(torch.arange(5))
local loader = data.DataLoader(ds, {batch_size = 2})
for batch in loader:iter() do print(batch) end]])
return DataLoader
