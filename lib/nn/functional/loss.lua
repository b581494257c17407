-- nn.functional.loss — the loss functions of nn.functional (F).
--
-- cross_entropy, nll_loss and the binary cross entropies are the C kernels
-- of torch (vm/bind_loss.c: a fused, stable log-softmax + NLL, and so on).
-- The others are short compositions of differentiable tensor ops, which are
-- as fast here as a kernel would be (one or two passes) and give second
-- derivatives for free.  Every loss takes a trailing options table with
-- PyTorch's keyword arguments: F.mse_loss(x, y, {reduction = "sum"}).
-- Input and target must have the same shape: PyTorch would broadcast them
-- with a warning, which is almost always a bug, so here it is an error.
local torch = require "torch"

local M = {}

local function shape_text(t)
  return #t.shape == 0 and "[]" or table.concat(t.shape, "x")
end

-- opts, checked for unknown names; a missing table reads as {}.
local function options(fn, opts, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" or torch.is_tensor(opts) then
    error(string.format("%s: expected an options table, got %s", fn, torch.is_tensor(opts) and "a tensor" or type(opts)), 3)
  end
  for k in pairs(opts) do
    if not allowed[k] then error(string.format("%s: unknown option '%s'", fn, tostring(k)), 3) end
  end
  return opts
end

local function check_pair(fn, x, y)
  if not torch.is_tensor(x) or not torch.is_tensor(y) then
    error(string.format("%s: expected input and target tensors, got %s and %s", fn,
      torch.is_tensor(x) and "a tensor" or type(x), torch.is_tensor(y) and "a tensor" or type(y)), 3)
  end
  if shape_text(x) ~= shape_text(y) then
    error(string.format("%s: the target's shape %s must be the input's shape %s", fn, shape_text(y),
      shape_text(x)), 3)
  end
end

local REDUCED = {
  mean = function(loss) return loss:mean() end,
  sum = function(loss) return loss:sum() end,
  none = function(loss) return loss end,
}

local function reduce(fn, loss, reduction)
  local r = REDUCED[reduction or "mean"]
  if not r then
    local batchmean = fn == "kl_div" and '"batchmean", ' or ""
    error(string.format('%s: reduction must be "mean", %s"sum" or "none", got %s', fn, batchmean, tostring(reduction)), 3)
  end
  return r(loss)
end

local REDUCTION_ONLY = {reduction = true}

--- (x - y)^2, reduced.
function M.mse_loss(x, y, opts)
  opts = options("mse_loss", opts, REDUCTION_ONLY)
  check_pair("mse_loss", x, y)
  local d = x - y
  return reduce("mse_loss", d * d, opts.reduction)
end
torch.doc(M.mse_loss, 'F.mse_loss(x, y, {reduction="mean"})',
  'The squared error (x - y)^2, averaged ("mean"), summed ("sum") or elementwise ("none").',
  [[
local x, y = torch.tensor({1.0, 2.0, 3.0}), torch.tensor({1.0, 0.0, 0.0})
print(F.mse_loss(x, y), F.mse_loss(x, y, {reduction = "none"}))]])

--- |x - y|, reduced.
function M.l1_loss(x, y, opts)
  opts = options("l1_loss", opts, REDUCTION_ONLY)
  check_pair("l1_loss", x, y)
  return reduce("l1_loss", (x - y):abs(), opts.reduction)
end
torch.doc(M.l1_loss, 'F.l1_loss(x, y, {reduction="mean"})', "The absolute error |x - y|, reduced.",
  [[
print(F.l1_loss(torch.tensor({1.0, 2.0}), torch.tensor({0.0, 4.0})))]])

-- The quadratic-then-linear error of smooth_l1 and huber: for z = |x - y|,
-- z < k: a z^2, else b (z - k / 2).
local function quadratic_linear(x, y, k, a, b)
  local z = (x - y):abs()
  if k == 0 then return z * b end
  return torch.where(z:lt(k), z * z * a, (z - k / 2) * b)
end

-- beta may be 0 (smooth_l1 is then l1), delta may not (PyTorch refuses it).
local function check_parameter(fn, name, v, zero_allowed)
  if type(v) ~= "number" or v < 0 or (v == 0 and not zero_allowed) then
    error(string.format("%s: %s must be a %s number, got %s", fn, name, zero_allowed and "non-negative" or "positive",
      tostring(v)), 3)
  end
end

--- 0.5 (x - y)^2 / beta where |x - y| < beta, else |x - y| - beta / 2.
function M.smooth_l1_loss(x, y, opts)
  opts = options("smooth_l1_loss", opts, {reduction = true, beta = true})
  check_pair("smooth_l1_loss", x, y)
  local beta = opts.beta or 1
  check_parameter("smooth_l1_loss", "beta", beta, true)
  return reduce("smooth_l1_loss", quadratic_linear(x, y, beta, beta > 0 and 0.5 / beta or 0, 1), opts.reduction)
end
torch.doc(M.smooth_l1_loss, 'F.smooth_l1_loss(x, y, {reduction="mean", beta=1})',
  "0.5 (x - y)^2 / beta where |x - y| < beta, else |x - y| - 0.5 beta (beta = 0 is l1_loss).",
  [[
print(F.smooth_l1_loss(torch.tensor({0.5, 3.0}), torch.zeros(2), {reduction = "none"}))]])

--- 0.5 (x - y)^2 where |x - y| < delta, else delta (|x - y| - delta / 2).
function M.huber_loss(x, y, opts)
  opts = options("huber_loss", opts, {reduction = true, delta = true})
  check_pair("huber_loss", x, y)
  local delta = opts.delta or 1
  check_parameter("huber_loss", "delta", delta, false)
  return reduce("huber_loss", quadratic_linear(x, y, delta, 0.5, delta), opts.reduction)
end
torch.doc(M.huber_loss, 'F.huber_loss(x, y, {reduction="mean", delta=1})',
  "0.5 (x - y)^2 where |x - y| < delta, else delta (|x - y| - 0.5 delta): smooth_l1_loss times beta.",
  [[
print(F.huber_loss(torch.tensor({0.5, 3.0}), torch.zeros(2), {reduction = "none", delta = 2}))]])

-- x log x, 0 where x == 0 (PyTorch's xlogy(x, x)).
local function xlogx(x)
  return x * torch.where(x:eq(0), 1, x):log()
end

--- The Kullback-Leibler divergence of the target from exp(x), x holding log-probabilities.
function M.kl_div(x, target, opts)
  opts = options("kl_div", opts, {reduction = true, log_target = true})
  check_pair("kl_div", x, target)
  local loss
  if opts.log_target then
    loss = target:exp() * (target - x)
  else
    loss = xlogx(target) - target * x
  end
  if opts.reduction == "batchmean" then
    local total = loss:sum()
    return x:dim() > 0 and total / x:size(1) or total
  end
  return reduce("kl_div", loss, opts.reduction)
end
torch.doc(M.kl_div, 'F.kl_div(x, target, {reduction="mean", log_target=false})',
  "target (log target - x) elementwise, x holding log-probabilities (log_softmax output) and target "
    .. 'probabilities (log-probabilities with log_target); reduction "batchmean" divides the sum by '
    .. 'the batch size, which is the true KL divergence ("mean" divides by every element, as PyTorch).',
  [[
local logp = F.log_softmax(torch.tensor({{1.0, 2.0, 3.0}}), 2)
local target = torch.tensor({{0.2, 0.3, 0.5}})
print(F.kl_div(logp, target, {reduction = "batchmean"}))]])

M.cross_entropy = torch.cross_entropy
M.nll_loss = torch.nll_loss
M.binary_cross_entropy = torch.binary_cross_entropy
M.binary_cross_entropy_with_logits = torch.binary_cross_entropy_with_logits

return M
