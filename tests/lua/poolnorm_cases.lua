-- poolnorm_cases.lua — runs the cases of tests/fixtures/poolnorm.lua (made by
-- gen_poolnorm.py) for test_nn_pool.lua and test_nn_norm.lua: calls
-- torch[fn] on the named inputs, compares the output, the max pools'
-- positions, the gradients of sum(out * gy) and the running statistics with
-- PyTorch's.
local T = require "testing"
local FX = require "fixture"

local C = {fx = FX.load "poolnorm"}

-- float32 kernels here sum in double and PyTorch's in float: a little room.
local TOL = {float32 = 2e-5, float64 = 1e-10}

--- gy[k] = ((7k mod 11) - 5) / 4, k counted from 0 in row-major order, as
-- gen_poolnorm.py's upstream().
function C.upstream(out)
  local values = {}
  for k = 0, out:numel() - 1 do values[k + 1] = ((7 * k) % 11 - 5) / 4 end
  return torch.tensor(values, {dtype = out.dtype}):reshape(out.shape)
end

--- FX.check with this file's tolerances.
function C.check(got, want, what)
  local saved = FX.TOL[want.dtype]
  FX.TOL[want.dtype] = TOL[want.dtype]
  local ok, err = pcall(FX.check, got, want, what)
  FX.TOL[want.dtype] = saved
  if not ok then error(err, 2) end
end

function C.build(ref) return FX.build(C.fx, ref) end

--- One case: forward, positions, backward, running statistics.
function C.run(c)
  local x = C.build(c.x):requires_grad_()
  local opts = FX.resolve(C.fx, c.opts)
  for _, name in ipairs({"weight", "bias"}) do
    if opts[name] then opts[name]:requires_grad_() end
  end
  local out, indices
  local running = {}
  if c.fn == "batch_norm" then
    for i, r in ipairs(c.running_in or {}) do running[i] = C.build(r) end
    out = torch.batch_norm(x, running[1], running[2], opts)
  else
    local args = FX.resolve(C.fx, c.args)
    args[#args + 1] = opts
    out, indices = torch[c.fn](x, table.unpack(args))
  end
  C.check(out, c.want, "output")
  if c.indices then C.check(indices, c.indices, "indices") end
  (out * C.upstream(out)):sum():backward()
  C.check(x.grad, c.grad_x, "grad of x")
  for name, want in pairs(c.grads or {}) do C.check(opts[name].grad, want, "grad of " .. name) end
  for i, name in ipairs({"running_mean", "running_var"}) do
    if c.running and c.running[name] then C.check(running[i], c.running[name], name) end
  end
end

--- Registers a test for every case whose fn is in `fns`.
function C.register(fns, suffix)
  for _, c in ipairs(C.fx.cases) do
    if c.fn and fns[c.fn] then T.test(c.name .. suffix, function() C.run(c) end) end
  end
end

return C
