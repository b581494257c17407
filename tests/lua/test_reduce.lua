-- Reductions, scans, softmax and sorting from Lua: every fixture case of
-- tests/fixtures/reduce.lua (results of the same calls in PyTorch 1.13, with
-- 1-based positions), then hand-checked cases: exact float32 sums, methods
-- and functions agreeing, positions that index the input, and the error
-- messages a user reads.
local T = require "testing"

local here = debug.getinfo(1, "S").source:match "^@(.*)/[^/]*$" or "."
local fx = dofile(here .. "/../fixtures/reduce.lua")

local views = {
  t = function(x) return x:t() end,
  narrow = function(x, ...) return x:narrow(...) end,
  permute = function(x, ...) return x:permute(...) end,
}

local function build(name, view)
  local inp = fx.inputs[name]
  local x
  if #inp.shape == 0 then
    x = torch.tensor(inp.values[1], {dtype = inp.dtype})
  else
    x = torch.tensor(inp.values, {dtype = inp.dtype}):view(table.unpack(inp.shape))
  end
  for _, v in ipairs(view or {}) do x = views[v[1]](x, table.unpack(v, 2)) end
  return x
end

local function flatten(v, out)
  out = out or {}
  if type(v) ~= "table" then
    out[#out + 1] = v
  else
    for _, x in ipairs(v) do flatten(x, out) end
  end
  return out
end

local TOL = {float32 = 1e-6, float64 = 1e-10}

-- A result tensor against {dtype, shape, values}: NaN matches NaN, floats
-- within the dtype's tolerance, everything else exactly.
local function check_result(got, want, what)
  T.eq(torch.is_tensor(got), true, what .. " is a tensor")
  T.eq(got.dtype, want.dtype, what .. " dtype")
  T.eq(table.concat(got.shape, "x"), table.concat(want.shape, "x"), what .. " shape")
  local values = flatten(got:totable())
  T.eq(#values, #want.values, what .. " count")
  for i, w in ipairs(want.values) do
    local g = values[i]
    if w ~= w then
      T.truthy(g ~= g, string.format("%s[%d]: expected nan, got %s", what, i, tostring(g)))
    elseif TOL[want.dtype] and w ~= math.huge and w ~= -math.huge then
      T.close(g, w, TOL[want.dtype], string.format("%s[%d]", what, i))
    else
      T.eq(g, w, string.format("%s[%d]", what, i))
    end
  end
end

for _, c in ipairs(fx.cases) do
  T.test("fixture: " .. c.name, function()
    local x = build(c.input, c.view)
    local results = table.pack(x[c.op](x, table.unpack(c.args)))
    T.eq(results.n, #c.results, "number of results")
    for i, want in ipairs(c.results) do check_result(results[i], want, "result " .. i) end
    -- torch.op(x, ...) is the same function.
    local again = torch[c.op](x, table.unpack(c.args))
    check_result(again, c.results[1], "torch." .. c.op)
  end)
end

T.test("float32 sums accumulate in double", function()
  -- A float32 accumulator stops growing at 2^24; these are exact in double.
  T.eq(torch.ones(16777216):sum():item(), 16777216)
  T.eq(torch.ones(16777224):sum():item(), 16777224)
  T.eq(torch.ones(4096, 4096):sum(1):sum():item(), 16777216)
  local tenth = torch.full({1000000}, 0.1):sum():item()
  T.close(tenth, 1000000 * 0.100000001490116, 1e-7)
end)

T.test("int64 sums are exact beyond 2^53 and wrap around", function()
  local big = math.maxinteger // 2
  T.eq(torch.tensor({big, 1, -3}):sum():item(), big - 2)
  T.eq(torch.tensor({big, big}):amax():item(), big)
  -- and wrap around on overflow, as int64 arithmetic does in PyTorch
  T.eq(torch.tensor({math.maxinteger, 1}):sum():item(), math.mininteger)
  T.eq(torch.tensor({math.maxinteger, 2}):prod():item(), -2)
  T.eq(torch.tensor({math.maxinteger, 1}):cumsum(1):totable()[2], math.mininteger)
end)

T.test("positions from max, argmax, sort and topk index the input", function()
  torch.manual_seed(5)
  local x = torch.randn(6, 9)
  local values, indices = x:max(2)
  local v, i = values:totable(), indices:totable()
  local rows = x:totable()
  for r = 1, 6 do
    T.eq(rows[r][i[r]], v[r], "row " .. r)
    T.eq(x:argmax(2):totable()[r], i[r])
  end
  local flat = x:argmax():item()
  T.eq(x:view(54):totable()[flat], x:max():item())
  local sorted, order = x:sort(1, {descending = true})
  T.eq(rows[order:totable()[1][3]][3], sorted:totable()[1][3])
  local top, at = x:topk(2, {dim = 1, largest = false})
  T.eq(rows[at:totable()[2][5]][5], top:totable()[2][5])
end)

T.test("functions and methods agree; keepdim positional or in options", function()
  local x = torch.tensor({{1, 2, 3}, {4, 5, 6}}, {dtype = "float64"})
  T.allclose(torch.sum(x, 2):totable(), {6, 15})
  T.allclose(x:sum(2, true):totable(), {{6}, {15}})
  T.allclose(x:sum({dim = 1, keepdim = true}):totable(), {{5, 7, 9}})
  T.allclose(torch.mean(x, {1, 2}):totable(), 3.5)
  T.allclose(x:var(2, false, true):totable(), {{2 / 3}, {2 / 3}})
  T.allclose(torch.norm(x, 1, 2):totable(), {6, 15})
  T.allclose(torch.std(x, {correction = 0}):totable(), math.sqrt(35 / 12))
end)

T.test("reductions of expanded and non-contiguous views", function()
  local row = torch.tensor({1, 2, 3}, {dtype = "float32"})
  local e = row:expand(4, 3)
  T.allclose(e:sum(1):totable(), {4, 8, 12})
  T.allclose(e:sum(2):totable(), {6, 6, 6, 6})
  local m = torch.arange(24):view(2, 3, 4):permute(3, 1, 2)   -- 4x2x3
  T.allclose(m:sum({2, 3}):totable(), {60, 66, 72, 78})
  T.allclose(m:amax(1):totable(), {{3, 7, 11}, {15, 19, 23}})
  local v, i = m:min(3)
  T.allclose(i:totable(), {{1, 1}, {1, 1}, {1, 1}, {1, 1}})
  T.allclose(v:totable(), {{0, 12}, {1, 13}, {2, 14}, {3, 15}})
end)

T.test("0-size and 0-dim tensors", function()
  T.eq(torch.zeros(0):sum():item(), 0)
  T.eq(torch.zeros(0):prod():item(), 1)
  T.truthy(torch.zeros(0):mean():item() ~= torch.zeros(0):mean():item(), "mean of nothing is nan")
  T.eq(torch.zeros(0, 3):sum(2).shape[1], 0)
  T.eq(torch.zeros(0, 3):amax(2):numel(), 0)
  local s = torch.tensor(7)
  T.eq(s:sum():item(), 7)
  T.eq(s:sum(1):dim(), 0)
  T.eq(s:argmax():item(), 1)
  local v, i = s:max(-1)
  T.eq(v:item(), 7)
  T.eq(i:item(), 1)
  T.eq(s:cumsum(1):item(), 7)
  T.eq(torch.tensor(2.0):softmax(1):item(), 1)
  local sorted, order = s:sort()
  T.eq(sorted:item(), 7)
  T.eq(order:item(), 1)
end)

T.test("max and min of two tensors are elementwise", function()
  local a = torch.tensor({1, 5, 3})
  local b = torch.tensor({4, 2, 3})
  T.allclose(torch.max(a, b):totable(), {4, 5, 3})
  T.allclose(a:min(b):totable(), {1, 2, 3})
end)

T.test("errors name the function and the argument", function()
  local x = torch.tensor({{1, 2, 3}, {4, 5, 6}}, {dtype = "float32"})
  T.errors("sum: dim 3 out of range for a 2-dim tensor", x.sum, x, 3)
  T.errors("argmax: dim 0 out of range for a 2-dim tensor", x.argmax, x, 0)
  T.errors("softmax: dim -3 out of range", torch.softmax, x, -3)
  T.errors("cumsum: dim 5 out of range", x.cumsum, x, 5)
  T.errors("sum: dim -1 appears more than once in the list of dims", x.sum, x, {2, -1})
  T.errors("softmax: a dim is required", x.softmax, x)
  T.errors("max: dim must be one number, got a table", x.max, x, {1, 2})
  T.errors("sum: dim must be an integer, got string", x.sum, x, {"a"})
  T.errors("mean: could not infer output dtype: the input is int64", torch.mean, torch.tensor({1, 2}))
  T.errors("var: needs a floating point input, got int64", torch.var, torch.tensor({1, 2}))
  T.errors("norm: needs a floating point input, got int64", torch.norm, torch.tensor({1, 2}))
  T.errors("log_softmax: needs a floating point input, got int64", torch.log_softmax,
           torch.tensor({1, 2}), 1)
  T.errors("norm: p must be a number, \"fro\", \"inf\" or \"-inf\", got nuc", x.norm, x, "nuc")
  T.errors("max: cannot reduce an empty tensor (shape 0x3)", torch.max, torch.zeros(0, 3))
  T.errors("argmin: cannot reduce over a dim of size 0 (input shape 0)", torch.argmin, torch.zeros(0))
  T.errors("amax: cannot reduce over a dim of size 0 (input shape 0x3)", torch.amax, torch.zeros(0, 3), 1)
  T.errors("max: cannot reduce over a dim of size 0", torch.max, torch.zeros(0, 3), 1)
  T.errors("topk: k = 4 is out of range for a dim of size 3", x.topk, x, 4)
  T.errors("topk: k = -1 is out of range", x.topk, x, -1, 1)
  T.errors("unique: dim is not supported", x.unique, x, {dim = 1})
  T.errors("unknown dtype 'half'", x.sum, x, {dtype = "half"})
  T.errors("Tensor expected, got number", torch.sum, 3)
end)

T.test("every function has help", function()
  for _, name in ipairs {"sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin",
                         "var", "std", "norm", "logsumexp", "softmax", "log_softmax", "cumsum",
                         "cumprod", "all", "any", "sort", "argsort", "topk", "unique"} do
    T.truthy(torch.helptext("torch." .. name):find("torch." .. name .. "(x", 1, true), name)
    local x = torch.zeros(1)
    T.eq(x[name], torch[name], name .. " method")
  end
end)
