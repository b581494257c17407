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

function Sampler:len()
  error(class.name(self) .. ": len is not defined", 2)
end

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

function Sampler:load_state_dict(sd)
  if self.generator and sd.state then self.generator:load_state_dict(sd) end
end

function Sampler:_repr() return string.format("%s(%d samples)", class.name(self), #self) end

torch.doc(Sampler, "data.Sampler",
  "The base class of samplers: sampler:indices() returns one epoch's order as an int64 tensor of 1-based "
  .. "positions; #sampler its length.")
return Sampler
