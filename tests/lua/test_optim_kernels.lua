-- The fused optimizer kernels (torch._sgd_step, ..., tensor/optim.c) against
-- their naive reference: PyTorch's single-tensor update rules written out
-- op by op with luagrad's own tensor ops, as torch/optim/*.py writes them.
-- Large random parameters (past the size where the kernels split the work
-- across threads) and every combination of the options that select a
-- different loop; float64 must agree to rounding, float32 closely.
local T = require "testing"

local N = 40000   -- > PARALLEL_GRAIN (32768): the threaded path

local function rand(dtype) return torch.randn(N, {dtype = dtype}) end

-- The gradient as PyTorch's updates start: negated to maximize, plus the L2 term.
local function grad_of(g, p, group)
  if group.maximize then g = -g end
  if group.weight_decay ~= 0 then g = g:add(p, {alpha = group.weight_decay}) end
  return g
end

-- Each entry: the state it starts from, the fused call, the reference; every
-- function gets (p, g, state, group, step).
local KERNELS = {
  SGD = {
    groups = {{lr = 0.1, momentum = 0, dampening = 0, weight_decay = 0},
      {lr = 0.1, momentum = 0.9, dampening = 0.2, weight_decay = 0.1, maximize = true},
      {lr = 0.05, momentum = 0.9, dampening = 0, weight_decay = 0, nesterov = true}},
    init = function(p) return {buf = torch.zeros_like(p)} end,
    fused = function(p, g, s, group, step)
      torch._sgd_step(p, g, group.momentum ~= 0 and s.buf or nil, step == 1, group)
    end,
    reference = function(p, g, s, group, step)
      local d = grad_of(g, p, group)
      if group.momentum ~= 0 then
        if step == 1 then s.buf:copy_(d) else s.buf:mul_(group.momentum):add_(d, {alpha = 1 - group.dampening}) end
        d = group.nesterov and d:add(s.buf, {alpha = group.momentum}) or s.buf
      end
      p:add_(d, {alpha = -group.lr})
    end,
  },
  Adam = {
    groups = {{lr = 0.01, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0},
      {lr = 0.01, betas = {0.8, 0.9}, eps = 1e-3, weight_decay = 0.1, amsgrad = true, maximize = true}},
    init = function(p) return {m = torch.zeros_like(p), v = torch.zeros_like(p), vmax = torch.zeros_like(p)} end,
    fused = function(p, g, s, group, step)
      torch._adam_step(p, g, s.m, s.v, group.amsgrad and s.vmax or nil, step, group)
    end,
    reference = function(p, g, s, group, step, decoupled)
      local b1, b2 = group.betas[1], group.betas[2]
      g = group.maximize and -g or g
      if decoupled then
        p:mul_(1 - group.lr * group.weight_decay)
      elseif group.weight_decay ~= 0 then
        g = g:add(p, {alpha = group.weight_decay})
      end
      s.m:mul_(b1):add_(g, {alpha = 1 - b1})
      s.v:mul_(b2):addcmul_(g, g, {value = 1 - b2})
      local v = s.v
      if group.amsgrad then
        s.vmax:copy_(torch.maximum(s.vmax, s.v))
        v = s.vmax
      end
      local denom = (v:sqrt() / math.sqrt(1 - b2 ^ step)):add_(group.eps)
      p:addcdiv_(s.m, denom, {value = -(group.lr / (1 - b1 ^ step))})
    end,
  },
  RMSprop = {
    groups = {{lr = 0.01, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0},
      {lr = 0.01, alpha = 0.9, eps = 1e-4, weight_decay = 0.1, momentum = 0.5, centered = true, maximize = true},
      {lr = 0.01, alpha = 0.9, eps = 1e-4, weight_decay = 0, momentum = 0.5},
      {lr = 0.01, alpha = 0.9, eps = 1e-4, weight_decay = 0, momentum = 0, centered = true}},
    init = function(p) return {sq = torch.zeros_like(p), ga = torch.zeros_like(p), buf = torch.zeros_like(p)} end,
    fused = function(p, g, s, group)
      torch._rmsprop_step(p, g, s.sq, group.centered and s.ga or nil, group.momentum > 0 and s.buf or nil, group)
    end,
    reference = function(p, g, s, group)
      g = grad_of(g, p, group)
      s.sq:mul_(group.alpha):addcmul_(g, g, {value = 1 - group.alpha})
      local avg
      if group.centered then
        s.ga:mul_(group.alpha):add_(g, {alpha = 1 - group.alpha})
        avg = s.sq:addcmul(s.ga, s.ga, {value = -1}):sqrt_()
      else
        avg = s.sq:sqrt()
      end
      avg:add_(group.eps)
      if group.momentum > 0 then
        s.buf:mul_(group.momentum):addcdiv_(g, avg)
        p:add_(s.buf, {alpha = -group.lr})
      else
        p:addcdiv_(g, avg, {value = -group.lr})
      end
    end,
  },
  Adagrad = {
    groups = {{lr = 0.1, lr_decay = 0, weight_decay = 0, eps = 1e-10},
      {lr = 0.1, lr_decay = 0.1, weight_decay = 0.1, eps = 1e-3, maximize = true}},
    init = function(p) return {sum = torch.full_like(p, 0.1)} end,
    fused = function(p, g, s, group, step) torch._adagrad_step(p, g, s.sum, step, group) end,
    reference = function(p, g, s, group, step)
      g = grad_of(g, p, group)
      local clr = group.lr / (1 + (step - 1) * group.lr_decay)
      s.sum:addcmul_(g, g, {value = 1})
      p:addcdiv_(g, s.sum:sqrt():add_(group.eps), {value = -clr})
    end,
  },
  Adadelta = {
    groups = {{lr = 1, rho = 0.9, eps = 1e-6, weight_decay = 0},
      {lr = 0.5, rho = 0.5, eps = 1e-3, weight_decay = 0.1, maximize = true}},
    init = function(p) return {sq = torch.zeros_like(p), acc = torch.zeros_like(p)} end,
    fused = function(p, g, s, group) torch._adadelta_step(p, g, s.sq, s.acc, group) end,
    reference = function(p, g, s, group)
      g = grad_of(g, p, group)
      s.sq:mul_(group.rho):addcmul_(g, g, {value = 1 - group.rho})
      local std = s.sq:add(group.eps):sqrt_()
      local delta = s.acc:add(group.eps):sqrt_():div_(std):mul_(g)
      s.acc:mul_(group.rho):addcmul_(delta, delta, {value = 1 - group.rho})
      p:add_(delta, {alpha = -group.lr})
    end,
  },
  Adamax = {
    groups = {{lr = 0.002, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0},
      {lr = 0.01, betas = {0.8, 0.9}, eps = 1e-3, weight_decay = 0.1, maximize = true}},
    init = function(p) return {m = torch.zeros_like(p), u = torch.zeros_like(p)} end,
    fused = function(p, g, s, group, step) torch._adamax_step(p, g, s.m, s.u, step, group) end,
    reference = function(p, g, s, group, step)
      local b1, b2 = group.betas[1], group.betas[2]
      g = grad_of(g, p, group)
      s.m:mul_(b1):add_(g, {alpha = 1 - b1})
      s.u:copy_(torch.maximum(s.u:mul_(b2), g:abs():add_(group.eps)))
      p:addcdiv_(s.m, s.u, {value = -(group.lr / (1 - b1 ^ step))})
    end,
  },
  NAdam = {
    groups = {{lr = 0.002, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0, momentum_decay = 4e-3},
      {lr = 0.01, betas = {0.8, 0.9}, eps = 1e-3, weight_decay = 0.1, momentum_decay = 0.01}},
    init = function(p) return {m = torch.zeros_like(p), v = torch.zeros_like(p), mu_product = 1} end,
    fused = function(p, g, s, group, step)
      s.mu_product = torch._nadam_step(p, g, s.m, s.v, step, s.mu_product, group)
    end,
    reference = function(p, g, s, group, step)
      local b1, b2, md = group.betas[1], group.betas[2], group.momentum_decay
      g = grad_of(g, p, group)
      local mu = b1 * (1 - 0.5 * 0.96 ^ (step * md))
      local mu_next = b1 * (1 - 0.5 * 0.96 ^ ((step + 1) * md))
      s.mu_product = s.mu_product * mu
      s.m:mul_(b1):add_(g, {alpha = 1 - b1})
      s.v:mul_(b2):addcmul_(g, g, {value = 1 - b2})
      local denom = s.v:div(1 - b2 ^ step):sqrt():add_(group.eps)
      p:addcdiv_(g, denom, {value = -group.lr * (1 - mu) / (1 - s.mu_product)})
      p:addcdiv_(s.m, denom, {value = -group.lr * mu_next / (1 - s.mu_product * mu_next)})
    end,
  },
}
KERNELS.AdamW = {
  groups = {{lr = 0.01, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0.01},
    {lr = 0.01, betas = {0.8, 0.9}, eps = 1e-3, weight_decay = 0.5, amsgrad = true, maximize = true}},
  init = KERNELS.Adam.init,
  fused = function(p, g, s, group, step)
    torch._adamw_step(p, g, s.m, s.v, group.amsgrad and s.vmax or nil, step, group)
  end,
  reference = function(p, g, s, group, step) KERNELS.Adam.reference(p, g, s, group, step, true) end,
}

