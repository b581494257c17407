-- GroupNorm.lua — nn.GroupNorm(num_groups, num_channels, eps=1e-5,
-- affine=true): normalises each sample over groups of num_channels /
-- num_groups channels, then a per-channel weight (ones) and bias (zeros).
local torch = require "torch"
local nn = require "nn"
local L = require "nn._layer"

local GroupNorm = nn.Module:extend("GroupNorm")

function GroupNorm:init(...)
  local a = L.args("GroupNorm", {{"num_groups"}, {"num_channels"}, {"eps", 1e-5}, {"affine", true}, {"dtype"}}, ...)
  local g, c = a.num_groups, a.num_channels
  if math.type(g) ~= "integer" or math.type(c) ~= "integer" or g < 1 or c < 1 then
    error("GroupNorm: num_groups and num_channels must be positive integers", 3)
  end
  if c % g ~= 0 then
    error(string.format("GroupNorm: num_channels (%d) must be divisible by num_groups (%d)", c, g), 3)
  end
  self.num_groups, self.num_channels, self.eps, self.affine = g, c, a.eps, a.affine
  L.affine(self, a.affine, {c}, a.dtype)
end

function GroupNorm:reset_parameters() L.reset_affine(self) end
torch.doc(GroupNorm.reset_parameters, "norm:reset_parameters()",
  "Puts weight back to ones and bias to zeros.",
  [[
local gn = nn.GroupNorm(1, 2)
torch.no_grad(function() gn.weight:fill_(5) end)
gn:reset_parameters()
print(gn.weight)]])

function GroupNorm:forward(x)
  if x:dim() < 2 or x:size(2) ~= self.num_channels then
    error(string.format("GroupNorm: expected input with %d channels (num_channels) in dim 2, got %s",
      self.num_channels, table.concat(x.shape, "x")), 3)
  end
  return nn.functional.group_norm(x, self.num_groups, {weight = self.weight, bias = self.bias, eps = self.eps})
end

function GroupNorm:extra_repr()
  return string.format("%d, %d, eps=%s, affine=%s", self.num_groups, self.num_channels, L.repr(self.eps),
    L.repr(self.affine))
end

torch.doc(GroupNorm, "nn.GroupNorm(num_groups, num_channels, {eps=1e-5, affine=true, dtype=})",
  "Normalises each sample over groups of channels, with a learned per-channel weight and bias.",
  [[
local gn = nn.GroupNorm(2, 4)
local y = gn(torch.arange(16):float():view(2, 4, 2))
print(gn)
print(y[1])]])
return GroupNorm
