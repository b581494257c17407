-- _MaxPoolNd.lua — what nn.MaxPool1d and nn.MaxPool2d share (PyTorch's
-- _MaxPoolNd): the arguments (kernel_size, stride=kernel_size, padding=0,
-- dilation=1, return_indices=false, ceil_mode=false), in PyTorch's order or
-- by name, and the repr.  A subclass sets _pool to its functional form.
local nn = require "nn"
local L = require "nn._layer"

local MaxPoolNd = nn.Module:extend("_MaxPoolNd")

function MaxPoolNd:init(...)
  local a = L.args(self:_type(), {{"kernel_size"}, {"stride"}, {"padding", 0}, {"dilation", 1},
    {"return_indices", false}, {"ceil_mode", false}}, ...)
  if a.kernel_size == nil then error(self:_type() .. ": kernel_size is required", 3) end
  self.kernel_size, self.stride = a.kernel_size, a.stride or a.kernel_size
  self.padding, self.dilation = a.padding, a.dilation
  self.return_indices, self.ceil_mode = a.return_indices, a.ceil_mode
end

--- The pooled input, and with return_indices the 1-based positions of the maxima.
function MaxPoolNd:forward(x)
  return self._pool(x, self.kernel_size, {stride = self.stride, padding = self.padding,
    dilation = self.dilation, ceil_mode = self.ceil_mode, return_indices = self.return_indices})
end

function MaxPoolNd:extra_repr()
  return string.format("kernel_size=%s, stride=%s, padding=%s, dilation=%s, ceil_mode=%s",
    L.repr(self.kernel_size), L.repr(self.stride), L.repr(self.padding), L.repr(self.dilation),
    L.repr(self.ceil_mode))
end

return MaxPoolNd
