-- sweep.lua — calls every function reachable from torch, nn, optim, data, F
-- and every tensor method with bad arguments: wrong types, wrong arity, nil,
-- negative and huge sizes, NaN and ±Inf, 0-size and 0-dim tensors,
-- non-contiguous views, bool and int tensors where floats are expected.
-- Each call must return or raise a Lua error; a crash or hang fails the run
-- (tests/run.sh sees no summary line).  Afterwards a few computations are
-- checked, so a call that corrupted shared state is caught too.
--
-- usage: luagrad tests/sweep/sweep.lua [-v]   (run in a scratch directory:
-- some calls write files)
local verbose = arg[1] == "-v"

-- Functions that would legitimately block, exit or wait for a person.
local SKIP = {
  ["torch.help"] = true, ["help"] = true,     -- prints pages; harmless but noisy
}

local function tensors()
  return {
    torch.randn(3, 4),
    torch.zeros(0),
    torch.zeros(2, 0, 3),
    torch.tensor(2.5),
    torch.randn(4, 3):t(),                     -- non-contiguous
    torch.randn(2, 3, 4, 5):permute(4, 2, 1, 3),
    torch.tensor({true, false}),
    torch.tensor({1, 2, 3}, {dtype = "int64"}),
    torch.tensor({1, 2}, {dtype = "uint8"}),
    torch.tensor({0 / 0, math.huge, -math.huge}),
    torch.randn(2, 3, {dtype = "float64"}):requires_grad_(),
    torch.randn(1, 1, 5, 5),
  }
end

local function values()
  local list = {nil, true, "x", "float64", {}, {1, 2}, {{}}, {-1}, 0, 1, -1, 2, 3, -7, 0.5, 1e18, -1e18, 2 ^ 63,
    0 / 0, math.huge, -math.huge, print, setmetatable({}, {__index = function() error("poison") end})}
  for _, t in ipairs(tensors()) do list[#list + 1] = t end
  return list
end

-- Argument lists: every value alone, pairs of a tensor with every value,
-- and a few longer lists.
local function argument_lists()
  local v = values()
  local out = {{}}
  for i = 1, 40 do
    if v[i] ~= nil or i == 1 then out[#out + 1] = {n = 1, v[i]} end
  end
  local ts = tensors()
  for _, t in ipairs(ts) do
    for i = 1, 40 do
      if v[i] ~= nil then out[#out + 1] = {n = 2, t, v[i]} end
    end
  end
  for _, t in ipairs(ts) do
    out[#out + 1] = {n = 3, t, ts[1], {dim = 1}}
    out[#out + 1] = {n = 3, t, -1, 1e18}
    out[#out + 1] = {n = 4, t, 2, 2, {padding = -1}}
    out[#out + 1] = {n = 3, t, t, t}
  end
  return out
end

local function collect(prefix, tbl, into, seen)
  if seen[tbl] then return end
  seen[tbl] = true
  local names = {}
  for k in pairs(tbl) do if type(k) == "string" then names[#names + 1] = k end end
  table.sort(names)
  for _, k in ipairs(names) do
    local v = rawget(tbl, k)
    local name = prefix .. "." .. k
    if type(v) == "function" and not SKIP[name] then
      into[#into + 1] = {name, v}
    elseif type(v) == "table" and not k:match "^_" then
      local mt = getmetatable(v)
      if type(mt) == "table" and mt.__call and not SKIP[name] then   -- classes: the constructor
        into[#into + 1] = {name .. "()", function(...) return v(...) end}
      end
      collect(name, v, into, seen)
    end
  end
end

local fns = {}
local seen = {}
for _, root in ipairs({"torch", "nn", "optim", "data", "F"}) do
  if _G[root] then collect(root, _G[root], fns, seen) end
end
local methods = getmetatable(torch.zeros(1)).__index
if type(methods) == "table" then collect("Tensor", methods, fns, seen) end

local lists = argument_lists()
local calls, errors = 0, 0
for _, f in ipairs(fns) do
  local name, fn = f[1], f[2]
  if verbose then io.stderr:write(name, "\n") end
  for _, args in ipairs(lists) do
    local ok = pcall(fn, table.unpack(args, 1, args.n))
    calls = calls + 1
    if not ok then errors = errors + 1 end
  end
  -- Methods also with a tensor as self.
  if name:match "^Tensor%." then
    for _, t in ipairs(tensors()) do
      for _, args in ipairs({{}, {1}, {-1}, {t}, {nil}, {"x"}, {1e18}}) do
        pcall(fn, t, table.unpack(args))
        calls = calls + 1
      end
    end
  end
end
-- Settings the sweep may legitimately have changed.
torch.set_num_threads(2)
torch.set_default_dtype("float32")
torch.set_grad_enabled(true)
torch.set_printoptions({precision = 4})
collectgarbage()

-- Nothing shared was corrupted: a few known results.
local ok = (torch.ones(3, 3):matmul(torch.ones(3)):sum():item() == 9)
  and (torch.arange(1, 5):float():mean():item() == 2.5)
  and torch.get_default_dtype() == "float32"
print(string.format("sweep: %d functions, %d calls, %d raised errors", #fns, calls, errors))
print(ok and "1 passed, 0 failed" or "0 passed, 1 failed")
os.exit(ok and 0 or 1)
