-- BatchNorm2d.lua — nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1,
-- affine=true, track_running_stats=true) over a (N, C, H, W) input; the
-- logic is _BatchNorm.lua's.
local torch = require "torch"

local BatchNorm2d = require("nn._BatchNorm"):extend("BatchNorm2d")
BatchNorm2d._dims = {[4] = true}
BatchNorm2d._layout = "4-D (N, C, H, W)"

torch.doc(BatchNorm2d, "nn.BatchNorm2d(num_features, {eps=1e-5, momentum=0.1, affine=true, "
  .. "track_running_stats=true, dtype=})",
  "Batch normalisation of each channel of (N, C, H, W) inputs: batch statistics in training (updating "
    .. "running_mean and running_var), running statistics in eval(); momentum = false averages all batches.",
  [[
local bn = nn.BatchNorm2d(3)
local x = torch.arange(24):float():view(2, 3, 2, 2)
local y = bn(x)
print(bn)
print(y:mean({1, 3, 4}), bn.running_mean)             -- each channel now has mean 0]])
return BatchNorm2d
