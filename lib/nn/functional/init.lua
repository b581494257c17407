-- nn.functional (F) — the functional form of every layer and loss, one file
-- per family; each file returns a table of functions merged into F.
local torch = require "torch"

local F = {}
torch.doc(F, "nn.functional (F)", "Functional forms of the layers and losses.")

local families = {"linear", "activation", "conv", "pooling", "normalization", "loss", "dropout",
  "sparse", "recurrent", "bilinear"}
for _, family in ipairs(families) do
  for name, fn in pairs(require("nn.functional." .. family)) do
    assert(F[name] == nil, "nn.functional: " .. name .. " defined twice")
    F[name] = fn
  end
end

return F
