-- SequentialSampler.lua — 1, 2, ..., n in order.
local torch = require "torch"
local Sampler = require "data.Sampler"

local SequentialSampler = Sampler:extend("SequentialSampler")

function SequentialSampler:init(source)
  self.n = Sampler._count(source, "SequentialSampler")
end

function SequentialSampler:len() return self.n end

function SequentialSampler:indices()
  return torch.arange(1, self.n + 1, {dtype = "int64"})
end

torch.doc(SequentialSampler, "data.SequentialSampler(dataset or n)", "The positions 1..n in order.",
  [[
local s = data.SequentialSampler(data.TensorDataset(torch.zeros(4)))
print(s, s:indices())]])
return SequentialSampler
