-- BatchNorm1d.lua — nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1,
-- affine=true, track_running_stats=true) over a (N, C) or (N, C, L) input;
-- the logic is _BatchNorm.lua's.
local torch = require "torch"

local BatchNorm1d = require("nn._BatchNorm"):extend("BatchNorm1d")
BatchNorm1d._dims = {[2] = true, [3] = true}
BatchNorm1d._layout = "2-D (N, C) or 3-D (N, C, L)"

torch.doc(BatchNorm1d, "nn.BatchNorm1d(num_features, {eps=1e-5, momentum=0.1, affine=true, "
  .. "track_running_stats=true, dtype=})",
  "Batch normalisation of (N, C) or (N, C, L) inputs: batch statistics in training (updating "
    .. "running_mean and running_var), running statistics in eval(); momentum = false averages all batches.",
  [[
local bn = nn.BatchNorm1d(2)
local x = torch.tensor({{1.0, 10.0}, {3.0, 30.0}})   -- (N 2, C 2)
print(bn(x))                                          -- batch statistics in training
print(bn.running_mean, bn.num_batches_tracked)
bn:eval()
print(bn(x))                                          -- running statistics in eval]])
return BatchNorm1d
