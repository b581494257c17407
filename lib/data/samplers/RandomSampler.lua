-- RandomSampler.lua — a new random permutation every epoch (or, with
-- replacement, num_samples independent draws).
local torch = require "torch"
local class = require "data.class"
local Generator = require "data.Generator"
local Sampler = require "data.Sampler"

local RandomSampler = Sampler:extend("RandomSampler")
local OPTIONS = {replacement = true, num_samples = true, generator = true, seed = true}

function RandomSampler:init(source, opts)
  local fn = "RandomSampler"
  opts = class.options(opts, fn, OPTIONS, 3)
  self.n = Sampler._count(source, fn)
  self.replacement = opts.replacement == true
  self.num_samples = opts.num_samples and class.positive_integer(opts.num_samples, fn, "num_samples", 3) or self.n
  if not self.replacement and self.num_samples > self.n then
    error(string.format("%s: num_samples %d is more than the %d samples (without replacement)", fn,
      self.num_samples, self.n), 3)
  end
  self.generator = Generator.from_options(opts, fn)
end

function RandomSampler:len() return self.num_samples end

function RandomSampler:indices()
  local n, k = self.n, self.num_samples
  if k == 0 or n == 0 then return torch.zeros(0, {dtype = "int64"}) end
  return Generator.draw(self.generator, function()
    if self.replacement then return torch.randint(1, n + 1, {k}) end
    local perm = torch.randperm(n)
    return k == n and perm or perm:narrow(1, 1, k)
  end)
end

torch.doc(RandomSampler, "data.RandomSampler(dataset or n, {replacement=false, num_samples=, seed=, generator=})",
  "A random order of the samples each epoch (a new torch.randperm); with replacement, num_samples "
  .. "independent draws.",
  [[
torch.manual_seed(0)
print(data.RandomSampler(5):indices())
print(data.RandomSampler(5, {replacement = true, num_samples = 8}):indices())]])
return RandomSampler
