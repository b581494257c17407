-- loss.lua — F.cross_entropy forward + backward (the fused kernel) on 100x10
-- and 1000x1000 float32 logits, beside PyTorch doing the same work in the
-- same run (loss.py, when Debian's python3-torch is installed): times per
-- step, best of 5 rounds, and the ratio luagrad / PyTorch.
-- usage: [THREADS=n] ./luagrad scripts/bench/loss.lua   (from the repository root;
-- both sides use n threads, 2 by default)
local F = nn.functional
local clock = torch.clock
torch.set_num_threads(tonumber(os.getenv("THREADS") or "2"))

local function best(rounds, reps, fn)
  local t = math.huge
  for _ = 1, rounds do
    local start = clock()
    for _ = 1, reps do fn() end
    t = math.min(t, (clock() - start) / reps)
  end
  return t
end

local here = arg and arg[0] and arg[0]:match "^(.*)/[^/]*$" or "scripts/bench"
local cases = {{"cross_entropy_100x10", 100, 10, 5000}, {"cross_entropy_1000x1000", 1000, 1000, 50}}
local ours = {}
for _, c in ipairs(cases) do
  torch.manual_seed(0)
  local x = torch.randn(c[2], c[3]):requires_grad_()
  local t = torch.randint(1, c[3] + 1, {c[2]})
  ours[c[1]] = best(5, c[4], function() F.cross_entropy(x, t):backward() end)
end

local theirs = {}
local p = io.popen('/usr/bin/python3 -I "' .. here .. '/loss.py" 2>/dev/null')
for line in p:lines() do
  local name, seconds = line:match "^(%S+) (%S+)$"
  if name then theirs[name] = tonumber(seconds) end
end
p:close()

print(string.format("%-26s %12s %12s %8s", "benchmark", "luagrad us", "PyTorch us", "ratio"))
for _, c in ipairs(cases) do
  local l, py = ours[c[1]], theirs[c[1]]
  print(string.format("%-26s %12.2f %12s %8s", c[1], l * 1e6, py and string.format("%.2f", py * 1e6) or "-",
    py and string.format("%.2f", l / py) or "-"))
end
if not next(theirs) then print("(python3-torch is not installed: 'make bench-deps' installs it)") end
