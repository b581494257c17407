-- Dropout2d.lua — nn.Dropout2d(p, {inplace=}): nn.Dropout over whole channels
-- of (N, C, H, W) or unbatched (C, H, W) input.
local torch = require "torch"
local nn = require "nn"

local Dropout2d = nn.Dropout:extend("Dropout2d")

function Dropout2d:forward(x) return nn.functional.dropout2d(x, self.p, self.training, self.inplace) end

torch.doc(Dropout2d, "nn.Dropout2d(p=0.5, {inplace=false})",
  "In training mode zeroes each channel (all H x W values of x[n][c]) with probability p and scales "
    .. "the kept channels by 1/(1-p); in eval mode returns its input unchanged.",
  [[
torch.manual_seed(0)
local drop = nn.Dropout2d(0.5)
print(drop(torch.ones(1, 4, 2, 2)):sum({3, 4}))   -- whole channels kept (x 2) or zeroed]])
return Dropout2d
