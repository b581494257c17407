-- Creating tensors: torch.tensor inference, filled constructors, ranges,
-- random streams, and the errors for bad sizes.  Expected values by hand.
local T = require "testing"

T.test("torch.tensor infers shape and dtype", function()
  local x = torch.tensor({{1, 2, 3}, {4, 5, 6}})
  T.eq(x.dtype, "int64")
  T.allclose(x.shape, {2, 3})
  T.eq(torch.tensor({1, 2.5}).dtype, "float32")
  T.eq(torch.tensor({true, false}).dtype, "bool")
  T.eq(torch.tensor(3):dim(), 0)
  T.eq(torch.tensor({}):numel(), 0)
  T.eq(torch.tensor({1, 2}, {dtype = "float64"}).dtype, "float64")
end)

T.test("torch.tensor keeps int64 values beyond 2^53 exactly", function()
  local big = math.maxinteger - 1
  T.eq(torch.tensor({big}):totable()[1], big)
end)

T.test("torch.tensor rejects ragged and mixed data", function()
  T.errors("ragged nested table", torch.tensor, {{1, 2}, {3}})
  T.errors("cannot mix booleans and numbers", torch.tensor, {true, 1})
  T.errors("expected numbers or booleans, got string", torch.tensor, {"a"})
  T.errors("unknown dtype 'float16'", torch.tensor, {1}, {dtype = "float16"})
end)

-- The options are read between the two walks over the data: an __index that
-- rewrites the data there made the second walk index a number (a crash).
T.test("torch.tensor: data changed by the options' metamethod is an error, not a crash", function()
  local data = {{1, 2}}
  local opts = setmetatable({}, {__index = function() data[1] = 5 end})
  T.errors("the data table changed while it was being read", torch.tensor, data, opts)
  data = {{1, 2}}
  opts = setmetatable({}, {__index = function() data[1] = {} end})
  T.errors("the data table changed while it was being read", torch.tensor, data, opts)
end)

T.test("filled constructors take varargs or a table", function()
  T.allclose(torch.zeros(2, 3):totable(), {{0, 0, 0}, {0, 0, 0}})
  T.allclose(torch.ones({2}):totable(), {1, 1})
  T.allclose(torch.full({2, 2}, 7):totable(), {{7, 7}, {7, 7}})
  T.eq(torch.zeros(2, {dtype = "int64"}).dtype, "int64")
  local x = torch.tensor({{1.5, 2}, {3, 4}}, {dtype = "float64"})
  T.eq(torch.zeros_like(x).dtype, "float64")
  T.allclose(torch.ones_like(x):totable(), {{1, 1}, {1, 1}})
  T.allclose(torch.full_like(x, -2):totable(), {{-2, -2}, {-2, -2}})
  T.eq(torch.empty(0, 3):numel(), 0)
  T.eq(torch.zeros():dim(), 0)
end)

T.test("ranges: arange excludes its end, linspace includes both", function()
  T.allclose(torch.arange(5):totable(), {0, 1, 2, 3, 4})
  T.eq(torch.arange(5).dtype, "int64")
  T.allclose(torch.arange(1, 2, 0.25):totable(), {1, 1.25, 1.5, 1.75})
  T.eq(torch.arange(1, 2, 0.25).dtype, "float32")
  T.allclose(torch.arange(5, 0, -2):totable(), {5, 3, 1})
  T.allclose(torch.linspace(-1, 1, 5):totable(), {-1, -0.5, 0, 0.5, 1})
  T.allclose(torch.eye(2, 3):totable(), {{1, 0, 0}, {0, 1, 0}})
  T.errors("arange: step must be nonzero", torch.arange, 0, 1, 0)
  T.errors("inconsistent with step sign", torch.arange, 0, 5, -1)
end)

T.test("random streams are reproducible and well spread", function()
  torch.manual_seed(42)
  local a = torch.rand(1000):totable()
  torch.manual_seed(42)
  local b = torch.rand(1000):totable()
  T.eq(a[1], b[1]) T.eq(a[1000], b[1000])
  T.eq(torch.initial_seed(), 42)
  local sum, sumsq = 0, 0
  for _, v in ipairs(a) do
    T.truthy(v >= 0 and v < 1, "uniform in [0, 1)")
    sum = sum + v
  end
  T.close(sum / 1000, 0.5, 0.05, "uniform mean")
  local n = torch.randn(4000):totable()
  sum = 0
  for _, v in ipairs(n) do sum, sumsq = sum + v, sumsq + v * v end
  T.close(sum / 4000, 0, 0.06, "normal mean")
  T.close(sumsq / 4000, 1, 0.08, "normal variance")
end)

T.test("randint and randperm", function()
  local r = torch.randint(3, 7, {500}):totable()
  local seen = {}
  for _, v in ipairs(r) do
    T.truthy(v >= 3 and v < 7, "randint in [3, 7)")
    seen[v] = true
  end
  T.truthy(seen[3] and seen[6], "both ends reached")
  local p = torch.randperm(10):totable()
  table.sort(p)
  for i = 1, 10 do T.eq(p[i], i) end
  T.errors("randint: high (2) must be greater than low (5)", torch.randint, 5, 2, {3})
end)

T.test("in-place random fillers return their tensor", function()
  local x = torch.zeros(100)
  T.eq(x:uniform_(2, 3), x)
  for _, v in ipairs(x:totable()) do T.truthy(v >= 2 and v < 3) end
  local ones = 0
  for _, v in ipairs(torch.zeros(1000):bernoulli_(0.25):totable()) do ones = ones + v end
  T.close(ones / 1000, 0.25, 0.2, "bernoulli rate")
end)

T.test("bad sizes are errors naming the function", function()
  T.errors("zeros: negative size -1 in dim 1", torch.zeros, -1, 2)
  T.errors("out of memory", torch.zeros, 1e6, 1e6, 1e3)
  T.errors("size overflows", torch.zeros, 1e10, 1e10, 1e10)
  T.errors("must be an integer", torch.zeros, 2.5)
end)

T.test("the default dtype", function()
  T.eq(torch.get_default_dtype(), "float32")
  torch.set_default_dtype("float64")
  T.eq(torch.tensor({1.5}).dtype, "float64")
  torch.set_default_dtype("float32")
  T.errors("only float32 and float64", torch.set_default_dtype, "int64")
end)

T.test("the collector sees tensor memory", function()
  -- 2,000 temporaries of 4 MB (8 GB in all) without collectgarbage
  local peak = 0
  for _ = 1, 2000 do
    local t = torch.zeros(1024 * 1024)
    peak = math.max(peak, torch.memory())
  end
  T.truthy(peak < 1024 * 1024 * 1024, "peak tensor memory " .. peak .. " under 1 GB")
end)
