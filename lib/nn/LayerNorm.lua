-- LayerNorm.lua — nn.LayerNorm(normalized_shape, eps=1e-5,
-- elementwise_affine=true): normalises over the trailing dims that
-- normalized_shape (a size or a table of sizes) names, then weight (ones)
-- and bias (zeros) of that shape.
local torch = require "torch"
local nn = require "nn"
local L = require "nn._layer"

local LayerNorm = nn.Module:extend("LayerNorm")

function LayerNorm:init(...)
  local a = L.args("LayerNorm", {{"normalized_shape"}, {"eps", 1e-5}, {"elementwise_affine", true}, {"dtype"}}, ...)
  local shape = a.normalized_shape
  if math.type(shape) == "integer" then shape = {shape} end
  if type(shape) ~= "table" or #shape == 0 then
    error("LayerNorm: normalized_shape must be a size or a table of sizes, got " .. tostring(a.normalized_shape), 3)
  end
  self.normalized_shape, self.eps, self.elementwise_affine = shape, a.eps, a.elementwise_affine
  L.affine(self, a.elementwise_affine, shape, a.dtype)
end

function LayerNorm:reset_parameters() L.reset_affine(self) end
torch.doc(LayerNorm.reset_parameters, "norm:reset_parameters()",
  "Puts weight back to ones and bias to zeros.",
  [[
local ln = nn.LayerNorm(2)
torch.no_grad(function() ln.weight:fill_(5) end)
ln:reset_parameters()
print(ln.weight)]])

function LayerNorm:forward(x)
  return nn.functional.layer_norm(x, self.normalized_shape, {weight = self.weight, bias = self.bias, eps = self.eps})
end

function LayerNorm:extra_repr()
  return string.format("%s, eps=%s, elementwise_affine=%s", L.repr(self.normalized_shape), L.repr(self.eps),
    L.repr(self.elementwise_affine))
end

torch.doc(LayerNorm, "nn.LayerNorm(normalized_shape, {eps=1e-5, elementwise_affine=true, dtype=})",
  "Normalises each position over the trailing dims normalized_shape names, with a learned weight and bias "
    .. "of that shape.",
  [[
local ln = nn.LayerNorm(3)
print(ln, ln(torch.tensor({{1.0, 2.0, 3.0}, {2.0, 2.0, 5.0}})))]])
return LayerNorm
