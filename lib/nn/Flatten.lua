-- Flatten.lua — nn.Flatten(start_dim=2, end_dim=-1): dims 1-based, so the
-- default keeps the batch dim as PyTorch's start_dim=1 does.
local torch = require "torch"
local nn = require "nn"

local Flatten = nn.Module:extend("Flatten")

function Flatten:init(start_dim, end_dim)
  self.start_dim, self.end_dim = start_dim or 2, end_dim or -1
end

function Flatten:forward(x) return x:flatten(self.start_dim, self.end_dim) end

function Flatten:extra_repr() return string.format("start_dim=%d, end_dim=%d", self.start_dim, self.end_dim) end

torch.doc(Flatten, "nn.Flatten(start_dim=2, end_dim=-1)",
  "Flattens dims start_dim..end_dim (1-based; the default keeps the batch dim).",
  [[
local flat = nn.Flatten()
print(flat, table.concat(flat(torch.zeros(8, 1, 28, 28)).shape, "x"))]])
return Flatten
