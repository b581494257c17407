-- Elementwise ops against PyTorch 1.13 (tests/fixtures/gen_elementwise.py):
-- every op as torch.op(...), as a method, in place, on non-contiguous inputs
-- and (for + - * / % ^) as an operator; then the rules around them
-- (promotion, broadcasting, in-place casting) and their error messages.
local T = require "testing"

local here = debug.getinfo(1, "S").source:match "^@(.*)/[^/]*$" or "."
local fx = dofile(here .. "/../fixtures/elementwise.lua")

-- ---- helpers ---------------------------------------------------------------

local function build(spec)
  local kind = spec[1]
  if kind == "scalar" then return spec[2] end
  if kind == "data" then return torch.tensor(spec[2], {dtype = spec[3]}) end
  if kind == "zeros" then
    local args = {table.unpack(spec[2])}
    args[#args + 1] = {dtype = spec[3]}
    return torch.zeros(table.unpack(args))
  end
  return torch.tensor(fx.inputs[kind], {dtype = spec[2]})
end

-- The same values in a non-contiguous layout (a transposed copy, transposed
-- back); other tensors and numbers are returned as they are.
local function strided(x)
  if type(x) ~= "userdata" or x:dim() ~= 2 then return x end
  local y = x:t():contiguous():t()
  assert(not y:is_contiguous() or x.shape[1] <= 1 or x.shape[2] <= 1)
  return y
end

local TOL = {float32 = {1e-6, 1e-7}, float64 = {1e-12, 1e-15}}

-- got (a tensor) against want (nested values) for a result of dtype `dtype`.
local function same_values(got, want, dtype, path)
  if type(want) == "table" then
    T.eq(type(got), "table", "shape at " .. path)
    T.eq(#got, #want, "size at " .. path)
    for i = 1, #want do same_values(got[i], want[i], dtype, path .. "[" .. i .. "]") end
    return
  end
  if type(want) == "boolean" then want = want and 1 or 0 end
  if type(got) == "boolean" then got = got and 1 or 0 end
  local tol = TOL[dtype]
  if want ~= want then
    T.truthy(got ~= got, string.format("at %s: expected nan, got %s", path, tostring(got)))
  elseif not tol or want == math.huge or want == -math.huge then
    T.eq(got, want, "at " .. path)
  elseif math.abs(got - want) > tol[1] * math.abs(want) + tol[2] then
    error(string.format("at %s: expected %.17g, got %.17g", path, want, got), 0)
  end
end

local function shape_of(want)
  local shape = {}
  while type(want) == "table" do
    shape[#shape + 1] = #want
    want = want[1]
  end
  return shape
end

local function check(got, c, what)
  local ok, err = pcall(function()
    T.eq(got.dtype, c.dtype, "dtype")
    T.eq(table.concat(got.shape, "x"), table.concat(c.shape or shape_of(c.want), "x"), "shape")
    same_values(got:totable(), c.want, c.dtype, "")
  end)
  if not ok then error(what .. ": " .. tostring(err), 0) end
end

-- What x:op_(...) must do to x, given the out-of-place case c: the result
-- converted to x's dtype, or the error when it cannot be.
local CATEGORY = {bool = 0, uint8 = 1, int64 = 1, float32 = 2, float64 = 2}

local function converted(want, dtype)
  if type(want) == "table" then
    local t = {}
    for i = 1, #want do t[i] = converted(want[i], dtype) end
    return t
  end
  if type(want) == "boolean" then want = want and 1 or 0 end
  if dtype == "uint8" then return want % 256 end
  if dtype == "bool" then return want ~= 0 end
  return want
end

local function check_inplace(x, c, call, what)
  local shape = table.concat(x.shape, "x")
  local result_shape = table.concat(c.shape or shape_of(c.want), "x")
  if result_shape ~= shape then
    T.errors("doesn't match the broadcast shape " .. result_shape, call, x)
  elseif CATEGORY[c.dtype] > CATEGORY[x.dtype] then
    T.errors(string.format("result type %s can't be cast to the desired output type %s",
                           c.dtype, x.dtype), call, x)
  else
    local r = call(x)
    T.truthy(rawequal(r, x), what .. ": returns x itself")
    check(x, {dtype = x.dtype, want = converted(c.want, x.dtype), shape = c.shape}, what)
  end
end

local function describe(c)
  local parts = {}
  for _, a in ipairs(c.args) do
    parts[#parts + 1] = a[1] .. ":" .. (type(a[2]) == "table" and "{...}" or tostring(a[2]))
  end
  return c.op .. "(" .. table.concat(parts, ", ") .. ")"
end

-- ---- unary ops -------------------------------------------------------------

T.test("unary ops match PyTorch: function, method, in place, strided", function()
  for _, c in ipairs(fx.unary) do
    local what = describe(c)
    for _, layout in ipairs {"contiguous", "strided"} do
      local x = build(c.args[1])
      if layout == "strided" then x = strided(x) end
      check(torch[c.op](x, c.opts), c, what .. " torch." .. c.op .. " " .. layout)
      check(x[c.op](x, c.opts), c, what .. " method " .. layout)
      check_inplace(x:clone(), c, function(y) return y[c.op .. "_"](y, c.opts) end,
                    what .. " in place " .. layout)
    end
  end
end)

T.test("in-place unary ops write through a non-contiguous view into its base", function()
  local base = torch.tensor({{-1, 2}, {3, -4}}, {dtype = "float32"})
  base:t():relu_()
  T.allclose(base:totable(), {{0, 2}, {3, 0}})
  base:narrow(2, 2, 1):neg_()
  T.allclose(base:totable(), {{0, -2}, {3, 0}})
end)

-- ---- binary ops ------------------------------------------------------------

local OPERATORS = {
  add = function(a, b) return a + b end, sub = function(a, b) return a - b end,
  mul = function(a, b) return a * b end, div = function(a, b) return a / b end,
  pow = function(a, b) return a ^ b end, remainder = function(a, b) return a % b end,
}

T.test("binary ops match PyTorch: function, method, operator, in place, strided", function()
  for _, c in ipairs(fx.binary) do
    local what = describe(c)
    for _, layout in ipairs {"contiguous", "strided"} do
      local a, b = build(c.args[1]), build(c.args[2])
      if layout == "strided" then a, b = strided(a), strided(b) end
      check(torch[c.op](a, b, c.opts), c, what .. " torch." .. c.op .. " " .. layout)
      if type(a) == "userdata" then
        check(a[c.op](a, b, c.opts), c, what .. " method " .. layout)
        check_inplace(a:clone(), c, function(y) return y[c.op .. "_"](y, b, c.opts) end,
                      what .. " in place " .. layout)
      end
      if OPERATORS[c.op] and not c.opts then
        check(OPERATORS[c.op](a, b), c, what .. " operator " .. layout)
      end
    end
  end
end)

T.test("unary minus is neg, and numbers work on either side of every operator", function()
  local x = torch.tensor({1, 2, 4}, {dtype = "float32"})
  T.allclose((-x):totable(), {-1, -2, -4})
  T.allclose((2 - x):totable(), {1, 0, -2})
  T.allclose((2 / x):totable(), {2, 1, 0.5})
  T.allclose((2 ^ x):totable(), {2, 4, 16})
  T.allclose((x ^ 2):totable(), {1, 4, 16})
  T.allclose((7 % x):totable(), {0, 1, 3})
  T.allclose((-7 % x):totable(), {0, 1, 1})
  T.allclose((1 + x * 3 - x / 2):totable(), {3.5, 6, 11})
  T.eq((torch.tensor({1, 2}) / 2).dtype, "float32")
  T.eq((torch.tensor({1, 2}) * 2).dtype, "int64")
  T.eq((torch.tensor({1, 2}) * 2.0).dtype, "float32")
  T.eq((torch.tensor({true}) + 1).dtype, "int64")
end)

T.test("in-place binary ops on non-contiguous and overlapping targets", function()
  local x = torch.tensor({{1, 2}, {3, 4}}, {dtype = "float64"})
  x:t():add_(torch.tensor({10, 20}, {dtype = "float64"}))   -- adds along the rows of x
  T.allclose(x:totable(), {{11, 12}, {23, 24}})
  -- reading a transposed view of the target itself sees the old values
  local y = torch.tensor({{1, 2}, {3, 4}})
  y:add_(y:t())
  T.allclose(y:totable(), {{2, 5}, {5, 8}})
  local z = torch.tensor({1, 2, 3})
  z:mul_(z)
  T.allclose(z:totable(), {1, 4, 9})
  local w = torch.tensor({5, 6, 7, 8})
  w:narrow(1, 2, 3):sub_(w:narrow(1, 1, 3))
  T.allclose(w:totable(), {5, 1, 1, 1})
end)

T.test("big operands take the threaded path and still broadcast right", function()
  local n, m = 300, 1000                       -- 300000 elements > PARALLEL_GRAIN
  local a = torch.arange(n * m, {dtype = "float64"}):view(n, m)
  local b = torch.arange(m, {dtype = "float64"})
  local c = a + b                               -- c[i][j] = (i*m + j) + j
  T.eq(c:select(1, n):select(1, m):item(), (n * m - 1) + (m - 1))
  T.eq(c:select(1, 17):select(1, 5):item(), (16 * m + 4) + 4)
  local d = a:t() * 2                           -- strided and big
  T.eq(d:select(1, m):select(1, n):item(), 2 * (n * m - 1))
  T.eq(d:select(1, 3):select(1, 2):item(), 2 * (1 * m + 2))
  a:add_(1):mul_(b)
  T.eq(a:select(1, 2):select(1, 3):item(), (1 * m + 2 + 1) * 2)
end)

-- ---- where, clamp, masked_fill, lerp, addcmul, addcdiv -------------------------

local function extra_args(c)
  local args = {}
  for i, v in ipairs(c.extra or {}) do args[i] = v ~= "nil" and v or nil end
  return args, #(c.extra or {})
end

local OTHER = {
  where = function(c, a)
    local method = type(a[2]) == "userdata" and a[2]:where(a[1], a[3]) or torch.where(a[1], a[2], a[3])
    return torch.where(a[1], a[2], a[3]), method
  end,
  clamp = function(c, a)
    local e, n = extra_args(c)
    return torch.clamp(a[1], table.unpack(e, 1, n)), a[1]:clamp(table.unpack(e, 1, n)),
           function(y) return y:clamp_(table.unpack(e, 1, n)) end
  end,
  clamp_t = function(c, a)
    return torch.clamp(a[1], a[2], a[3]), a[1]:clamp({min = a[2], max = a[3]}),
           function(y) return y:clamp_(a[2], a[3]) end
  end,
  masked_fill = function(c, a)
    local v = c.extra[1]
    return torch.masked_fill(a[1], a[2], v), a[1]:masked_fill(a[2], v),
           function(y) return y:masked_fill_(a[2], v) end
  end,
  lerp = function(c, a)
    local w = c.extra[1]
    return torch.lerp(a[1], a[2], w), a[1]:lerp(a[2], w), function(y) return y:lerp_(a[2], w) end
  end,
  lerp_t = function(c, a)
    return torch.lerp(a[1], a[2], a[3]), a[1]:lerp(a[2], a[3]),
           function(y) return y:lerp_(a[2], a[3]) end
  end,
  addcmul = function(c, a)
    return torch.addcmul(a[1], a[2], a[3], c.opts), a[1]:addcmul(a[2], a[3], c.opts),
           function(y) return y:addcmul_(a[2], a[3], c.opts) end
  end,
  addcdiv = function(c, a)
    return torch.addcdiv(a[1], a[2], a[3], c.opts), a[1]:addcdiv(a[2], a[3], c.opts),
           function(y) return y:addcdiv_(a[2], a[3], c.opts) end
  end,
}

T.test("where, clamp, masked_fill, lerp, addcmul, addcdiv match PyTorch", function()
  for _, c in ipairs(fx.other) do
    local what = describe(c)
    for _, layout in ipairs {"contiguous", "strided"} do
      local a = {}
      for i, spec in ipairs(c.args) do
        a[i] = build(spec)
        if layout == "strided" then a[i] = strided(a[i]) end
      end
      local f, m, inplace = OTHER[c.op](c, a)
      check(f, c, what .. " function " .. layout)
      check(m, c, what .. " method " .. layout)
      if inplace then check_inplace(a[1]:clone(), c, inplace, what .. " in place " .. layout) end
    end
  end
end)

T.test("clamp bounds: tensors, options table, nil, and integer extremes", function()
  local x = torch.tensor({-5, 0, 5})
  T.allclose(x:clamp({max = 1}):totable(), {-5, 0, 1})
  T.allclose(x:clamp(nil, 1):totable(), {-5, 0, 1})
  T.allclose(x:clamp(-1):totable(), {-1, 0, 5})
  T.eq(x:clamp(-1).dtype, "int64")
  T.allclose(torch.tensor({0, 255}, {dtype = "uint8"}):clamp(nil, 254):totable(), {0, 254})
  local big = torch.tensor({math.mininteger, math.maxinteger}):clamp(0):totable()
  T.eq(big[1], 0)
  T.eq(big[2], math.maxinteger)
  T.errors("clamp: at least one of min and max must be given", function() x:clamp() end)
end)

-- ---- promotion -------------------------------------------------------------------

T.test("result dtypes follow torch.result_type, including the 0-dim rule", function()
  for _, row in ipairs(fx.promotion) do
    local da, za, db, zb, want = table.unpack(row)
    local a = za and torch.tensor(0, {dtype = da}) or torch.zeros(2, {dtype = da})
    local b = zb and torch.tensor(0, {dtype = db}) or torch.zeros(2, {dtype = db})
    T.eq(torch.add(a, b).dtype, want,
         string.format("%s%s + %s%s", da, za and "(0-dim)" or "", db, zb and "(0-dim)" or ""))
  end
end)

T.test("numbers promote like Python scalars", function()
  for _, row in ipairs(fx.scalar_promotion) do
    local dt, with_bool, with_int, with_float = table.unpack(row)
    local t = torch.zeros(2, {dtype = dt})
    T.eq(torch.add(t, true).dtype, with_bool, dt .. " + true")
    T.eq((t + 2).dtype, with_int, dt .. " + 2")
    T.eq((t + 2.5).dtype, with_float, dt .. " + 2.5")
    T.eq((2.5 + t).dtype, with_float, "2.5 + " .. dt)
  end
  local old = torch.get_default_dtype()
  torch.set_default_dtype("float64")
  T.eq((torch.tensor({1, 2}) + 0.5).dtype, "float64")
  T.eq(torch.tensor({1, 2}):exp().dtype, "float64")
  T.eq((torch.tensor({1}, {dtype = "float32"}) + 0.5).dtype, "float32")
  torch.set_default_dtype(old)
end)

-- ---- shapes ---------------------------------------------------------------------

T.test("broadcasting: 0-size, 0-dim and mismatches", function()
  local e = torch.zeros(0, 3) + torch.ones(3)
  T.eq(table.concat(e.shape, "x"), "0x3")
  local s = torch.tensor(2.5) * torch.tensor(4)
  T.eq(s:dim(), 0)
  T.eq(s:item(), 10)
  T.errors("add: shapes 2x3 and 4 cannot be broadcast (dim 2: 3 vs 4)",
           function() return torch.zeros(2, 3) + torch.zeros(4) end)
  T.errors("maximum: shapes 3x1 and 2x4 cannot be broadcast",
           function() return torch.zeros(3, 1):maximum(torch.zeros(2, 4)) end)
  T.errors("where: shapes", function() return torch.where(torch.zeros(2):bool(), torch.zeros(3), 0) end)
  T.errors("add_: output with shape 1 doesn't match the broadcast shape 2",
           function() return torch.zeros(1):add_(torch.zeros(2)) end)
  T.errors("masked_fill_: output with shape 3 doesn't match the broadcast shape 2x3",
           function() return torch.zeros(3):masked_fill_(torch.zeros(2, 3):bool(), 1) end)
end)

-- ---- errors ---------------------------------------------------------------------

T.test("errors name the function and say what is wrong", function()
  local b = torch.tensor({true, false})
  local i = torch.tensor({1, 2})
  T.errors("sub: subtraction with a bool tensor is not supported", function() return b - b end)
  T.errors("neg: negation of a bool tensor is not supported; use logical_not",
           function() return -b end)
  T.errors("abs: not supported for bool tensors", function() return b:abs() end)
  T.errors("gelu: not supported for int64 tensors", function() return i:gelu() end)
  T.errors("pow: not supported for bool tensors", function() return b ^ b end)
  T.errors("pow: integers to negative integer powers are not allowed", function() return i ^ -1 end)
  T.errors("remainder: integer division by zero", function() return i % 0 end)
  T.errors("fmod_: integer division by zero", function() return i:clone():fmod_(torch.tensor({1, 0})) end)
  T.errors("exp_: result type float32 can't be cast to the desired output type int64",
           function() return i:exp_() end)
  T.errors("add_: result type float32 can't be cast to the desired output type int64",
           function() return i:add_(0.5) end)
  T.errors("add: for int64 tensors alpha must be an integer, got 0.5",
           function() return i:add(i, {alpha = 0.5}) end)
  T.errors("add_: the tensor written to is an expanded view", function()
    return torch.zeros(1):expand(3):add_(1)
  end)
  T.errors("where: the condition must be a bool tensor, got int64", function()
    return torch.where(i, 1, 2)
  end)
  T.errors("masked_fill: the mask must be a bool tensor, got int64", function() return i:masked_fill(i, 0) end)
  T.errors("masked_fill: the value must be a number or a 0-dim tensor, got a 1-dim tensor",
           function() return i:masked_fill(b, i) end)
  T.errors("lerp: expected a floating tensor, got int64", function() return i:lerp(i, 0.5) end)
  T.errors("lerp: expected dtype float32 for end but got float64", function()
    return torch.zeros(2):lerp(torch.zeros(2, {dtype = "float64"}), 0.5)
  end)
  T.errors("addcdiv: integer division is not supported for int64 tensors",
           function() return i:addcdiv(i, i) end)
  T.errors("gelu: approximate must be \"none\" or \"tanh\", got fast",
           function() return torch.zeros(1):gelu({approximate = "fast"}) end)
  T.errors("Tensor or number expected, got string", function() return i + "x" end)
  T.errors("Tensor or number expected, got no value", function() return torch.add(i) end)
  T.errors("Tensor expected, got number", function() return torch.exp(1) end)
end)

-- ---- fill_, zero_, copy_ ------------------------------------------------------------

T.test("fill_, zero_ and copy_ write in place and return x", function()
  local x = torch.zeros(2, 3, {dtype = "int64"})
  T.truthy(rawequal(x:fill_(2.7), x))
  T.allclose(x:totable(), {{2, 2, 2}, {2, 2, 2}})
  x:t():fill_(torch.tensor(5))
  T.allclose(x:totable(), {{5, 5, 5}, {5, 5, 5}})
  x:select(1, 1):zero_()
  T.allclose(x:totable(), {{0, 0, 0}, {5, 5, 5}})
  x:copy_(torch.tensor({1.9, -2.9, 3}))
  T.allclose(x:totable(), {{1, -2, 3}, {1, -2, 3}})
  local b = torch.zeros(2, {dtype = "bool"})
  b:fill_(true)
  T.eq(b:totable()[2], true)
  T.errors("fill_: the value must be a number or a 0-dim tensor", function() return x:fill_(x) end)
  T.errors("copy_: a source of shape 4 cannot be broadcast to the destination's shape 2x3",
           function() return x:copy_(torch.zeros(4)) end)
end)

T.test("every function and method of this family has help text", function()
  local names = {"add", "sub", "mul", "div", "pow", "fmod", "remainder", "maximum", "minimum",
    "atan2", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
    "neg", "abs", "sign", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tan",
    "tanh", "sigmoid", "relu", "gelu", "silu", "floor", "ceil", "round", "trunc", "reciprocal",
    "isnan", "isinf", "isfinite", "logical_not", "where", "clamp", "masked_fill", "lerp",
    "addcmul", "addcdiv"}
  local x = torch.zeros(1)
  for _, n in ipairs(names) do
    T.truthy(torch._docs[torch[n]], "help for torch." .. n)
    T.truthy(torch._docs[x[n]], "help for x:" .. n)
    if n ~= "where" then T.truthy(torch._docs[x[n .. "_"]], "help for x:" .. n .. "_") end
  end
  for _, n in ipairs {"fill_", "zero_", "copy_"} do T.truthy(torch._docs[x[n]], n) end
end)
