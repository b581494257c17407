-- SubsetRandomSampler.lua — given positions, in a new random order each epoch.
local torch = require "torch"
local class = require "data.class"
local Generator = require "data.Generator"
local Sampler = require "data.Sampler"

local SubsetRandomSampler = Sampler:extend("SubsetRandomSampler")

function SubsetRandomSampler:init(indices, opts)
  local fn = "SubsetRandomSampler"
  opts = class.options(opts, fn, {generator = true, seed = true}, 3)
  if torch.is_tensor(indices) and indices:dim() == 1 and indices.dtype == "int64" then
    self.subset = indices:clone()
  elseif type(indices) == "table" and getmetatable(indices) == nil then
    for k, i in ipairs(indices) do
      if not class.integer(i) or i < 1 then
        error(string.format("%s: index %s (at %d) must be a positive integer", fn, tostring(i), k), 3)
      end
    end
    self.subset = torch.tensor(#indices > 0 and indices or {}, {dtype = "int64"})
  else
    error(fn .. ": indices must be a list or a 1-D int64 tensor", 3)
  end
  self.generator = Generator.from_options(opts, fn)
end

function SubsetRandomSampler:len() return self.subset:numel() end

function SubsetRandomSampler:indices()
  local n = #self
  if n == 0 then return self.subset:clone() end
  local perm = Generator.draw(self.generator, torch.randperm, n)
  return self.subset:index_select(1, perm)
end

torch.doc(SubsetRandomSampler, "data.SubsetRandomSampler(indices, {seed=, generator=})",
  "The given 1-based positions in a new random order each epoch.",
  [[
local s = data.SubsetRandomSampler({1, 3, 5, 7}, {seed = 0})
print(s:indices(), #s)]])
return SubsetRandomSampler
