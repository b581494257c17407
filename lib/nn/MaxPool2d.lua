-- MaxPool2d.lua — nn.MaxPool2d(kernel_size, stride, padding, dilation,
-- return_indices, ceil_mode): F.max_pool2d over a (N, C, H, W) or (C, H, W)
-- input; sizes are a number or an {h, w} pair.
local torch = require "torch"
local nn = require "nn"

local MaxPool2d = require("nn._MaxPoolNd"):extend("MaxPool2d")
MaxPool2d._pool = nn.functional.max_pool2d

torch.doc(MaxPool2d, "nn.MaxPool2d(kernel_size, {stride=kernel_size, padding=0, dilation=1, "
  .. "return_indices=false, ceil_mode=false})",
  "Max over windows of the last two dims; nn.MaxPool2d(2, 2) as in PyTorch, or with an options table.",
  [[
local pool = nn.MaxPool2d(2, 2)
local x = torch.arange(16):float():view(1, 1, 4, 4)
print(pool, pool(x))]])
return MaxPool2d
