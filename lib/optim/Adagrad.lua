-- Adagrad.lua — optim.Adagrad, as torch.optim.Adagrad: the gradient divided
-- by the root of the running sum of its squares, with a decaying learning
-- rate, L2 weight decay and maximize.
--
-- Per parameter, at step t: g = grad (negated to maximize) + weight_decay * p;
-- sum = sum + g^2; p = p - lr / (1 + (t - 1) lr_decay) * g / (sqrt(sum) + eps).
-- As in PyTorch, every parameter's state exists from the start (sum filled
-- with initial_accumulator_value).  One fused pass (torch._adagrad_step).
local torch = require "torch"
local Optimizer = require "optim.Optimizer"

local Adagrad = Optimizer:extend("Adagrad", {
  {"lr", 1e-2, ">=0"}, {"lr_decay", 0, ">=0"}, {"weight_decay", 0, ">=0"},
  {"initial_accumulator_value", 0, ">=0"}, {"eps", 1e-10, ">=0"}, {"maximize", false},
})

function Adagrad:add_param_group(group)
  local new = Optimizer.add_param_group(self, group)
  for _, p in ipairs(new.params) do
    self.state[p] = {step = 0, sum = torch.full_like(p, new.initial_accumulator_value)}
  end
  return new
end

function Adagrad:_update(p, grad, state, group)
  state.step = state.step + 1
  torch._adagrad_step(p, grad, state.sum, state.step, group)
end

torch.doc(Adagrad, "optim.Adagrad(params, {lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, "
  .. "eps=1e-10, maximize=false})", "Adagrad: the gradient scaled by the root of the sum of its squares.",
  [[
local w = torch.zeros(1, {requires_grad = true})
local opt = optim.Adagrad({w}, {lr = 1})
local moved = {}
for k = 1, 4 do
  w.grad = torch.ones(1)
  opt:step()
  moved[k] = string.format("%.3f", -w:item())
end
print(table.concat(moved, " "), opt.state[w].sum)   -- the steps shrink as squares add up]])
return Adagrad
