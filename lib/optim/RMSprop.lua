-- RMSprop.lua — optim.RMSprop, as torch.optim.RMSprop: the gradient divided
-- by the root of a moving average of its square (minus the square of the
-- gradient's own moving average when centered), with optional momentum,
-- L2 weight decay and maximize.
--
-- Per parameter: g = grad (negated to maximize) + weight_decay * p;
-- sq = alpha sq + (1 - alpha) g^2; avg = sqrt(sq - ga^2) + eps with
-- ga = alpha ga + (1 - alpha) g when centered, else sqrt(sq) + eps; then
-- buf = momentum buf + g / avg and p = p - lr buf, or without momentum
-- p = p - lr g / avg.  One fused pass (torch._rmsprop_step).
local torch = require "torch"
local Optimizer = require "optim.Optimizer"

local RMSprop = Optimizer:extend("RMSprop", {
  {"lr", 1e-2, ">=0"}, {"alpha", 0.99, ">=0"}, {"eps", 1e-8, ">=0"}, {"weight_decay", 0, ">=0"},
  {"momentum", 0, ">=0"}, {"centered", false}, {"maximize", false},
})

function RMSprop:_update(p, grad, state, group)
  self:_count_step(p, state, "square_avg")
  if group.momentum > 0 and state.momentum_buffer == nil then state.momentum_buffer = torch.zeros_like(p) end
  if group.centered and state.grad_avg == nil then state.grad_avg = torch.zeros_like(p) end
  torch._rmsprop_step(p, grad, state.square_avg, state.grad_avg, state.momentum_buffer, group)
end

torch.doc(RMSprop, "optim.RMSprop(params, {lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, "
  .. "centered=false, maximize=false})", "RMSprop: the gradient scaled by a running root mean square.",
  [[
local w = torch.zeros(3, {requires_grad = true})
local opt = optim.RMSprop({w}, {lr = 0.01, alpha = 0.9})
for _ = 1, 2 do
  w.grad = torch.tensor({1.0, 10.0, 100.0})
  opt:step()
end
print(w, opt.state[w].square_avg)   -- like steps for gradients 100 times apart]])
return RMSprop