local function compare(fused_state, ref_state, tol, what)
  for k, v in pairs(ref_state) do
    if torch.is_tensor(v) then
      local diff = (fused_state[k] - v):abs():max():item()
      local scale = v:abs():max():item()
      T.truthy(diff <= tol * (1 + scale), string.format("%s: %s differs by %g", what, k, diff))
    else
      T.close(fused_state[k], v, tol, what .. ": " .. k)
    end
  end
end

for name, K in pairs(KERNELS) do
  for gi, group in ipairs(K.groups) do
    for _, dtype in ipairs {"float64", "float32"} do
      T.test(string.format("fused %s kernel = the op-by-op reference (group %d, %s)", name, gi, dtype), function()
        torch.manual_seed(gi)
        local p = rand(dtype)
        local q = p:clone()
        local s, r = K.init(p), K.init(p)
        for k, v in pairs(s) do
          if torch.is_tensor(v) then r[k] = v:clone() end
        end
        local tol = dtype == "float64" and 1e-12 or 2e-5
        for step = 1, 3 do
          local g = rand(dtype)
          K.fused(p, g, s, group, step)
          K.reference(q, g, r, group, step)
          compare({p = p}, {p = q}, tol, name .. " step " .. step)
          compare(s, r, tol, name .. " step " .. step)
        end
      end)
    end
  end
end

T.test("fused kernels leave a NaN gradient as NaN, and an infinite parameter without weight decay infinite", function()
  local p = torch.tensor({1, math.huge, 3}, {dtype = "float64"})
  local group = {lr = 0.1, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0}
  torch._adam_step(p, torch.tensor({0 / 0, 1, 1}, {dtype = "float64"}), torch.zeros(3, {dtype = "float64"}),
    torch.zeros(3, {dtype = "float64"}), nil, 1, group)
  local v = p:totable()
  T.truthy(v[1] ~= v[1], "NaN stays NaN")
  T.eq(v[2], math.huge)
end)
