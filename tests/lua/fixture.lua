-- fixture.lua — runs the cases of a generated fixture file (tests/fixtures/
-- gen_linalg.py, gen_index.py): builds the named inputs with their views,
-- calls torch[fn](args...) and, for methods, args[1]:fn(rest...), and compares
-- every result with what PyTorch returned (dtype, shape, then values: exact
-- for integers and bools, relative tolerance by dtype for floats).
local T = require "testing"

local F = {}

local here = debug.getinfo(1, "S").source:match "^@(.*)/[^/]*$" or "."

function F.load(name)
  return dofile(here .. "/../fixtures/" .. name .. ".lua")
end

F.TOL = {float32 = 1e-5, float64 = 1e-10}

function F.build(fx, ref)
  local inp = fx.inputs[ref.t]
  local x = torch.tensor(inp.values, {dtype = inp.dtype})
  x = x:reshape(table.unpack(inp.shape))
  if #inp.shape == 0 then x = x:reshape({}) end
  for _, v in ipairs(ref.view or {}) do x = x[v[1]](x, table.unpack(v, 2)) end
  return x
end

-- Arguments with tensor references replaced by tensors, at any depth.
function F.resolve(fx, arg)
  if type(arg) ~= "table" then return arg end
  if arg.t then return F.build(fx, arg) end
  local out = {}
  for k, v in pairs(arg) do out[k] = F.resolve(fx, v) end
  return out
end

local function flat(v, out)
  if type(v) ~= "table" then
    out[#out + 1] = v
  else
    for _, x in ipairs(v) do flat(x, out) end
  end
  return out
end

function F.values(x)
  if x:dim() == 0 then return {x:item()} end
  return flat(x:totable(), {})
end

-- A tensor against {dtype, shape, values}, or a list of them against {list = ...}.
function F.check(got, want, what)
  if want.list then
    T.eq(type(got), "table", what .. ": a list")
    T.eq(#got, #want.list, what .. ": list length")
    for i, w in ipairs(want.list) do F.check(got[i], w, what .. "[" .. i .. "]") end
    return
  end
  T.truthy(torch.is_tensor(got), what .. ": a tensor")
  T.eq(got.dtype, want.dtype, what .. ": dtype")
  T.eq(table.concat(got.shape, "x"), table.concat(want.shape, "x"), what .. ": shape")
  local values, tol = F.values(got), F.TOL[want.dtype]
  T.eq(#values, #want.values, what .. ": element count")
  for i, w in ipairs(want.values) do
    if tol and w ~= w then
      T.truthy(values[i] ~= values[i], what .. ": NaN at " .. i)
    elseif tol then
      T.close(values[i], w, tol, what .. " at " .. i)
    else
      T.eq(values[i], w, what .. " at " .. i)
    end
  end
end

-- Registers one test per case; `call[fn]` overrides how a case is run.
function F.run(fx, call)
  for _, c in ipairs(fx.cases) do
    T.test(c.name, function()
      local run = call and call[c.fn]
      if run then
        F.check(run(fx, c), c.want, c.fn)
        return
      end
      local args = F.resolve(fx, c.args)
      F.check(torch[c.fn](table.unpack(args, 1, #c.args)), c.want, "torch." .. c.fn)
      if c.method then
        local x = F.resolve(fx, c.args)[1]
        local margs = F.resolve(fx, c.args)
        F.check(x[c.fn](x, table.unpack(margs, 2, #c.args)), c.want, "x:" .. c.fn)
      end
    end)
  end
end

return F
