-- nn.functional.pooling — F.max_pool1d, F.max_pool2d, F.avg_pool2d,
-- F.adaptive_avg_pool2d, F.adaptive_max_pool2d: the torch.* pools
-- (vm/bind_pool.c over tensor/pool.c), with PyTorch's keyword arguments in a
-- trailing options table.  The max pools' positions ({return_indices = true})
-- count from 1 within each plane.
local torch = require "torch"

local M = {}

function M.max_pool1d(x, kernel_size, opts) return torch.max_pool1d(x, kernel_size, opts) end
function M.max_pool2d(x, kernel_size, opts) return torch.max_pool2d(x, kernel_size, opts) end
function M.avg_pool2d(x, kernel_size, opts) return torch.avg_pool2d(x, kernel_size, opts) end
function M.adaptive_avg_pool2d(x, output_size) return torch.adaptive_avg_pool2d(x, output_size) end
function M.adaptive_max_pool2d(x, output_size, opts) return torch.adaptive_max_pool2d(x, output_size, opts) end

torch.doc(M.max_pool1d, "F.max_pool1d(x, kernel_size, {stride=kernel_size, padding=0, dilation=1, "
  .. "ceil_mode=false, return_indices=false})",
  "Max over windows of the last dim of a (N, C, L) or (C, L) input; with return_indices also the "
    .. "1-based positions of the maxima.",
  [[
print(F.max_pool1d(torch.tensor({{{1.0, 5.0, 2.0, 4.0}}}), 2))]])
torch.doc(M.max_pool2d, "F.max_pool2d(x, kernel_size, {stride=kernel_size, padding=0, dilation=1, "
  .. "ceil_mode=false, return_indices=false})",
  "Max over windows of the last two dims of a (N, C, H, W) or (C, H, W) input; sizes are a number or "
    .. "{h, w}.  With return_indices also the 1-based flat positions within each plane.",
  [[
local x = torch.arange(16):float():view(1, 1, 4, 4)
local y, idx = F.max_pool2d(x, 2, {return_indices = true})
print(y, idx)]])
torch.doc(M.avg_pool2d, "F.avg_pool2d(x, kernel_size, {stride=kernel_size, padding=0, ceil_mode=false, "
  .. "count_include_pad=true, divisor_override=nil})",
  "Mean over windows of the last two dims; padding counts in the divisor unless count_include_pad is false.",
  [[
local x = torch.arange(16):float():view(1, 1, 4, 4)
print(F.avg_pool2d(x, 2))]])
torch.doc(M.adaptive_avg_pool2d, "F.adaptive_avg_pool2d(x, output_size)",
  "Averages over windows chosen to give an output of output_size (a number or {h, w}).",
  [[
local x = torch.arange(16):float():view(1, 1, 4, 4)
print(F.adaptive_avg_pool2d(x, 1))        -- a global average]])
torch.doc(M.adaptive_max_pool2d, "F.adaptive_max_pool2d(x, output_size, {return_indices=false})",
  "Max over windows chosen to give an output of output_size (a number or {h, w}).",
  [[
local x = torch.arange(16):float():view(1, 1, 4, 4)
print(F.adaptive_max_pool2d(x, {1, 2}))]])

return M
