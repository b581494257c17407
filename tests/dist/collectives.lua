-- collectives.lua — dist's collectives and nn.DistributedDataParallel across
-- real processes: run under `mpirun -np N luagrad tests/dist/collectives.lua`
-- (tests/cli/test_dist.sh runs it with N = 2).  Every process runs every
-- case, in the same order, so their collectives meet; each expected value is
-- worked out from the ranks by hand (process r contributes values made from
-- r).  The failures of all processes are added up and rank 0 prints the
-- line "N passed, M failed".
local here = arg[0]:match "^(.*)/[^/]*$" or "."
package.path = here .. "/../lua/?.lua;" .. package.path
local T = require "testing"

local rank, n = dist.init()

-- sum over r = 0 .. n - 1 of f(r)
local function over_ranks(f)
  local s = 0
  for r = 0, n - 1 do s = s + f(r) end
  return s
end

T.test("the world: ranks 0 .. n - 1, each once", function()
  T.truthy(n >= 2, "run under mpirun with 2 or more processes (world_size " .. n .. ")")
  T.truthy(dist.is_initialized() and dist.is_available(), "initialized and available")
  local ranks = dist.all_gather(torch.tensor(rank))
  for r = 1, n do T.eq(ranks[r]:item(), r - 1, "rank gathered at " .. r) end
  T.eq(dist.get_rank(), rank)
  T.eq(dist.get_world_size(), n)
end)

T.test("all_reduce: sum, mean, max, min of float32, float64 and int64", function()
  local t = torch.tensor({rank + 1, -10 * rank})
  T.eq(dist.all_reduce(t), t, "returns its tensor")
  T.allclose(t:totable(), {over_ranks(function(r) return r + 1 end), over_ranks(function(r) return -10 * r end)})
  t = torch.tensor({rank + 1.5, rank}, {dtype = "float64"})
  dist.all_reduce(t, {op = "mean"})
  T.allclose(t:totable(), {(n - 1) / 2 + 1.5, (n - 1) / 2}, 1e-15)
  t = torch.tensor({rank, -rank}, {dtype = "int64"})
  dist.all_reduce(t, {op = "max"})
  T.eq(t.dtype, "int64")
  T.eq(t[1]:item(), n - 1)
  T.eq(t[2]:item(), 0)
  t = torch.tensor({rank, -rank}, {dtype = "float32"})
  dist.all_reduce(t, {op = "min"})
  T.allclose(t:totable(), {0, -(n - 1)})
  -- int64 stays exact past float64's 2^53
  t = torch.tensor({(1 << 60) + rank}, {dtype = "int64"})
  dist.all_reduce(t)
  T.eq(t[1]:item(), n * (1 << 60) + over_ranks(function(r) return r end))
end)

T.test("all_reduce of a large float32 tensor (several MPI segments)", function()
  local t = torch.ones(1000003) * (rank + 1)
  dist.all_reduce(t, {op = "mean"})
  T.close(t:min():item(), (n + 1) / 2)
  T.close(t:max():item(), (n + 1) / 2)
end)

T.test("all_reduce of a non-contiguous view writes through to its base", function()
  local base = torch.tensor({{1, 2, 3}, {4, 5, 6}}) * (rank + 1)
  local view = base:t()
  T.truthy(not view:is_contiguous(), "a transposed view")
  dist.all_reduce(view)
  local k = over_ranks(function(r) return r + 1 end)
  T.allclose(base:totable(), {{k, 2 * k, 3 * k}, {4 * k, 5 * k, 6 * k}})
  local column = base:select(2, 2)
  dist.broadcast(column, n - 1)
  T.allclose(base:select(2, 2):totable(), {2 * k, 5 * k})
end)

T.test("collectives bump the version and stay outside autograd", function()
  local p = torch.tensor({rank + 1.0}):requires_grad_()
  local v = p._version
  dist.all_reduce(p)
  T.truthy(p._version > v, "version bumped")
  T.truthy(p.is_leaf and p.grad_fn == nil, "still a leaf")
end)

T.test("broadcast from each root, every dtype", function()
  for root = 0, n - 1 do
    for _, dtype in ipairs({"float32", "float64", "int64"}) do
      local t = torch.tensor({{rank, 7}, {-rank, 100 + rank}}, {dtype = dtype})
      dist.broadcast(t, root)
      T.eq(t.dtype, dtype)
      T.allclose(t:totable(), {{root, 7}, {-root, 100 + root}})
    end
  end
end)

