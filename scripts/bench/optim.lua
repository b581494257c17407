-- optim.lua — one optimizer step over the 101,770 parameters of a
-- 784-128-128-10 MLP (shapes 128x784, 128, 128x128, 128, 10x128, 10) with
-- random gradients, beside PyTorch 1.13's non-foreach step on the same
-- shapes (scripts/bench/optim.py) when Debian's python3-torch is there.
-- The goal: Adam at least as fast as PyTorch's.
-- usage: ./luagrad scripts/bench/optim.lua   (from the repository root)
local here = arg[0]:match "^(.*)/[^/]*$" or "."
local best = dofile(here .. "/timing.lua").best
local SHAPES = {{128, 784}, {128}, {128, 128}, {128}, {10, 128}, {10}}

local function bench(make)
  torch.manual_seed(0)
  local params = {}
  for i, s in ipairs(SHAPES) do
    params[i] = torch.randn(s):requires_grad_()
    params[i].grad = torch.randn(s)
  end
  local opt = make(params)
  for _ = 1, 20 do opt:step() end
  return best(5, 200, function() opt:step() end)
end

-- Not -I: the script imports timing.py from its own folder (and a script's
-- sys.path has that folder, not the working directory with ./torch.so).
local pytorch = {}
local py = io.popen("/usr/bin/python3 " .. here .. "/optim.py 2>/dev/null")
for line in py:lines() do
  local name, seconds = line:match "^(%S+) (%S+)$"
  if name then pytorch[name] = tonumber(seconds) end
end
py:close()

local rows = {
  {"adam_mlp_step", function(ps) return optim.Adam(ps, {lr = 1e-3}) end, "<= PyTorch's time"},
  {"sgd_mlp_step", function(ps) return optim.SGD(ps, {lr = 1e-2, momentum = 0.9}) end, "(reference)"},
}
print(string.format("%-14s %12s %12s %8s   %s", "benchmark", "luagrad us", "PyTorch us", "ratio", "goal"))
for _, row in ipairs(rows) do
  local l, p = bench(row[2]), pytorch[row[1]]
  print(string.format("%-14s %12.1f %12s %8s   %s", row[1], l * 1e6, p and string.format("%.1f", p * 1e6) or "-",
    p and string.format("%.2f", l / p) or "-", row[3]))
end
if next(pytorch) == nil then print("(python3-torch is not installed: 'make bench-deps' installs it)") end
