-- Identity.lua — nn.Identity(): returns its input (a placeholder layer).
local torch = require "torch"
local nn = require "nn"

local Identity = nn.Module:extend("Identity")
function Identity:forward(x) return x end

torch.doc(Identity, "nn.Identity()", "Returns its input unchanged (any arguments to the constructor are ignored).",
  [[
local id = nn.Identity()
print(id, id(torch.tensor({1, 2})))]])
return Identity
