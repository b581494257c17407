-- loss_fixture.lua — runs the cases of tests/fixtures/loss.lua (gen_loss.py)
-- that a filter picks: calls nn.functional[fn] on the named inputs, runs
-- backward with the same output gradient PyTorch had, and compares the
-- result and the gradients with PyTorch's.
local T = require "testing"
local Fx = require "fixture"

local M = {}

local fixture = Fx.load "loss"

-- The output gradient gen_loss.py used: 0.7 for a 0-dim result, else
-- linspace(-1, 1.5, n) in the result's shape.
local function upstream(out)
  if out:dim() == 0 then return torch.tensor(0.7, {dtype = out.dtype}) end
  return torch.linspace(-1, 1.5, out:numel(), {dtype = out.dtype}):reshape(out.shape)
end

local function run(c)
  local x = Fx.build(fixture, {t = c.x}):requires_grad_()
  local out, target
  if c.target then
    target = Fx.build(fixture, {t = c.target})
    if c.target_grad then target:requires_grad_() end
    out = nn.functional[c.fn](x, target, Fx.resolve(fixture, c.opts))
  else
    out = nn.functional[c.fn](x, table.unpack(c.args))
  end
  out:backward(upstream(out))
  Fx.check(out, c.want.out, c.fn .. " result")
  Fx.check(x.grad, c.want.grad, c.fn .. " input gradient")
  if c.target_grad then Fx.check(target.grad, c.want.target_grad, c.fn .. " target gradient") end
end

--- Registers a test for every case whose fn satisfies keep(fn).
function M.register(keep)
  for _, c in ipairs(fixture.cases) do
    if keep(c.fn) then T.test("vs PyTorch: " .. c.name, function() run(c) end) end
  end
end

return M
