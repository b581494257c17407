-- Adamax.lua — optim.Adamax, as torch.optim.Adamax: Adam with the infinity
-- norm in place of the second moment, with L2 weight decay and maximize.
--
-- Per parameter, at step t: g = grad (negated to maximize) + weight_decay * p;
-- m = beta1 m + (1 - beta1) g; u = max(beta2 u, |g| + eps);
-- p = p - lr / (1 - beta1^t) * m / u.  One fused pass (torch._adamax_step).
local torch = require "torch"
local Optimizer = require "optim.Optimizer"

local Adamax = Optimizer:extend("Adamax", {
  {"lr", 2e-3, ">=0"}, {"betas", {0.9, 0.999}, "betas"}, {"eps", 1e-8, ">=0"},
  {"weight_decay", 0, ">=0"}, {"maximize", false},
})

function Adamax:_update(p, grad, state, group)
  self:_count_step(p, state, "exp_avg", "exp_inf")
  torch._adamax_step(p, grad, state.exp_avg, state.exp_inf, state.step, group)
end

torch.doc(Adamax, "optim.Adamax(params, {lr=2e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0, "
  .. "maximize=false})", "Adamax: Adam with the infinity norm of past gradients.",
  [[
local w = torch.zeros(2, {requires_grad = true})
local opt = optim.Adamax({w}, {lr = 0.002})
w.grad = torch.tensor({4.0, -0.5})
opt:step()
print(w, opt.state[w].exp_inf)    -- the largest gradient seen, in place of Adam's squares]])
return Adamax
