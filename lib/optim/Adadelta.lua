-- Adadelta.lua — optim.Adadelta, as torch.optim.Adadelta: steps scaled by
-- the ratio of two running root mean squares, of past steps and of
-- gradients, with L2 weight decay and maximize.
--
-- Per parameter: g = grad (negated to maximize) + weight_decay * p;
-- sq = rho sq + (1 - rho) g^2; delta = sqrt(acc + eps) / sqrt(sq + eps) * g;
-- acc = rho acc + (1 - rho) delta^2; p = p - lr delta.  One fused pass
-- (torch._adadelta_step).
local torch = require "torch"
local Optimizer = require "optim.Optimizer"

local Adadelta = Optimizer:extend("Adadelta", {
  {"lr", 1.0, ">=0"}, {"rho", 0.9, "[0,1]"}, {"eps", 1e-6, ">=0"}, {"weight_decay", 0, ">=0"},
  {"maximize", false},
})

function Adadelta:_update(p, grad, state, group)
  self:_count_step(p, state, "square_avg", "acc_delta")
  torch._adadelta_step(p, grad, state.square_avg, state.acc_delta, group)
end

torch.doc(Adadelta, "optim.Adadelta(params, {lr=1, rho=0.9, eps=1e-6, weight_decay=0, maximize=false})",
  "Adadelta: steps scaled by the ratio of the running RMS of past steps to that of gradients.",
  [[
local w = torch.zeros(1, {requires_grad = true})
local opt = optim.Adadelta({w}, {rho = 0.9})
w.grad = torch.ones(1)
opt:step()
print(w, opt.state[w].square_avg, opt.state[w].acc_delta)]])
return Adadelta
