-- nn.functional.conv — F.conv1d, F.conv2d, F.conv_transpose1d, F.conv_transpose2d.
--
-- Each is the torch function of the same name (vm/bind_conv.c, kernels in
-- tensor/conv.c): PyTorch's keyword arguments go in a trailing options table,
-- F.conv2d(x, w, b, {stride = 2, padding = 1, dilation = 1, groups = 1}), each
-- per-dim option a number or one number per spatial dim ({h, w}); bias may be nil.
local torch = require "torch"

local M = {}

local function define(name, signature, text, example)
  local fn = torch[name]
  M[name] = function(input, weight, bias, opts) return fn(input, weight, bias, opts) end
  torch.doc(M[name], signature, text, example)
end

define("conv1d", "F.conv1d(input, weight, bias, {stride=1, padding=0, dilation=1, groups=1})",
  "1-D convolution: input (N, C, L) or (C, L), weight (O, C/groups, k), bias (O) or nil; "
    .. "padding is a number, 'valid' or 'same' (stride 1).",
  [[
local x = torch.tensor({{{1.0, 2.0, 3.0, 4.0}}})     -- (N 1, C 1, L 4)
local w = torch.tensor({{{1.0, -1.0}}})              -- (O 1, C 1, k 2)
print(F.conv1d(x, w, nil))                           -- neighbours subtracted: x(i) - x(i+1)]])
define("conv2d", "F.conv2d(input, weight, bias, {stride=1, padding=0, dilation=1, groups=1})",
  "2-D convolution: input (N, C, H, W) or (C, H, W), weight (O, C/groups, kH, kW), bias (O) or nil; "
    .. "options are numbers or {h, w} pairs, padding also 'valid' or 'same' (stride 1).",
  [[
local x = torch.arange(16):float():view(1, 1, 4, 4)
local w = torch.ones(1, 1, 3, 3) / 9                 -- a 3x3 box blur
print(F.conv2d(x, w, nil))
print(table.concat(F.conv2d(x, w, torch.zeros(1), {padding = "same"}).shape, "x"))]])
define("conv_transpose1d",
  "F.conv_transpose1d(input, weight, bias, {stride=1, padding=0, output_padding=0, groups=1, dilation=1})",
  "1-D transposed convolution (conv1d's gradient with respect to its input): input (N, C_in, L), "
    .. "weight (C_in, O/groups, k), bias (O) or nil.",
  [[
local x = torch.tensor({{{1.0, 2.0}}})               -- (N 1, C_in 1, L 2)
local w = torch.tensor({{{1.0, 1.0, 1.0}}})          -- (C_in 1, O 1, k 3)
print(F.conv_transpose1d(x, w, nil, {stride = 2}))]])
define("conv_transpose2d",
  "F.conv_transpose2d(input, weight, bias, {stride=1, padding=0, output_padding=0, groups=1, dilation=1})",
  "2-D transposed convolution (conv2d's gradient with respect to its input): input (N, C_in, H, W), "
    .. "weight (C_in, O/groups, kH, kW), bias (O) or nil; output_padding adds size after.",
  [[
local x = torch.ones(1, 1, 2, 2)
local w = torch.ones(1, 1, 2, 2)
print(F.conv_transpose2d(x, w, nil, {stride = 2}))   -- each input spreads over a 2x2 block]])

return M
