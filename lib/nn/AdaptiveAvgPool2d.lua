-- AdaptiveAvgPool2d.lua — nn.AdaptiveAvgPool2d(output_size): averages over
-- windows chosen so the output has output_size (a number or {h, w}).
local torch = require "torch"
local nn = require "nn"
local L = require "nn._layer"

local AdaptiveAvgPool2d = nn.Module:extend("AdaptiveAvgPool2d")

function AdaptiveAvgPool2d:init(...)
  local a = L.args("AdaptiveAvgPool2d", {{"output_size"}}, ...)
  if a.output_size == nil then error("AdaptiveAvgPool2d: output_size is required", 3) end
  self.output_size = a.output_size
end

function AdaptiveAvgPool2d:forward(x) return nn.functional.adaptive_avg_pool2d(x, self.output_size) end

function AdaptiveAvgPool2d:extra_repr() return "output_size=" .. L.repr(self.output_size) end

torch.doc(AdaptiveAvgPool2d, "nn.AdaptiveAvgPool2d(output_size)",
  "Averages over windows chosen to give an output of output_size (a number or {h, w}).",
  [[
local pool = nn.AdaptiveAvgPool2d({1, 2})
local x = torch.arange(16):float():view(1, 1, 4, 4)
print(pool, pool(x))]])
return AdaptiveAvgPool2d
