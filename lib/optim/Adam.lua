-- Adam.lua — optim.Adam, as torch.optim.Adam: moving averages of the
-- gradient (exp_avg) and of its square (exp_avg_sq) with bias correction,
-- optional L2 weight decay, AMSGrad and maximize.
--
-- Per parameter, at step t: g = grad (negated to maximize) + weight_decay * p;
-- m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2 (with amsgrad, v
-- is replaced by its running maximum); p = p - lr / (1 - beta1^t) * m /
-- (sqrt(v) / sqrt(1 - beta2^t) + eps).  One fused pass (torch._adam_step);
-- AdamW shares this file's update with its own kernel.
local torch = require "torch"
local Optimizer = require "optim.Optimizer"

local Adam = Optimizer:extend("Adam", {
  {"lr", 1e-3, ">=0"}, {"betas", {0.9, 0.999}, "betas"}, {"eps", 1e-8, ">=0"},
  {"weight_decay", 0, ">=0"}, {"amsgrad", false}, {"maximize", false},
})
Adam._kernel = torch._adam_step

function Adam:_update(p, grad, state, group)
  self:_count_step(p, state, "exp_avg", "exp_avg_sq")
  -- Created when amsgrad is first on, even if it was switched on mid-run.
  if group.amsgrad and state.max_exp_avg_sq == nil then state.max_exp_avg_sq = torch.zeros_like(p) end
  self._kernel(p, grad, state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq, state.step, group)
end

torch.doc(Adam, "optim.Adam(params, {lr=1e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0, amsgrad=false, "
  .. "maximize=false})", "Adam: bias-corrected moving averages of the gradient and its square.",
  [[
local w = torch.zeros(2, {requires_grad = true})
local opt = optim.Adam({w}, {lr = 0.1})
w.grad = torch.tensor({0.5, -3.0})
opt:step()
print(w)                          -- the first step is lr against each gradient's sign, whatever its size]])
return Adam
