-- Dropout.lua — nn.Dropout(p, {inplace=}): in training, zeroes elements with
-- probability p and scales the rest by 1/(1-p); the identity in eval mode.
local torch = require "torch"
local nn = require "nn"

local Dropout = nn.Module:extend("Dropout")

function Dropout:init(p, opts)
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "inplace" then error(self:_type() .. ": unknown option '" .. tostring(k) .. "'", 3) end
  end
  if p == nil then p = 0.5 end
  if type(p) ~= "number" or not (p >= 0 and p <= 1) then
    error(string.format("%s: dropout probability p must be in [0, 1], got %s", self:_type(), tostring(p)), 3)
  end
  self.p, self.inplace = p, opts.inplace == true
end

function Dropout:forward(x) return nn.functional.dropout(x, self.p, self.training, self.inplace) end

function Dropout:extra_repr()
  return string.format("p=%s, inplace=%s", tostring(self.p), self.inplace and "True" or "False")
end

torch.doc(Dropout, "nn.Dropout(p=0.5, {inplace=false})",
  "In training mode zeroes each element with probability p and scales the others by 1/(1-p); "
    .. "in eval mode returns its input unchanged.",
  [[
torch.manual_seed(0)
local drop = nn.Dropout(0.5)
print(drop(torch.ones(6)))         -- training: zeroes and scales by 2
drop:eval()
print(drop(torch.ones(6)))         -- evaluation: unchanged]])
return Dropout
