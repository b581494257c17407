-- Transform.lua — the base class of data.transforms.
--
-- A transform is callable: t(x) runs t:forward(x) on one sample.  A transform
-- that can also work on a whole batch (the samples stacked along a new first
-- dim) defines t:batch(x); the datasets with get_batch use it, so a
-- Fashion-MNIST batch goes through ToTensor and Normalize in two tensor ops
-- instead of a hundred.  Random transforms draw from the global stream, so
-- torch.manual_seed makes them reproducible (the batched form draws in a
-- different order than sample by sample, so the two do not give the same
-- numbers).
local torch = require "torch"
local class = require "data.class"

local Transform = class.new("Transform")

function Transform:init() end

function Transform:forward()
  error(class.name(self) .. ": forward is not defined", 2)
end
torch.doc(Transform.forward, "t:forward(x)",
  "The transform of one sample; t(x) calls it. Each transform defines it.",
  [[
local double = data.transforms.Lambda(function(x) return 2 * x end)
print(double(torch.ones(2)), double:forward(torch.ones(1)))]])

Transform.__call = function(self, x) return self:forward(x) end

function Transform:extra_repr() return "" end
torch.doc(Transform.extra_repr, "t:extra_repr()",
  "The text inside the parentheses of the transform's printed form.",
  [[
print(data.transforms.Normalize({0.5}, {0.25}):extra_repr())]])
function Transform:_repr() return class.name(self) .. "(" .. self:extra_repr() .. ")" end

--- x's shape as "1x28x28", for messages.
function Transform._shape_text(x)
  return #x.shape == 0 and "[]" or table.concat(x.shape, "x")
end

--- An error unless x is a tensor of at least `min` dims.
function Transform:check_image(x, min, what)
  if not torch.is_tensor(x) then
    error(string.format("%s: expected a tensor image, got %s", class.name(self), type(x)), 3)
  end
  if x:dim() < min then
    error(string.format("%s: expected %s, got a tensor of shape %s", class.name(self), what,
      Transform._shape_text(x)), 3)
  end
end
torch.doc(Transform.check_image, "t:check_image(x, min, what)",
  "An error naming the transform unless x is a tensor of at least min dims (what says what "
    .. "was expected), for transforms written in Lua.",
  [[
local t = data.transforms.ToTensor()
print(pcall(t.check_image, t, torch.zeros(3), 2, "an image of at least 2 dims"))]])

torch.doc(Transform, "data.transforms.Transform",
  "The base class of transforms: define forward(x) (and batch(x) for a stacked batch); t(x) calls forward.",
  [[
local AddNoise = data.transforms.Transform:extend("AddNoise")
function AddNoise:init(std) self.std = std end
function AddNoise:forward(x) return x + torch.randn(x.shape) * self.std end
function AddNoise:extra_repr() return "std=" .. self.std end
torch.manual_seed(0)
local t = AddNoise(0.1)
print(t, t(torch.zeros(3)))]])
return Transform
