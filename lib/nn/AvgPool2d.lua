-- AvgPool2d.lua — nn.AvgPool2d(kernel_size, stride=kernel_size, padding=0,
-- ceil_mode=false, count_include_pad=true, divisor_override=nil):
-- F.avg_pool2d, arguments in PyTorch's order or by name.
local torch = require "torch"
local nn = require "nn"
local L = require "nn._layer"

local AvgPool2d = nn.Module:extend("AvgPool2d")

function AvgPool2d:init(...)
  local a = L.args("AvgPool2d", {{"kernel_size"}, {"stride"}, {"padding", 0}, {"ceil_mode", false},
    {"count_include_pad", true}, {"divisor_override"}}, ...)
  if a.kernel_size == nil then error("AvgPool2d: kernel_size is required", 3) end
  self.kernel_size, self.stride, self.padding = a.kernel_size, a.stride or a.kernel_size, a.padding
  self.ceil_mode, self.count_include_pad = a.ceil_mode, a.count_include_pad
  self.divisor_override = a.divisor_override
end

function AvgPool2d:forward(x)
  return nn.functional.avg_pool2d(x, self.kernel_size, {stride = self.stride, padding = self.padding,
    ceil_mode = self.ceil_mode, count_include_pad = self.count_include_pad,
    divisor_override = self.divisor_override})
end

function AvgPool2d:extra_repr()
  return string.format("kernel_size=%s, stride=%s, padding=%s", L.repr(self.kernel_size),
    L.repr(self.stride), L.repr(self.padding))
end

torch.doc(AvgPool2d, "nn.AvgPool2d(kernel_size, {stride=kernel_size, padding=0, ceil_mode=false, "
  .. "count_include_pad=true, divisor_override=nil})",
  "Mean over windows of the last two dims; arguments also in PyTorch's positional order.",
  [[
local pool = nn.AvgPool2d(2)
local x = torch.arange(16):float():view(1, 1, 4, 4)
print(pool, pool(x))]])
return AvgPool2d
