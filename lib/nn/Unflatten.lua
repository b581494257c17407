-- Unflatten.lua — nn.Unflatten(dim, sizes): splits one dim into several.
local torch = require "torch"
local nn = require "nn"

local Unflatten = nn.Module:extend("Unflatten")

function Unflatten:init(dim, sizes)
  if math.type(dim) ~= "integer" or type(sizes) ~= "table" or #sizes == 0 then
    error("Unflatten: expected a dim (integer) and a table of sizes", 3)
  end
  self.dim, self.sizes = dim, sizes
end

function Unflatten:forward(x)
  local d = self.dim < 0 and x:dim() + self.dim + 1 or self.dim
  if d < 1 or d > x:dim() then
    error(string.format("Unflatten: dim %d out of range for a %d-dim input", self.dim, x:dim()), 2)
  end
  local shape = {}
  for i = 1, d - 1 do shape[#shape + 1] = x:size(i) end
  for _, s in ipairs(self.sizes) do shape[#shape + 1] = s end
  for i = d + 1, x:dim() do shape[#shape + 1] = x:size(i) end
  return x:reshape(shape)
end

function Unflatten:extra_repr()
  return string.format("dim=%d, unflattened_size=(%s)", self.dim, table.concat(self.sizes, ", "))
end

torch.doc(Unflatten, "nn.Unflatten(dim, sizes)", "Reshapes dim (1-based) into the given sizes, e.g. {1, 28, 28}.",
  [[
local unflat = nn.Unflatten(2, {1, 28, 28})
print(unflat, table.concat(unflat(torch.zeros(8, 784)).shape, "x"))]])
return Unflatten
