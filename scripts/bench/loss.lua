-- loss.lua — F.cross_entropy forward + backward (the fused kernel) on 100x10
-- and 1000x1000 float32 logits, and softmax / log_softmax of 1000x1000 (the
-- same row kernel).  Prints "<name> <seconds per step>" (best of
-- several rounds); loss.py does the same work in PyTorch, and run.sh puts
-- the two side by side.
local here = arg[0]:match "^(.*)/[^/]*$" or "."
local timing = dofile(here .. "/timing.lua")

for _, c in ipairs({{"cross_entropy_100x10", 100, 10, 5000}, {"cross_entropy_1000x1000", 1000, 1000, 50}}) do
  torch.manual_seed(0)
  local x = torch.randn(c[2], c[3]):requires_grad_()
  local t = torch.randint(1, c[3] + 1, {c[2]})
  timing.report(c[1], timing.best(5, c[4], function()
    x.grad = nil
    F.cross_entropy(x, t):backward()
  end))
end

torch.manual_seed(0)
local x = torch.randn(1000, 1000)
timing.report("softmax_1000x1000", timing.best(5, 50, function() return x:softmax(2) end))
timing.report("log_softmax_1000x1000", timing.best(5, 50, function() return x:log_softmax(2) end))
