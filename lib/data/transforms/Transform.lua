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

Transform.__call = function(self, x) return self:forward(x) end

function Transform:extra_repr() return "" end
function Transform:_repr() return class.name(self) .. "(" .. self:extra_repr() .. ")" end

--- x's shape as "1x28x28", for messages.
function Transform.shape_text(x)
  return #x.shape == 0 and "[]" or table.concat(x.shape, "x")
end

--- An error unless x is a tensor of at least `min` dims.
function Transform:check_image(x, min, what)
  if not torch.is_tensor(x) then
    error(string.format("%s: expected a tensor image, got %s", class.name(self), type(x)), 3)
  end
  if x:dim() < min then
    error(string.format("%s: expected %s, got a tensor of shape %s", class.name(self), what,
      Transform.shape_text(x)), 3)
  end
end

torch.doc(Transform, "data.transforms.Transform",
  "The base class of transforms: define forward(x) (and batch(x) for a stacked batch); t(x) calls forward.")
return Transform
