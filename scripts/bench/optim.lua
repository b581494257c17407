-- optim.lua — one optimizer step over the 101,770 parameters of a
-- 784-128-128-10 MLP (shapes 128x784, 128, 128x128, 128, 10x128, 10) with
-- random gradients: Adam (the goal: at least as fast as PyTorch 1.13's
-- non-foreach Adam) and SGD with momentum.  Prints "<name> <seconds per
-- step>" (best of several rounds); optim.py does the same work in PyTorch.
local here = arg[0]:match "^(.*)/[^/]*$" or "."
local best = dofile(here .. "/timing.lua").best

local SHAPES = {{128, 784}, {128}, {128, 128}, {128}, {10, 128}, {10}}

local function report(name, make)
  torch.manual_seed(0)
  local params = {}
  for i, s in ipairs(SHAPES) do
    params[i] = torch.randn(s):requires_grad_()
    params[i].grad = torch.randn(s)
  end
  local opt = make(params)
  for _ = 1, 20 do opt:step() end
  print(string.format("%s %.9g", name, best(5, 200, function() opt:step() end)))
end

report("adam_mlp_step", function(ps) return optim.Adam(ps, {lr = 1e-3}) end)
report("sgd_mlp_step", function(ps) return optim.SGD(ps, {lr = 1e-2, momentum = 0.9}) end)
