-- MaxPool1d.lua — nn.MaxPool1d(kernel_size, stride, padding, dilation,
-- return_indices, ceil_mode): F.max_pool1d over a (N, C, L) or (C, L) input.
local torch = require "torch"
local nn = require "nn"

local MaxPool1d = require("nn._MaxPoolNd"):extend("MaxPool1d")
MaxPool1d._pool = nn.functional.max_pool1d

torch.doc(MaxPool1d, "nn.MaxPool1d(kernel_size, {stride=kernel_size, padding=0, dilation=1, "
  .. "return_indices=false, ceil_mode=false})",
  "Max over windows of the last dim; the arguments may also be given in PyTorch's positional order.",
  [[
local pool = nn.MaxPool1d(2)
print(pool, pool(torch.tensor({{{1.0, 5.0, 2.0, 4.0}}})))]])
return MaxPool1d
