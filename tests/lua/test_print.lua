-- How tensors print (tostring, the REPL) and torch.set_printoptions.
-- The expected texts come from PyTorch 1.13 (tests/fixtures/gen_print.py);
-- each case's tensor is rebuilt from its values with torch.tensor and views.
local T = require "testing"

local here = debug.getinfo(1, "S").source:match "^@(.*)/[^/]*$" or "."
local cases = dofile(here .. "/../fixtures/print.lua")

local function values_of(c)
  if c.values then return c.values end
  local a, m, b, scale = table.unpack(c.gen)
  local n = 1
  for _, s in ipairs(c.shape) do n = n * s end
  local v = {}
  for i = 0, n - 1 do
    local x = (i * a) % m + b
    v[i + 1] = scale == 1 and x or x * scale
  end
  return v
end

-- The fixture's views take PyTorch's 0-based arguments.
local views = {
  t = function(x) return x:t() end,
  permute = function(x, ...)
    local dims = {...}
    for i = 1, #dims do dims[i] = dims[i] + 1 end
    return x:permute(table.unpack(dims))
  end,
  narrow = function(x, dim, start, len) return x:narrow(dim + 1, start + 1, len) end,
  expand = function(x, ...) return x:expand(...) end,
  select = function(x, dim, index) return x:select(dim + 1, index + 1) end,
}

local function build(c)
  local opts = {dtype = c.dtype}
  local x
  if #c.shape == 0 then
    x = torch.tensor(c.values[1], opts)
  else
    x = torch.tensor(values_of(c), opts):view(table.unpack(c.shape))
  end
  for _, v in ipairs(c.view or {}) do x = views[v[1]](x, table.unpack(v, 2)) end
  return x
end

-- Runs fn with print options and default dtype set, restoring both after.
local function with_settings(options, default_dtype, fn)
  torch.set_printoptions(options or {})
  torch.set_default_dtype(default_dtype or "float32")
  local ok, err = pcall(fn)
  torch.set_printoptions({profile = "default"})
  torch.set_default_dtype("float32")
  if not ok then error(err, 0) end
end

-- Makes every tensor report x[key] = value (for the autograd attributes that
-- printing reads), restoring the metatable's __index after fn.
local function with_attribute(key, value, fn)
  local mt = debug.getregistry().Tensor
  local index = mt.__index
  mt.__index = function(x, k)
    if k == key then return value end
    return index(x, k)
  end
  local ok, err = pcall(fn)
  mt.__index = index
  if not ok then error(err, 0) end
end

local grad_fn = setmetatable({}, {__tostring = function() return "MulBackward" end})

for _, c in ipairs(cases) do
  T.test("prints like PyTorch: " .. c.name, function()
    with_settings(c.options, c.default_dtype, function()
      local x = build(c)
      if c.suffix == "requires_grad=true" then
        with_attribute("requires_grad", true, function() T.eq(tostring(x), c.expected) end)
      elseif c.suffix then
        with_attribute("grad_fn", grad_fn, function() T.eq(tostring(x), c.expected) end)
      else
        T.eq(tostring(x), c.expected)
      end
    end)
  end)
end

T.test("the REPL shows the same text", function()
  local repl = require "luagrad.repl"
  local x = torch.tensor({{1.5, -2}, {3, 4}})
  T.eq(repl.format(x), "tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.0000]])")
  T.eq(repl.format({x}), "{" .. tostring(x) .. "}")
end)

T.test("grad_fn wins over requires_grad", function()
  with_attribute("requires_grad", true, function()
    with_attribute("grad_fn", grad_fn, function()
      T.eq(tostring(torch.tensor({2.5})), "tensor([2.5000], grad_fn=<MulBackward>)")
    end)
  end)
end)

T.test("a closed tensor prints as closed", function()
  local x = torch.tensor({1, 2})
  do local y <close> = x end
  T.eq(tostring(x), "tensor(<closed>)")
end)

T.test("get_printoptions reflects set_printoptions", function()
  with_settings({precision = 2, threshold = 5, edgeitems = 1, linewidth = 60, sci_mode = true}, nil,
    function()
      local o = torch.get_printoptions()
      T.eq(o.precision, 2)
      T.eq(o.threshold, 5)
      T.eq(o.edgeitems, 1)
      T.eq(o.linewidth, 60)
      T.eq(o.sci_mode, true)
      T.eq(tostring(torch.arange(10)), "tensor([0,  ..., 9])")
      -- as in PyTorch, a call without sci_mode makes it automatic again
      torch.set_printoptions({precision = 3})
      T.eq(torch.get_printoptions().sci_mode, nil)
      T.eq(torch.get_printoptions().threshold, 5)
      torch.set_printoptions({profile = "full"})
      T.eq(torch.get_printoptions().threshold, math.huge)
      T.eq(torch.get_printoptions().precision, 4)
    end)
  local o = torch.get_printoptions()
  T.eq(o.precision, 4)
  T.eq(o.threshold, 1000)
  T.eq(o.edgeitems, 3)
  T.eq(o.linewidth, 80)
end)

T.test("set_printoptions rejects bad options", function()
  T.errors("set_printoptions: precision must be an integer in 0..100, got -1",
           torch.set_printoptions, {precision = -1})
  T.errors("set_printoptions: precision must be an integer in 0..100, got 2.5",
           torch.set_printoptions, {precision = 2.5})
  T.errors("set_printoptions: edgeitems must be an integer in 1..", torch.set_printoptions,
           {edgeitems = 0})
  T.errors("set_printoptions: linewidth must be an integer in 1..", torch.set_printoptions,
           {linewidth = "wide"})
  T.errors("set_printoptions: threshold must be a number >= 0 (math.huge for never), got -1",
           torch.set_printoptions, {threshold = -1})
  T.errors("set_printoptions: sci_mode must be true, false or nil, got 1",
           torch.set_printoptions, {sci_mode = 1})
  T.errors("set_printoptions: unknown profile 'long' (use default, short or full)",
           torch.set_printoptions, {profile = "long"})
  T.errors("set_printoptions: unknown option 'precison'", torch.set_printoptions,
           {precison = 2})
  T.errors("set_printoptions: expected a table of options, got number", torch.set_printoptions, 3)
  -- a rejected call changes nothing
  T.eq(torch.get_printoptions().precision, 4)
  T.eq(tostring(torch.tensor({1.25})), "tensor([1.2500])")
end)
