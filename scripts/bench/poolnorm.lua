-- poolnorm.lua — pooling and batch normalisation at LeNet's first layer's
-- size (100x6x28x28): max_pool2d 2x2 forward alone and forward + backward,
-- and batch_norm (BatchNorm2d in training) forward + backward.  Prints
-- "<name> <seconds per call>" (best of several rounds); poolnorm.py does the
-- same work in PyTorch.
local here = arg[0]:match "^(.*)/[^/]*$" or "."
local timing = dofile(here .. "/timing.lua")
local best, report = timing.best, timing.report

torch.manual_seed(0)
local x = torch.randn(100, 6, 28, 28)
local xg = x:clone():requires_grad_()
local gpool = torch.randn(100, 6, 14, 14)
local gnorm = torch.randn(100, 6, 28, 28)

report("maxpool2d_fwd", best(5, 100, function() return F.max_pool2d(x, 2) end))
report("maxpool2d_fwdbwd", best(5, 100, function()
  xg.grad = nil
  F.max_pool2d(xg, 2):backward(gpool)
end))

local bn = nn.BatchNorm2d(6)
report("batchnorm2d_fwdbwd", best(5, 50, function()
  bn:zero_grad()
  xg.grad = nil
  bn(xg):backward(gnorm)
end))
