-- NAdam.lua — optim.NAdam, as torch.optim.NAdam: Adam with Nesterov momentum
-- and a momentum schedule mu_t = beta1 (1 - 0.96^(t momentum_decay) / 2),
-- with L2 weight decay.
--
-- Per parameter, at step t: g = grad + weight_decay * p; m and v as in Adam;
-- denom = sqrt(v / (1 - beta2^t)) + eps; p = p - lr (1 - mu_t) / (1 - prod mu) g / denom
-- - lr mu_{t+1} / (1 - prod mu * mu_{t+1}) m / denom.  The state keeps the
-- product of the mu_t (mu_product).  The next step's product is PyTorch 2's
-- (PyTorch 1.13 multiplied mu_t in twice).  One fused pass (torch._nadam_step).
local torch = require "torch"
local Optimizer = require "optim.Optimizer"

local NAdam = Optimizer:extend("NAdam", {
  {"lr", 2e-3, ">=0"}, {"betas", {0.9, 0.999}, "betas"}, {"eps", 1e-8, ">=0"},
  {"weight_decay", 0, ">=0"}, {"momentum_decay", 4e-3, ">=0"},
})

function NAdam:_update(p, grad, state, group)
  self:_count_step(p, state, "exp_avg", "exp_avg_sq")
  state.mu_product = torch._nadam_step(p, grad, state.exp_avg, state.exp_avg_sq, state.step,
    state.mu_product or 1, group)
end

torch.doc(NAdam, "optim.NAdam(params, {lr=2e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0, "
  .. "momentum_decay=4e-3})", "NAdam: Adam with Nesterov momentum.",
  [[
local w = torch.ones(2, {requires_grad = true})
local opt = optim.NAdam({w}, {lr = 0.01})
w.grad = torch.tensor({1.0, -1.0})
opt:step()
print(w, opt.state[w].mu_product)]])
return NAdam
