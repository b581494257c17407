-- WeightedRandomSampler.lua — num_samples positions drawn with probability
-- proportional to weights (PyTorch's torch.multinomial semantics).
--
-- With replacement each draw is a uniform number located in the cumulative
-- weights by binary search.  Without, it is Efraimidis and Spirakis'
-- weighted sampling ("Weighted random sampling with a reservoir", 2006): the
-- k largest keys log(u) / w are a weighted sample without replacement, in
-- one pass of tensor ops.
local torch = require "torch"
local class = require "data.class"
local Generator = require "data.Generator"
local Sampler = require "data.Sampler"

local WeightedRandomSampler = Sampler:extend("WeightedRandomSampler")

function WeightedRandomSampler:init(weights, num_samples, opts)
  local fn = "WeightedRandomSampler"
  opts = class.options(opts, fn, {replacement = true, generator = true, seed = true}, 3)
  local ok, w = pcall(torch.tensor, weights, {dtype = "float64"})
  if not ok or w:dim() ~= 1 or w:numel() == 0 then
    error(fn .. ": weights must be a non-empty list or 1-D tensor of numbers", 3)
  end
  if not w:ge(0):all():item() or not w:isfinite():all():item() or w:sum():item() <= 0 then
    error(fn .. ": weights must be finite, >= 0 and not all zero", 3)
  end
  self.weights = w
  self.num_samples = class.positive_integer(num_samples, fn, "num_samples", 3)
  self.replacement = opts.replacement ~= false
  local nonzero = w:gt(0):sum():item()
  if not self.replacement and self.num_samples > nonzero then
    error(string.format("%s: cannot draw %d samples without replacement from %d nonzero weights", fn,
      self.num_samples, nonzero), 3)
  end
  self.generator = Generator.from_options(opts, fn)
end

function WeightedRandomSampler:len() return self.num_samples end

local function with_replacement(w, k)
  local cdf = w:cumsum(1):totable()
  local total = cdf[#cdf]
  local u = torch.rand(k, {dtype = "float64"}):totable()
  local out = {}
  for s = 1, k do
    local x = u[s] * total
    local lo, hi = 1, #cdf            -- the first position whose cumulative weight exceeds x
    while lo < hi do
      local mid = (lo + hi) // 2
      if cdf[mid] > x then hi = mid else lo = mid + 1 end
    end
    out[s] = lo
  end
  return torch.tensor(out, {dtype = "int64"})
end

local function without_replacement(w, k)
  local keys = torch.rand(w:numel(), {dtype = "float64"}):log() / w
  local _, positions = keys:topk(k)
  return positions
end

function WeightedRandomSampler:indices()
  local draw = self.replacement and with_replacement or without_replacement
  return Generator.draw(self.generator, draw, self.weights, self.num_samples)
end

torch.doc(WeightedRandomSampler,
  "data.WeightedRandomSampler(weights, num_samples, {replacement=true, seed=, generator=})",
  "num_samples positions drawn with probability proportional to weights (to balance classes).",
  [[
-- Class 2 is rare (1 sample in 5): weigh each sample by 1 / its class count.
local targets = torch.tensor({1, 1, 1, 1, 2})
local weights = torch.tensor({0.25, 0.25, 0.25, 0.25, 1.0})
local s = data.WeightedRandomSampler(weights, 1000, {seed = 0})
print(targets:index_select(1, s:indices()):eq(2):sum())   -- about half the draws]])
return WeightedRandomSampler
