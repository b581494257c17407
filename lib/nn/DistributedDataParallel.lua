-- DistributedDataParallel.lua — nn.DistributedDataParallel(model): one copy
-- of a model in each process of a dist job, each trained on its shard of
-- every batch (PyTorch's DDP).
--
-- Construction makes the copies equal: rank 0's parameters and buffers are
-- broadcast to the others.  After each backward every parameter's gradient
-- is its average over the processes, so every copy takes the same optimizer
-- step and the copies stay equal; with shards of equal size the average is
-- the gradient of the whole global batch.  In training mode the buffers
-- (batch norm's running statistics) are broadcast from rank 0 again before
-- each forward, as PyTorch does (broadcast_buffers = false turns that off);
-- broadcasts, like the averages, go a bucket at a time.
--
-- How the averaging joins backward: forward passes the parameters that
-- require grad through one autograd node, GradSync (an identity), and runs
-- the model with the node's outputs in the parameters' places.  Backward
-- reaches that node once, with the gradients of all the parameters, before
-- they are added into .grad: it packs them into buckets of about
-- bucket_cap_mb megabytes (25, PyTorch's default), averages each bucket with
-- one all_reduce, and hands the averages on.  A few large all-reduces pay
-- MPI's per-call latency a few times rather than once per parameter.
-- (PyTorch's per-parameter hooks start a bucket while backward goes on, to
-- overlap the two; with MPI's blocking calls there is nothing to overlap.)
--
-- Otherwise it behaves like the model: calling it runs the model's forward,
-- parameters() are the model's (named "module.<name>" as in PyTorch), and
-- train/eval reach the model.  state_dict and load_state_dict are the
-- model's own, without PyTorch's "module." prefix, so a checkpoint written
-- by a data-parallel run loads into the bare model and back.
local torch = require "torch"
local nn = require "nn"
local args = require "torch.args"
local dist = require "dist"

local DistributedDataParallel = nn.Module:extend("DistributedDataParallel")
local BYTES = {float32 = 4, float64 = 8, int64 = 8}

-- The positions of list's tensors in buckets: each bucket holds one dtype,
-- in list order, until it has `cap` bytes (a larger tensor fills one alone).
-- The same list gives the same buckets in every process.
local function buckets(list, cap)
  local out, open = {}, {}
  for i, t in ipairs(list) do
    local b = open[t.dtype]
    if not b then
      b = {bytes = 0}
      open[t.dtype], out[#out + 1] = b, b
    end
    b[#b + 1] = i
    b.bytes = b.bytes + t:numel() * BYTES[t.dtype]
    if b.bytes >= cap then open[t.dtype] = nil end
  end
  return out
end

-- Runs collective(buffer) once per bucket, on the bucket's tensors laid end
-- to end; returns for each tensor a view of the result, in its shape.
local function per_bucket(list, cap, collective)
  local out = {}
  for _, b in ipairs(buckets(list, cap)) do
    local flat = {}
    for k, i in ipairs(b) do flat[k] = list[i]:reshape(-1) end
    local buffer, at = collective(torch.cat(flat)), 1
    for _, i in ipairs(b) do
      out[i] = buffer:narrow(1, at, list[i]:numel()):view(list[i].shape)
      at = at + list[i]:numel()
    end
  end
  return out
end

local function mean_over_processes(buffer) return dist.all_reduce(buffer, {op = "mean"}) end
local function from_rank_0(buffer) return dist.broadcast(buffer, 0) end

-- Copies rank 0's values of the tensors into every process's.
local function broadcast_from_rank_0(tensors, cap)
  if #tensors == 0 or dist.world_size() == 1 then return end
  torch.no_grad(function()
    for i, v in ipairs(per_bucket(tensors, cap, from_rank_0)) do tensors[i]:copy_(v) end
  end)
end

-- The identity on the way forward; on the way back, the average over the
-- processes of every gradient.
local GradSync = torch.autograd.Function:extend("GradSync")

function GradSync.forward(ctx, cap, ...)
  ctx.cap = cap
  return ...
end

function GradSync.backward(ctx, ...)
  if dist.world_size() == 1 then return nil, ... end
  return nil, table.unpack(per_bucket({...}, ctx.cap, mean_over_processes))
end

-- Calls fn(...) with every parameter slot of the module tree that holds a
-- key of `replacement` holding its value instead, and puts the parameters
-- back afterwards, also when fn fails.
local function with_parameters(root, replacement, fn, ...)
  local undo = {}
  for _, m in ipairs(root:modules()) do
    local kinds, values = rawget(m, "_kinds"), rawget(m, "_values")
    for name, kind in pairs(kinds) do
      local r = kind == "parameter" and replacement[values[name]]
      if r then
        undo[#undo + 1] = {values, name, values[name]}
        values[name] = r
      end
    end
  end
  local results = table.pack(pcall(fn, ...))
  for _, u in ipairs(undo) do u[1][u[2]] = u[3] end
  if not results[1] then error(results[2], 0) end
  return table.unpack(results, 2, results.n)
end

function DistributedDataParallel:init(module, opts)
  local fn = "nn.DistributedDataParallel"
  if not nn.Module.is_module(module) then error(fn .. ": expected a Module, got " .. type(module), 3) end
  opts = args.options(fn, opts, {bucket_cap_mb = true, broadcast_buffers = true}, 3)
  local cap = opts.bucket_cap_mb or 25
  if type(cap) ~= "number" or not (cap > 0 and cap < math.huge) then
    error(fn .. ": bucket_cap_mb must be a positive number, got " .. tostring(cap), 3)
  end
  self.module = module
  self.training = module.training
  self.bucket_cap_mb = cap
  self.bucket_bytes = cap * 2 ^ 20
  self.broadcast_buffers = opts.broadcast_buffers ~= false
  broadcast_from_rank_0(module:parameters(), self.bucket_bytes)
  broadcast_from_rank_0(module:buffers(), self.bucket_bytes)
end

function DistributedDataParallel:forward(...)
  local module = self.module
  if self.broadcast_buffers and self.training then broadcast_from_rank_0(module:buffers(), self.bucket_bytes) end
  local params = {}
  for _, p in ipairs(module:parameters()) do
    if p.requires_grad then params[#params + 1] = p end
  end
  if #params == 0 or not torch.is_grad_enabled() then return module(...) end
  local synced = table.pack(GradSync.apply(self.bucket_bytes, table.unpack(params)))
  local replacement = {}
  for i, p in ipairs(params) do replacement[p] = synced[i] end
  return with_parameters(module, replacement, module, ...)
end

--- The model's state_dict (its own keys, without "module.").
function DistributedDataParallel:state_dict(opts) return self.module:state_dict(opts) end

function DistributedDataParallel:load_state_dict(sd, opts) return self.module:load_state_dict(sd, opts) end

function DistributedDataParallel:extra_repr()
  return string.format("world_size=%d, bucket_cap_mb=%g", dist.world_size(), self.bucket_cap_mb)
end

torch.doc(DistributedDataParallel, "nn.DistributedDataParallel(model, {bucket_cap_mb=25, broadcast_buffers=true})",
  "Data-parallel training over the processes of dist: copies rank 0's parameters and buffers to every process, "
  .. "then averages the gradients over the processes after each backward (in buckets of bucket_cap_mb, one "
  .. "all_reduce each). Forward, parameters and train/eval are the model's; state_dict has the model's keys "
  .. "(no \"module.\" prefix). Give each process its shard with data.DistributedSampler.",
  "local ddp = nn.DistributedDataParallel(nn.Linear(3, 1))\nddp(torch.ones(2, 3)):sum():backward()\n"
  .. "print(ddp.module.weight.grad)")
return DistributedDataParallel
