-- AdaptiveMaxPool2d.lua — nn.AdaptiveMaxPool2d(output_size, return_indices=false):
-- the max over windows chosen so the output has output_size.
local torch = require "torch"
local nn = require "nn"
local L = require "nn._layer"

local AdaptiveMaxPool2d = nn.Module:extend("AdaptiveMaxPool2d")

function AdaptiveMaxPool2d:init(...)
  local a = L.args("AdaptiveMaxPool2d", {{"output_size"}, {"return_indices", false}}, ...)
  if a.output_size == nil then error("AdaptiveMaxPool2d: output_size is required", 3) end
  self.output_size, self.return_indices = a.output_size, a.return_indices
end

function AdaptiveMaxPool2d:forward(x)
  return nn.functional.adaptive_max_pool2d(x, self.output_size, {return_indices = self.return_indices})
end

function AdaptiveMaxPool2d:extra_repr() return "output_size=" .. L.repr(self.output_size) end

torch.doc(AdaptiveMaxPool2d, "nn.AdaptiveMaxPool2d(output_size, {return_indices=false})",
  "The max over windows chosen to give an output of output_size (a number or {h, w}).",
  [[
local pool = nn.AdaptiveMaxPool2d(2)
local x = torch.arange(16):float():view(1, 1, 4, 4)
print(pool, pool(x))]])
return AdaptiveMaxPool2d
