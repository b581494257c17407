-- Bilinear.lua — nn.Bilinear(in1, in2, out, {bias=true}): y = x1^T A x2 + b.
local torch = require "torch"
local nn = require "nn"

local Bilinear = nn.Module:extend("Bilinear")

function Bilinear:init(in1_features, in2_features, out_features, opts)
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "bias" and k ~= "dtype" then error("Bilinear: unknown option '" .. tostring(k) .. "'", 3) end
  end
  for _, v in ipairs({in1_features, in2_features, out_features}) do
    if math.type(v) ~= "integer" or v < 0 then
      error("Bilinear: in1_features, in2_features and out_features must be non-negative integers", 3)
    end
  end
  self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
  local function param(size) return nn.Parameter(torch.empty(size, {dtype = opts.dtype})) end
  self.weight = param({out_features, in1_features, in2_features})
  self:register_parameter("bias", opts.bias ~= false and param({out_features}) or nil)
  self:reset_parameters()
end

--- PyTorch's default: weight and bias ~ U(-1/sqrt(in1), 1/sqrt(in1)).
function Bilinear:reset_parameters()
  if self.in1_features == 0 then return end
  local bound = 1 / math.sqrt(self.in1_features)
  nn.init.uniform_(self.weight, -bound, bound)
  if self.bias then nn.init.uniform_(self.bias, -bound, bound) end
end
torch.doc(Bilinear.reset_parameters, "bilinear:reset_parameters()",
  "Draws weight and bias again from U(-1/sqrt(in1), 1/sqrt(in1)), as the constructor does.",
  [[
torch.manual_seed(0)
local layer = nn.Bilinear(2, 2, 1)
layer:reset_parameters()
print(layer.bias)]])

function Bilinear:forward(x1, x2) return nn.functional.bilinear(x1, x2, self.weight, self.bias) end

function Bilinear:extra_repr()
  return string.format("in1_features=%d, in2_features=%d, out_features=%d, bias=%s", self.in1_features,
    self.in2_features, self.out_features, self.bias and "True" or "False")
end

torch.doc(Bilinear, "nn.Bilinear(in1_features, in2_features, out_features, {bias=true, dtype=})",
  "forward(x1, x2) = x1^T A x2 + b over the last dims; A is out x in1 x in2 as in PyTorch, "
    .. "initialised (with b) from U(-1/sqrt(in1), 1/sqrt(in1)).",
  [[
torch.manual_seed(0)
local layer = nn.Bilinear(3, 4, 2)
print(layer)
print(table.concat(layer(torch.randn(5, 3), torch.randn(5, 4)).shape, "x"))]])
return Bilinear
