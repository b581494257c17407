-- conv.lua — convolution benchmarks on the LeNet layer shapes, one line each:
-- "<name> <seconds per op>" (best of several rounds).  conv.py does the same
-- work in PyTorch; run.sh puts the two side by side.
--   conv1        x 100x1x28x28, w 6x1x5x5, padding 2 (x needs no gradient, as in LeNet)
--   conv1_nopad  the same without padding
--   conv2        x 100x6x14x14 (needs a gradient), w 16x6x5x5
-- *_fwd is the forward alone (no graph), *_fwdbwd forward + backward from a given
-- output gradient (the weight's, the bias's and, for conv2, the input's).
local here = arg[0]:match "^(.*)/[^/]*$" or "."
local timing = dofile(here .. "/timing.lua")

torch.manual_seed(0)
local layers = {
  {"conv1", {100, 1, 28, 28}, {6, 1, 5, 5}, 2, false},
  {"conv1_nopad", {100, 1, 28, 28}, {6, 1, 5, 5}, 0, false},
  {"conv2", {100, 6, 14, 14}, {16, 6, 5, 5}, 0, true},
}
for _, l in ipairs(layers) do
  local name, xs, ws, pad, x_grad = table.unpack(l)
  local x = torch.randn(xs):requires_grad_(x_grad)
  local w = torch.randn(ws):requires_grad_()
  local b = torch.randn(ws[1]):requires_grad_()
  local opts = {padding = pad}
  local function forward() return torch.no_grad(function() return torch.conv2d(x, w, b, opts) end) end
  timing.report(name .. "_fwd", timing.best(10, 20, forward))
  local g = torch.ones_like(forward())
  timing.report(name .. "_fwdbwd", timing.best(10, 20, function() torch.conv2d(x, w, b, opts):backward(g) end))
end
