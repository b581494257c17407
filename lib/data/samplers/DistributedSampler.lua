-- DistributedSampler.lua — each process of a data-parallel job its own
-- shard of every epoch (PyTorch's DistributedSampler, same rules).
--
-- All processes draw the same order (a permutation seeded with seed + epoch,
-- so call set_epoch(e) before each epoch for a new one), pad it by repeating
-- its beginning to a multiple of the number of processes (or, with
-- drop_last, cut it down to one), and process r takes every num_replicas-th
-- position from r + 1.  The shards are disjoint and equally long, so the
-- batches of one step together are one global batch.
local torch = require "torch"
local class = require "data.class"
local dist = require "dist"
local Generator = require "data.Generator"
local Sampler = require "data.Sampler"

local DistributedSampler = Sampler:extend("DistributedSampler")
local OPTIONS = {num_replicas = true, rank = true, shuffle = true, seed = true, drop_last = true}

function DistributedSampler:init(source, opts)
  local fn = "DistributedSampler"
  opts = class.options(opts, fn, OPTIONS, 3)
  self.n = Sampler._count(source, fn)
  self.num_replicas = opts.num_replicas ~= nil and class.positive_integer(opts.num_replicas, fn, "num_replicas", 3)
    or dist.world_size()
  local rank = opts.rank == nil and dist.rank() or class.integer(opts.rank)
  if not rank or rank < 0 or rank >= self.num_replicas then
    error(string.format("%s: rank must be 0 .. %d (num_replicas - 1), got %s", fn, self.num_replicas - 1,
      tostring(opts.rank)), 3)
  end
  self.rank = rank
  if opts.seed ~= nil and not class.integer(opts.seed) then
    error(fn .. ": seed must be an integer, got " .. tostring(opts.seed), 3)
  end
  self.seed = class.integer(opts.seed) or 0
  self.shuffle = opts.shuffle ~= false
  self.drop_last = opts.drop_last == true
  self.epoch = 0
  local r = self.num_replicas
  if self.drop_last and self.n % r ~= 0 then
    self.num_samples = (self.n - 1) // r      -- PyTorch's ceil((n - r) / r): whole rows only
  else
    self.num_samples = (self.n + r - 1) // r
  end
  self.total_size = self.num_samples * r
end

function DistributedSampler:len() return self.num_samples end

--- The epoch that seeds the next order (shuffle); call it before every epoch.
function DistributedSampler:set_epoch(epoch)
  if not class.integer(epoch) then
    error("DistributedSampler.set_epoch: epoch must be an integer, got " .. tostring(epoch), 2)
  end
  self.epoch = class.integer(epoch)
end

function DistributedSampler:indices()
  if self.num_samples == 0 then return torch.zeros(0, {dtype = "int64"}) end
  local order
  if self.shuffle then
    order = Generator(self.seed + self.epoch):run(torch.randperm, self.n)
  else
    order = torch.arange(1, self.n + 1, {dtype = "int64"})
  end
  if self.total_size > self.n then       -- pad by repeating the order from its start
    order = order:repeatTensor((self.total_size + self.n - 1) // self.n)
  end
  order = order:narrow(1, 1, self.total_size)
  return order:view(self.num_samples, self.num_replicas):select(2, self.rank + 1):contiguous()
end

function DistributedSampler:_repr()
  return string.format("DistributedSampler(%d of %d samples, rank %d of %d, shuffle=%s)", self.num_samples,
    self.n, self.rank, self.num_replicas, tostring(self.shuffle))
end

torch.doc(DistributedSampler,
  "data.DistributedSampler(dataset or n, {num_replicas=dist.world_size(), rank=dist.rank(), shuffle=true, "
  .. "seed=0, drop_last=false})",
  "This process's shard of each epoch: the same order in every process (seed + epoch; call "
  .. "sampler:set_epoch(e)), padded to a multiple of num_replicas, every num_replicas-th position from rank + 1. "
  .. "Give it to data.DataLoader as {sampler = ...}.",
  "print(data.DistributedSampler(10, {num_replicas = 3, rank = 1, shuffle = false}):indices())")
torch.doc(DistributedSampler.set_epoch, "sampler:set_epoch(epoch)",
  "Sets the epoch the shuffled order is seeded with (seed + epoch); call it before each epoch.",
  "local sampler = data.DistributedSampler(6, {num_replicas = 2, rank = 0, seed = 1})\nsampler:set_epoch(3)\n"
  .. "print(sampler:indices())")
return DistributedSampler
