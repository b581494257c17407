-- test_dist.lua — dist, data.DistributedSampler and nn.DistributedDataParallel
-- in a world of one process (a script run without mpirun, or a build
-- without MPI): the collectives leave their tensors as they are but check
-- their arguments as under MPI; the sampler's shards follow PyTorch's rules
-- (worked out by hand for explicit num_replicas and rank); DDP gives the
-- wrapped model's outputs and gradients exactly.  tests/cli/test_dist.sh
-- runs the same code across processes.
local T = require "testing"

T.test("dist: a script run alone is rank 0 of a world of 1", function()
  T.eq(dist.rank(), 0)
  T.eq(dist.world_size(), 1)
  T.truthy(dist.is_initialized(), "started by its first use")
  local rank, size = dist.init()
  T.eq(rank, 0)
  T.eq(size, 1)
  T.eq(require "dist", dist)
  T.eq(torch.distributed, dist)
  T.eq(type(dist.is_available()), "boolean")
end)

T.test("dist: a world of 1 starts again after finalize (MPI would not)", function()
  dist.finalize()
  T.eq(dist.is_initialized(), false)
  T.eq(dist.world_size(), 1)
  T.truthy(dist.is_initialized(), "restarted")
end)

T.test("dist: collectives of one process are identities, in place, every op and dtype", function()
  for _, dtype in ipairs({"float32", "float64", "int64"}) do
    for _, op in ipairs({"sum", "max", "min", dtype ~= "int64" and "mean" or "sum"}) do
      local t = torch.tensor({{1, -2}, {3, 4}}, {dtype = dtype})
      T.eq(dist.all_reduce(t, {op = op}), t)
      T.eq(t.dtype, dtype)
      T.allclose(t:totable(), {{1, -2}, {3, 4}})
    end
  end
  local t = torch.tensor({5, 6})
  T.eq(dist.broadcast(t, 0), t)
  T.eq(dist.broadcast(t), t, "root defaults to 0")
  T.allclose(t:totable(), {5, 6})
  dist.barrier()
end)

T.test("dist: a non-contiguous tensor is reduced through a copy written back", function()
  local base = torch.arange(1, 7):view(2, 3):float()
  local view = base:t()
  local v = base._version
  dist.all_reduce(view, {op = "mean"})
  T.allclose(base:totable(), {{1, 2, 3}, {4, 5, 6}})
  T.truthy(base._version > v, "written")
end)