T.test("all_gather: a list in rank order, or PyTorch's list filled in place", function()
  local t = torch.tensor({{rank, 2 * rank}}, {dtype = "float64"})   -- 1x2
  local list = dist.all_gather(t)
  T.eq(#list, n)
  for r = 1, n do
    T.eq(table.concat(list[r].shape, "x"), "1x2")
    T.eq(list[r].dtype, "float64")
    T.allclose(list[r]:totable(), {{r - 1, 2 * (r - 1)}})
  end
  local given = {}
  for r = 1, n do given[r] = torch.zeros(2, {dtype = "float64"}) end
  local same = given[1]
  T.eq(dist.all_gather(given, t), given)
  T.eq(given[1], same, "the given tensors are filled")
  T.allclose(given[n]:totable(), {n - 1, 2 * (n - 1)})
  local out = dist.all_gather_into_tensor(torch.zeros(2 * n, {dtype = "int64"}), torch.tensor({rank, 5}))
  for r = 0, n - 1 do
    T.eq(out[2 * r + 1]:item(), r)
    T.eq(out[2 * r + 2]:item(), 5)
  end
end)

T.test("reduce_scatter: rank r gets the sum (mean, max) of everyone's block r + 1", function()
  -- process k sends block j (0-based) = {10 k + j, k}
  local list = {}
  for j = 0, n - 1 do list[j + 1] = torch.tensor({10 * rank + j, rank}, {dtype = "float32"}) end
  local out = dist.reduce_scatter(torch.zeros(2), list)
  T.allclose(out:totable(), {over_ranks(function(k) return 10 * k + rank end), over_ranks(function(k) return k end)})
  local flat = torch.cat(list)
  out = dist.reduce_scatter_tensor(torch.zeros(2), flat, {op = "mean"})
  T.allclose(out:totable(), {over_ranks(function(k) return 10 * k + rank end) / n, (n - 1) / 2})
  out = dist.reduce_scatter_tensor(torch.zeros(2, {dtype = "int64"}), flat:long(), {op = "max"})
  T.eq(out[1]:item(), 10 * (n - 1) + rank)
end)

T.test("bad arguments are Lua errors naming the function, the same in every process", function()
  local t = torch.ones(3)
  T.errors("dist.all_reduce: unknown op 'prod' (expected sum, mean, max or min)", dist.all_reduce, t, {op = "prod"})
  T.errors("dist.all_reduce: op mean needs a floating tensor, got int64", dist.all_reduce,
    torch.ones(2, {dtype = "int64"}), {op = "mean"})
  T.errors("dist.all_reduce: t must be float32, float64 or int64, got uint8", dist.all_reduce,
    torch.ones(2, {dtype = "uint8"}))
  T.errors("dist.all_reduce: t must be a tensor, got number", dist.all_reduce, 3)
  T.errors("dist.broadcast: root must be a rank, 0 .. " .. n - 1 .. ", got " .. n, dist.broadcast, t, n)
  T.errors("dist.broadcast: root must be a rank", dist.broadcast, t, -1)
  T.errors("dist.all_gather_into_tensor: out has 3 elements, expected " .. 3 * n, dist.all_gather_into_tensor,
    torch.zeros(3), t)
  T.errors("dist.all_gather: list[1] must be a float32 tensor of 3 elements", dist.all_gather, {torch.zeros(2)}, t)
  T.errors("dist.reduce_scatter: expected a list of " .. n .. " tensors (one per process), got 1 entries",
    dist.reduce_scatter, torch.zeros(3), {t})
  T.errors("dist.reduce_scatter_tensor: the tensors differ in dtype (float64 and float32)",
    dist.reduce_scatter_tensor, t, torch.zeros(3 * n, {dtype = "float64"}))
  T.errors("dist.all_reduce: t is an expanded view whose elements share memory; clone() it first", dist.all_reduce,
    torch.ones(1):expand(3))
  -- The C layer checks for itself too.
  T.errors("dist.all_reduce: the tensor must be contiguous", torch._mpi.all_reduce, torch.ones(2, 2):t(), "sum")
  T.errors("dist.all_reduce: unknown op 'mean' (expected sum, max or min)", torch._mpi.all_reduce, t, "mean")
  T.errors("dist.broadcast: root " .. n .. " is not a rank", torch._mpi.broadcast, t, n)
  T.errors("dist.all_gather: expected a float32, float64 or int64 tensor, got bool", torch._mpi.all_gather,
    torch.zeros(3 * n), torch.ones(3):gt(0))
  T.errors("dist.reduce_scatter: the output has " .. 3 * n .. " elements, expected " .. 3 * n * n,
    torch._mpi.reduce_scatter, torch.zeros(3 * n), torch.zeros(3 * n), "sum")
  dist.barrier()
end)

T.test("an MPI failure is a Lua error naming the function", function()
  -- The receivers expect fewer elements than the root sends: MPI reports a
  -- truncated message to them (the root's send succeeds).
  local t = torch.zeros(rank == 0 and 4 or 2)
  local ok, err = pcall(dist.broadcast, t, 0)
  if rank == 0 then
    T.truthy(ok, "the root's broadcast succeeds")
  else
    T.truthy(not ok and tostring(err):find("dist.broadcast: MPI error: MPI_ERR_TRUNCATE", 1, true), tostring(err))
  end
  dist.barrier()
end)

T.test("DistributedSampler: the default shards are disjoint and cover the epoch", function()
  local s = data.DistributedSampler(11, {seed = 3})
  T.eq(s.rank, rank)
  T.eq(s.num_replicas, n)
  s:set_epoch(2)
  local mine = s:indices()
  local all = torch.cat(dist.all_gather(mine))
  T.eq(all:numel(), n * ((11 + n - 1) // n))
  local seen = {}
  for _, i in ipairs(all:totable()) do seen[i] = true end
  for i = 1, 11 do T.truthy(seen[i], "sample " .. i .. " drawn") end
end)

-- The model of process r before DDP: its own random weights.
local function model_of(r)
  torch.manual_seed(100 + r)
  return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3), nn.BatchNorm1d(3))
end

-- The gradients of `m` (a fresh copy of rank 0's model) on the batch of process r.
local function local_grads(r)
  local m = model_of(0)
  m:double()
  torch.manual_seed(7 + r)
  m(torch.randn(5, 4, {dtype = "float64"})):pow(2):sum():backward()
  local g = {}
  for i, p in ipairs(m:parameters()) do g[i] = p.grad end
  return g
end

for _, cap in ipairs({25, 1e-5}) do
  T.test("DistributedDataParallel: rank 0's weights everywhere, averaged gradients (bucket_cap_mb " .. cap .. ")",
    function()
    local m = model_of(rank):double()
    local ddp = nn.DistributedDataParallel(m, {bucket_cap_mb = cap})
    local ref = model_of(0):double()
    for name, t in pairs(ref:state_dict()) do T.eq((m:state_dict()[name] - t):abs():max():item(), 0, name) end
    torch.manual_seed(7 + rank)
    ddp(torch.randn(5, 4, {dtype = "float64"})):pow(2):sum():backward()
    local want = {}
    for r = 0, n - 1 do
      for i, g in ipairs(local_grads(r)) do want[i] = (want[i] or 0) + g / n end
    end
    for i, p in ipairs(m:parameters()) do
      T.truthy(p.is_leaf, "parameter " .. i .. " is back in place")
      T.close((p.grad - want[i]):abs():max():item(), 0, 1e-10, "gradient " .. i)
    end
  end)
end

T.test("DistributedDataParallel: a forward that fails puts the parameters back", function()
  local m = nn.Linear(3, 2)
  local ddp = nn.DistributedDataParallel(m)
  T.errors("expected input with 3 features", ddp, torch.ones(2, 5))
  T.truthy(m.weight.is_leaf and m.weight.requires_grad, "the parameter is back")
end)

-- A case fails when it fails in any process.
local failures = torch.zeros(#T.cases, {dtype = "int64"})
for i, case in ipairs(T.cases) do
  local ok, err = xpcall(case.fn, debug.traceback)
  if not ok then
    failures[i] = 1
    io.stderr:write(string.format("FAIL rank %d: %s\n  %s\n", rank, case.name, err))
  end
end
local failed = dist.all_reduce(failures, {op = "max"}):sum():item()

-- Last, as it ends the world for good.
dist.finalize()
if pcall(dist.rank) or dist.is_initialized() or pcall(dist.init) or pcall(dist.all_reduce, torch.ones(1)) then
  io.stderr:write(string.format("FAIL rank %d: dist still answers after dist.finalize()\n", rank))
  failed = failed + 1
end
if rank == 0 then print(string.format("%d passed, %d failed", #T.cases + 1 - failed, failed)) end
os.exit(failed == 0 and 0 or 1, true)
