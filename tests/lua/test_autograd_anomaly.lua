-- test_autograd_anomaly.lua — anomaly detection (torch.autograd.set_detect_anomaly,
-- detect_anomaly): backward stops at the node whose gradient is NaN or Inf,
-- names its op and quotes the traceback of the line that made it; off, it
-- records and checks nothing.  Expected values by hand: d/dx log(x) at 0
-- times a zero gradient is 0/0 = NaN; d/da (a / b) at b = 0 is 1/0 = Inf.
local T = require "testing"

local autograd = torch.autograd
local here = debug.getinfo(1, "S").short_src

-- The error of fn(), which must fail.
local function failure(fn)
  local ok, err = pcall(fn)
  T.eq(ok, false, "the call failed")
  return tostring(err)
end

local function has(text, needle)
  T.truthy(text:find(needle, 1, true), "'" .. needle .. "' in: " .. text)
end

T.test("anomaly: log(0) * 0 names LogBackward and the line that took the log", function()
  autograd.set_detect_anomaly(true)
  local x = torch.tensor({0.0, 1.0}, {requires_grad = true})
  local line = debug.getinfo(1, "l").currentline + 1
  local y = x:log()
  local z = y * 0
  local err = failure(function() z:sum():backward() end)
  autograd.set_detect_anomaly(false)
  has(err, "anomaly: LogBackward returned nan values in its gradient for input 1")
  has(err, "stack traceback:")
  has(err, "in method 'log'")
  has(err, here .. ":" .. line .. ":")
end)

T.test("anomaly: 0 / 0 names DivBackward and the line of the division", function()
  local a = torch.tensor({0.0}, {requires_grad = true})
  local b = torch.tensor({0.0}, {requires_grad = true})
  local err = failure(function()
    autograd.detect_anomaly(function()
      local line = debug.getinfo(1, "l").currentline + 1
      local q = a / b
      local ok, e = pcall(function() q:sum():backward() end)
      error(tostring(e) .. "\n(line " .. line .. ")", 0)
    end)
  end)
  local line = err:match "%(line (%d+)%)"
  has(err, "anomaly: DivBackward returned inf values in its gradient for input 1")
  has(err, here .. ":" .. line .. ":")
end)

T.test("anomaly: off, backward lets NaN through and nodes record nothing", function()
  T.eq(autograd.is_anomaly_enabled(), false)
  local x = torch.tensor({0.0}, {requires_grad = true})
  local y = x:log() * 0
  T.eq(autograd._node(y.grad_fn).origin, nil)
  y:sum():backward()
  T.truthy(x.grad:isnan():all():item(), "x.grad is NaN")
end)

T.test("anomaly: on, a node keeps where it was made but no copies of values", function()
  autograd.detect_anomaly(function()
    local x = torch.tensor({2.0}, {requires_grad = true})
    local info = autograd._node(x:exp().grad_fn)
    T.truthy(info.origin and info.origin:find(here, 1, true), "origin " .. tostring(info.origin))
    T.eq(info.inputs[1].value, nil)
    T.eq(info.outputs[1], nil)
    T.eq(autograd.is_tracing(), false)
  end)
end)

T.test("anomaly: a node made before detection was on says where is not known", function()
  local x = torch.tensor({0.0}, {requires_grad = true})
  local y = x:log() * 0
  local err = failure(function() autograd.detect_anomaly(function() y:sum():backward() end) end)
  has(err, "LogBackward returned nan values")
  has(err, "made before anomaly detection was on")
end)

T.test("anomaly: detect_anomaly restores the setting, also after an error; trace still traces", function()
  T.errors("boom", autograd.detect_anomaly, function() error("boom", 0) end)
  T.eq(autograd.is_anomaly_enabled(), false)
  autograd.set_detect_anomaly(true)
  autograd.detect_anomaly(function() end)
  T.eq(autograd.is_anomaly_enabled(), true)
  local x = torch.tensor({1.0}, {requires_grad = true})
  local listing = autograd.trace(function() return x:exp() end)
  T.eq(#listing.ops, 1)
  autograd.set_detect_anomaly(false)
  T.eq(autograd.is_anomaly_enabled(), false)
  T.errors("bad argument #1 to 'set_detect_anomaly' (boolean expected, got string)",
           function() autograd.set_detect_anomaly("yes") end)
  T.errors("detect_anomaly: expected a function, got nil", autograd.detect_anomaly)
end)

T.test("anomaly: finite gradients pass", function()
  autograd.detect_anomaly(function()
    local w = torch.tensor({{1.0, 2.0}, {3.0, 4.0}}, {requires_grad = true})
    local loss = (w:matmul(torch.tensor({1.0, -1.0})) ^ 2):sum()
    loss:backward()
    T.allclose(w.grad:totable(), {{-2, 2}, {-2, 2}})
  end)
end)
