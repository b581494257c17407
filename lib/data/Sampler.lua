-- Sampler.lua — data.Sampler, the base class of the samplers.
--
-- A sampler decides the order of one epoch: sampler:indices() returns it as a
-- 1-D int64 tensor of 1-based dataset positions (one tensor, not an iterator
-- of numbers, so the DataLoader slices a batch out of it with one narrow), and
-- #sampler is its length.  Random samplers draw from the global stream
-- (torch.manual_seed) or from their own data.Generator ({seed =} or
-- {generator =}), whose state sampler:state_dict() saves for a checkpoint.
local torch = require "torch"
local class = require "data.class"

local Sampler = class.new("Sampler")

function Sampler:init() end

function Sampler:indices()
  error(class.name(self) .. ": indices is not defined", 2)
end
torch.doc(Sampler.indices, "sampler:indices()",
  "One epoch's order: a 1-D int64 tensor of 1-based dataset positions; each sampler defines "
    .. "it.",
  [[
print(data.SequentialSampler(4):indices())]])

function Sampler:len()
  error(class.name(self) .. ": len is not defined", 2)
end
torch.doc(Sampler.len, "sampler:len()",
  "The number of positions an epoch yields, which #sampler returns; each sampler defines "
    .. "it.",
  [[
local s = data.RandomSampler(10, {replacement = true, num_samples = 3})
print(s:len(), #s)]])

Sampler.__len = function(self) return self:len() end

--- The size of a dataset or a count.
function Sampler._count(source, fn)
  local ok, n = pcall(function() return #source end)
  if type(source) == "number" then n, ok = class.integer(source), true end
  if not ok or not class.integer(n) or n < 0 then
    error(fn .. ": expected a dataset or a sample count, got " .. type(source), 4)
  end
  return class.integer(n)
end

function Sampler:state_dict()
  return self.generator and self.generator:state_dict() or {}
end
torch.doc(Sampler.state_dict, "sampler:state_dict()",
  "The state of the sampler's own generator ({} when it draws from the global stream), for "
    .. "a checkpoint.",
  [[
local s = data.RandomSampler(5, {seed = 1})
local sd = s:state_dict()
local a = s:indices()
s:load_state_dict(sd)
print(a, s:indices())            -- the same order again]])

function Sampler:load_state_dict(sd)
  if self.generator and sd.state then self.generator:load_state_dict(sd) end
end
torch.doc(Sampler.load_state_dict, "sampler:load_state_dict(sd)",
  "Restores what state_dict returned.",
  [[
local a, b = data.RandomSampler(5, {seed = 1}), data.RandomSampler(5, {seed = 2})
b:load_state_dict(a:state_dict())
print(a:indices(), b:indices())]])

function Sampler:_repr() return string.format("%s(%d samples)", class.name(self), #self) end

torch.doc(Sampler, "data.Sampler",
  "The base class of samplers: sampler:indices() returns one epoch's order as an int64 tensor of 1-based "
  .. "positions; #sampler its length.",
  [[
-- Every other sample, as a sampler written in Lua.
local EveryOther = data.Sampler:extend("EveryOther")
function EveryOther:init(n) self.n = n end
function EveryOther:indices() return torch.arange(1, self.n + 1, 2) end
function EveryOther:len() return (self.n + 1) // 2 end
local ds = data.TensorDataset(torch.arange(10))
for x in data.DataLoader(ds, {batch_size = 5, sampler = EveryOther(#ds)}):iter() do print(x) end]])
return Sampler
