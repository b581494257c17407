-- tensor_ops.lua — the tensor-core and autograd benchmarks of luagrad, one line each:
-- "<name> <seconds per op>" (best of several rounds: the machine is shared,
-- and the best round is the one least disturbed).  run.sh puts them beside
-- PyTorch's figures for the same work (tensor_ops.py).
local here = arg[0]:match "^(.*)/[^/]*$" or "."
local timing = dofile(here .. "/timing.lua")
local best, report = timing.best, timing.report

local a, b = torch.rand(10), torch.rand(10)
report("add_10", best(5, 100000, function() local c = a + b end))

report("add_16M", (function()
  local big_a, big_b = torch.rand(16 * 1024 * 1024), torch.rand(16 * 1024 * 1024)
  return best(5, 4, function() local c = big_a + big_b end)
end)())

do
  local src, dst = torch.rand(16 * 1024 * 1024), torch.empty(16 * 1024 * 1024)
  report("copy_16M", best(5, 8, function() dst:copy_(src) end))
  report("sum_16M", best(5, 20, function() return src:sum() end))
end

do
  local m1, m2 = torch.rand(1024, 1024), torch.rand(1024, 1024)
  report("matmul_1024", best(5, 5, function() return m1:matmul(m2) end))
end

do
  -- One small training-style step through autograd: record 4 ops, run backward.
  local x = torch.rand(10):requires_grad_()
  local y = torch.rand(10):requires_grad_()
  report("backward_10", best(5, 20000, function() ((x * y) + x):sum():backward() end))
end
