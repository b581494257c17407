-- SGD.lua — optim.SGD: stochastic gradient descent with momentum, dampening,
-- Nesterov momentum, L2 weight decay and maximize, as torch.optim.SGD.
--
-- Per parameter: g = grad (negated to maximize) + weight_decay * p; with
-- momentum, buf = g on the first step and momentum * buf + (1 - dampening) * g
-- after, and g becomes g + momentum * buf (nesterov) or buf; p = p - lr * g.
-- The update is one fused pass (torch._sgd_step).
local torch = require "torch"
local Optimizer = require "optim.Optimizer"

local SGD = Optimizer:extend("SGD", {
  {"lr", Optimizer.required, ">=0"}, {"momentum", 0, ">=0"}, {"dampening", 0},
  {"weight_decay", 0, ">=0"}, {"nesterov", false}, {"maximize", false},
})

function SGD:_check_group(group, where)
  if group.nesterov and (group.momentum <= 0 or group.dampening ~= 0) then
    error("SGD: nesterov momentum requires a momentum and zero dampening" .. where, 0)
  end
end

function SGD:_update(p, grad, state, group)
  local buf, first = nil, false
  if group.momentum ~= 0 then
    buf = state.momentum_buffer
    if buf == nil then
      buf = torch.zeros_like(p)
      state.momentum_buffer = buf
      first = true
    end
  end
  torch._sgd_step(p, grad, buf, first, group)
end

torch.doc(SGD, "optim.SGD(params, {lr=, momentum=0, dampening=0, weight_decay=0, nesterov=false, maximize=false})",
  "Stochastic gradient descent, optionally with (Nesterov) momentum and L2 weight decay; lr is required.",
  [[
local w = torch.tensor({1.0, -2.0}, {requires_grad = true})
local opt = optim.SGD({w}, {lr = 0.1, momentum = 0.9})
for step = 1, 50 do
  opt:zero_grad()
  local loss = (w * w):sum()        -- minimum at w = 0
  loss:backward()
  opt:step()
end
print(opt)
print(w)]])
return SGD