T.test("dist: all_gather and reduce_scatter of one process", function()
  local t = torch.tensor({{1, 2}}, {dtype = "int64"})
  local list = dist.all_gather(t)
  T.eq(#list, 1)
  T.eq(table.concat(list[1].shape, "x"), "1x2")
  T.allclose(list[1]:totable(), {{1, 2}})
  list[1]:fill_(0)
  T.allclose(t:totable(), {{1, 2}}, 0, "the gathered tensor is a copy")
  local given = {torch.zeros(2, {dtype = "int64"})}
  local same = given[1]
  dist.all_gather(given, t)
  T.eq(given[1], same)
  T.allclose(given[1]:totable(), {1, 2})
  local out = torch.zeros(2, 1)
  T.eq(dist.all_gather_into_tensor(out, torch.tensor({7, 8}, {dtype = "float32"})), out)
  T.allclose(out:totable(), {{7}, {8}})
  out = torch.zeros(3)
  dist.reduce_scatter(out, {torch.tensor({1.5, 2, 3})}, {op = "mean"})
  T.allclose(out:totable(), {1.5, 2, 3})
  dist.reduce_scatter_tensor(out, torch.tensor({{4.5}, {5}, {6}}), {op = "max"})
  T.allclose(out:totable(), {4.5, 5, 6})
end)

T.test("dist: bad arguments are errors naming the function, as under MPI", function()
  local t = torch.ones(3)
  T.errors("dist.all_reduce: unknown op 'prod' (expected sum, mean, max or min)", dist.all_reduce, t, {op = "prod"})
  T.errors("dist.all_reduce: unknown option 'async_op'", dist.all_reduce, t, {async_op = true})
  T.errors("dist.all_reduce: op mean needs a floating tensor, got int64", dist.all_reduce,
    torch.ones(2, {dtype = "int64"}), {op = "mean"})
  T.errors("dist.all_reduce: t must be float32, float64 or int64, got bool", dist.all_reduce, t:gt(0))
  T.errors("dist.all_reduce: t must be a tensor, got nil", dist.all_reduce)
  T.errors("dist.all_reduce: t is an expanded view whose elements share memory; clone() it first",
    dist.all_reduce, torch.ones(1):expand(3))
  T.errors("dist.broadcast: root must be a rank, 0 .. 0, got 1", dist.broadcast, t, 1)
  T.errors("dist.broadcast: root must be a rank, 0 .. 0, got 0.5", dist.broadcast, t, 0.5)
  T.errors("dist.all_gather_into_tensor: out has 2 elements, expected 3 (3 for each of 1 processes)",
    dist.all_gather_into_tensor, torch.zeros(2), t)
  T.errors("dist.all_gather_into_tensor: the tensors differ in dtype (float64 and float32)",
    dist.all_gather_into_tensor, torch.zeros(3, {dtype = "float64"}), t)
  T.errors("dist.all_gather: expected (t) or (list, t), got a number for the list", dist.all_gather, 1, t)
  T.errors("dist.all_gather: list[1] must be a float32 tensor of 3 elements like the input", dist.all_gather,
    {torch.zeros(3, {dtype = "int64"})}, t)
  T.errors("dist.reduce_scatter: expected a list of 1 tensors (one per process), got 2 entries",
    dist.reduce_scatter, t, {t, t})
  T.errors("dist.reduce_scatter: list[1] must be a float32 tensor of 3 elements like the output",
    dist.reduce_scatter, t, {torch.ones(4)})
  T.errors("dist.reduce_scatter_tensor: input has 4 elements, expected 3", dist.reduce_scatter_tensor, t,
    torch.ones(4))
end)

T.test("dist: collectives stay outside autograd", function()
  local p = torch.ones(2):requires_grad_()
  dist.all_reduce(p)
  dist.broadcast(p)
  T.truthy(p.is_leaf and p.grad_fn == nil, "still a leaf")
end)

-- ---- DistributedSampler ------------------------------------------------------------

-- The shards of n samples over r processes, unshuffled: PyTorch's
-- DistributedSampler(range(n), r, rank, shuffle=False) plus 1.
local function shards(n, r, opts)
  local out = {}
  for rank = 0, r - 1 do
    local o = {num_replicas = r, rank = rank, shuffle = false}
    for k, v in pairs(opts or {}) do o[k] = v end
    out[rank + 1] = data.DistributedSampler(n, o):indices():totable()
  end
  return out
end

T.test("DistributedSampler: PyTorch's shards, padded by repeating the start", function()
  T.allclose(shards(10, 3), {{1, 4, 7, 10}, {2, 5, 8, 1}, {3, 6, 9, 2}})
  T.allclose(shards(10, 3, {drop_last = true}), {{1, 4, 7}, {2, 5, 8}, {3, 6, 9}})
  T.allclose(shards(9, 3, {drop_last = true}), {{1, 4, 7}, {2, 5, 8}, {3, 6, 9}})
  -- more padding than samples: the order is repeated as often as needed
  T.allclose(shards(2, 5), {{1}, {2}, {1}, {2}, {1}})
  T.allclose(shards(2, 5, {drop_last = true}), {{}, {}, {}, {}, {}})
  local s = data.DistributedSampler(10, {num_replicas = 3, rank = 1})
  T.eq(#s, 4)
  T.eq(tostring(s), "DistributedSampler(4 of 10 samples, rank 1 of 3, shuffle=true)")
  T.eq(#data.DistributedSampler(data.TensorDataset(torch.zeros(7, 2))), 7)
end)

T.test("DistributedSampler: one shuffled order per seed and epoch, shared by the processes", function()
  local function epoch_of(rank, seed, epoch)
    local s = data.DistributedSampler(11, {num_replicas = 2, rank = rank, seed = seed})
    s:set_epoch(epoch)
    return s:indices():totable()
  end
  local a, b = epoch_of(0, 3, 1), epoch_of(1, 3, 1)
  T.eq(#a, 6)
  T.eq(#b, 6)
  local seen = {}
  for i = 1, 5 do seen[a[i]], seen[b[i]] = true, true end
  seen[a[6]] = true                     -- 11 samples: b[6] is the padding, a repeat of the first
  for i = 1, 11 do T.truthy(seen[i], "sample " .. i) end
  T.eq(b[6], a[1])
  T.allclose(epoch_of(0, 3, 1), a, 0, "the same seed and epoch, the same order")
  T.truthy(table.concat(epoch_of(0, 3, 2), ",") ~= table.concat(a, ","), "a new epoch, a new order")
  T.truthy(table.concat(epoch_of(0, 4, 1), ",") ~= table.concat(a, ","), "a new seed, a new order")
  local before = torch.get_rng_state()
  epoch_of(0, 3, 1)
  T.eq((torch.get_rng_state() - before):abs():sum():item(), 0, "the global stream is untouched")
end)

T.test("DistributedSampler: defaults from dist, a DataLoader's sampler, bad options", function()
  local s = data.DistributedSampler(5)
  T.eq(s.num_replicas, 1)
  T.eq(s.rank, 0)
  T.eq(s.shuffle, true)
  local ds = data.TensorDataset(torch.arange(1, 11):view(10, 1), torch.arange(1, 11))
  local loader = data.DataLoader(ds, {batch_size = 2,
    sampler = data.DistributedSampler(ds, {num_replicas = 2, rank = 1, shuffle = false})})
  local ys = {}
  for _, y in loader:iter() do ys[#ys + 1] = y:totable() end
  T.allclose(ys, {{2, 4}, {6, 8}, {10}})
  T.errors("DistributedSampler: rank must be 0 .. 1 (num_replicas - 1), got 2", data.DistributedSampler, 4,
    {num_replicas = 2, rank = 2})
  T.errors("DistributedSampler: num_replicas must be a positive integer, got 0", data.DistributedSampler, 4,
    {num_replicas = 0})
  T.errors("DistributedSampler: seed must be an integer, got 1.5", data.DistributedSampler, 4, {seed = 1.5})
  T.errors("DistributedSampler: unknown option 'generator'", data.DistributedSampler, 4, {generator = 1})
  T.errors("DistributedSampler.set_epoch: epoch must be an integer, got x", s.set_epoch, s, "x")
end)

-- ---- DistributedDataParallel -----------------------------------------------------------

local function net()
  torch.manual_seed(5)
  return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
end

-- Copies of the parameters' gradients (false where there is none).
local function grads(model)
  local g = {}
  for i, p in ipairs(model:parameters()) do g[i] = p.grad ~= nil and p.grad:clone() end
  return g
end

T.test("DistributedDataParallel: the model's outputs and gradients, exactly", function()
  local x = torch.randn(5, 3)
  local plain = net()
  plain(x):pow(2):sum():backward()
  local model = net()
  local ddp = nn.DistributedDataParallel(model)
  local y = ddp(x)
  T.allclose(y:totable(), plain(x):totable(), 0)
  y:pow(2):sum():backward()
  local want = grads(plain)
  for i, g in ipairs(grads(model)) do T.allclose(g:totable(), want[i]:totable(), 0) end
  for _, p in ipairs(model:parameters()) do T.truthy(p.is_leaf, "the parameters are back in place") end
end)

-- A weight tied between two layers, a layer used twice, a frozen bias.
local Tied = nn.Module:extend("Tied")
function Tied:init()
  torch.manual_seed(6)
  self.a, self.b, self.c = nn.Linear(3, 3), nn.Linear(3, 2), nn.Linear(3, 3)
  self.c.weight = self.a.weight
  self.b.bias.requires_grad = false
end
function Tied:forward(x) return self.b(torch.tanh(self.c(self.a(self.a(x))))) end

T.test("DistributedDataParallel: two forwards before one backward; tied, reused and frozen parameters", function()
  local x1, x2 = torch.randn(2, 3), torch.randn(2, 3)
  local plain = Tied()
  local loss = plain(x1):sum() + plain(x2):pow(2):sum()
  loss:backward()
  local model = Tied()
  local ddp = nn.DistributedDataParallel(model)
  loss = ddp(x1):sum() + ddp(x2):pow(2):sum()
  loss:backward()
  local want, got = grads(plain), grads(model)
  T.eq(#got, 5)
  for i, g in ipairs(got) do
    if g then T.allclose(g:totable(), want[i]:totable(), 1e-6) else T.eq(want[i], false) end
  end
  T.eq(model.b.bias.grad, nil)
end)

T.test("DistributedDataParallel: parameters, modes, state_dict with the model's keys", function()
  local model = net()
  local ddp = nn.DistributedDataParallel(model, {bucket_cap_mb = 1, broadcast_buffers = false})
  T.eq(ddp.module, model)
  T.eq(#ddp:parameters(), 4)
  T.eq(ddp:parameters()[1], model[1].weight)
  local names = {}
  for name in ddp:named_parameters() do names[#names + 1] = name end
  T.eq(table.concat(names, " "), "module.1.weight module.1.bias module.3.weight module.3.bias")
  local keys = {}
  for k in pairs(ddp:state_dict()) do keys[#keys + 1] = k end
  table.sort(keys)
  T.eq(table.concat(keys, " "), "1.bias 1.weight 3.bias 3.weight")
  local other = nn.DistributedDataParallel(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)))
  other:load_state_dict(ddp:state_dict())
  T.allclose(other.module[1].weight:totable(), model[1].weight:totable(), 0)
  ddp:eval()
  T.eq(model.training, false)
  T.eq(model[1].training, false)
  ddp:train()
  T.eq(model.training, true)
  T.truthy(tostring(ddp):find("DistributedDataParallel(\n  world_size=1, bucket_cap_mb=1\n  (module): Sequential(", 1,
    true), tostring(ddp))
  local y = torch.no_grad(function() return ddp(torch.ones(1, 3)) end)
  T.eq(y.grad_fn, nil)
end)

T.test("DistributedDataParallel: bad arguments; a failing forward puts the parameters back", function()
  T.errors("nn.DistributedDataParallel: expected a Module, got number", nn.DistributedDataParallel, 3)
  T.errors("nn.DistributedDataParallel: bucket_cap_mb must be a positive number, got 0", nn.DistributedDataParallel,
    net(), {bucket_cap_mb = 0})
  T.errors("nn.DistributedDataParallel: unknown option 'device_ids'", nn.DistributedDataParallel, net(),
    {device_ids = {0}})
  local model = net()
  local ddp = nn.DistributedDataParallel(model)
  T.errors("expected input with 3 features", ddp, torch.ones(2, 5))
  T.truthy(model[1].weight.is_leaf and model[1].weight.requires_grad, "the parameter is back")
end)
