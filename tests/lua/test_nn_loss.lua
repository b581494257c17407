-- test_nn_loss.lua — the losses: every case of tests/fixtures/loss.lua
-- (forward and backward against PyTorch: reductions, weights, ignore_index,
-- label smoothing, probability targets, (N, C, d) inputs, logits of 1e4),
-- gradcheck in float64 for every loss and option, second derivatives, the
-- fused cross-entropy kernel against its composition, the loss classes, and
-- the messages bad input gets.
local T = require "testing"
local G = require "gradtest"
local LF = require "loss_fixture"
local F = nn.functional
local gradcheck, gradgradcheck, randn = G.gradcheck, G.gradgradcheck, G.randn

local ACTIVATIONS = {relu = true, leaky_relu = true, elu = true, gelu = true, silu = true, sigmoid = true,
  tanh = true, softplus = true, hardtanh = true, softmax = true, log_softmax = true}
LF.register(function(fn) return not ACTIVATIONS[fn] end)

torch.manual_seed(11)

local function classes(list) return torch.tensor(list, {dtype = "int64"}) end
local function f64(list) return torch.tensor(list, {dtype = "float64"}) end
-- Probabilities along dim 2 (no gradient of their own).
local function probabilities(...) return torch.softmax(torch.randn({...}, {dtype = "float64"}), 2) end
-- Leaves in (0.1, 0.9): binary_cross_entropy's inputs, away from the clamps.
local function inside(...)
  local x = torch.rand({...}, {dtype = "float64"})
  torch.no_grad(function() x:mul_(0.8):add_(0.1) end)
  return x:requires_grad_()
end

-- ---- gradcheck ---------------------------------------------------------------------------

local ce_options = {
  {},
  {reduction = "sum"},
  {reduction = "none"},
  {weight = f64({0.5, 2, 1, 1.5})},
  {ignore_index = 2},
  {label_smoothing = 0.2},
  {label_smoothing = 0.1, weight = f64({0.5, 2, 1, 1.5}), ignore_index = 3, reduction = "none"},
  {label_smoothing = 1, reduction = "sum"},
}
for i, opts in ipairs(ce_options) do
  T.test("cross_entropy gradcheck, class indices, options " .. i, function()
    local t = classes({1, 2, 4, 2, 3})
    T.truthy(gradcheck(function(x) return F.cross_entropy(x, t, opts) end, {randn(5, 4)}))
  end)
end

T.test("cross_entropy gradcheck: (N, C, d1, d2), (C) and a transposed input", function()
  local t = classes({{{1, 3}, {2, 2}}, {{3, 1}, {1, 2}}})
  T.truthy(gradcheck(function(x) return F.cross_entropy(x, t) end, {randn(2, 3, 2, 2)}))
  T.truthy(gradcheck(function(x) return F.cross_entropy(x, t, {reduction = "none", label_smoothing = 0.1,
    weight = f64({1, 2, 3})}) end, {randn(2, 3, 2, 2)}))
  T.truthy(gradcheck(function(x) return F.cross_entropy(x, classes(2)) end, {randn(4)}))
  local t3 = classes({2, 1, 3})
  T.truthy(gradcheck(function(x) return F.cross_entropy(x:t(), t3) end, {randn(3, 3)}))
end)

T.test("cross_entropy gradcheck, probabilities: input and target", function()
  T.truthy(gradcheck(function(x, q) return F.cross_entropy(x, q) end, {randn(3, 4), probabilities(3, 4):requires_grad_()}))
  T.truthy(gradcheck(function(x, q)
    return F.cross_entropy(x, q, {weight = f64({1, 2, 0.5, 1}), label_smoothing = 0.3, reduction = "none"})
  end, {randn(3, 4), probabilities(3, 4):requires_grad_()}))
  T.truthy(gradcheck(function(x, q) return F.cross_entropy(x, q, {reduction = "sum"}) end,
    {randn(2, 3, 2), probabilities(2, 3, 2):requires_grad_()}))
end)

T.test("nll_loss gradcheck", function()
  local t = classes({1, 3, 2, 3})
  for _, opts in ipairs({{}, {reduction = "sum"}, {reduction = "none"},
    {weight = f64({2, 1, 0.5}), ignore_index = 1}}) do
    T.truthy(gradcheck(function(x) return F.nll_loss(x, t, opts) end, {randn(4, 3)}))
  end
  T.truthy(gradcheck(function(x) return F.nll_loss(x, classes({{1, 2}, {3, 3}})) end, {randn(2, 3, 2)}))
end)

T.test("binary_cross_entropy gradcheck: input and target, weight, reductions", function()
  for _, opts in ipairs({{}, {reduction = "sum"}, {reduction = "none"}, {weight = f64({1, 2, 0.5})}}) do
    T.truthy(gradcheck(function(x, y) return F.binary_cross_entropy(x, y, opts) end,
      {inside(2, 3), torch.rand(2, 3, {dtype = "float64"}):requires_grad_()}))
  end
end)

T.test("binary_cross_entropy_with_logits gradcheck: weight, pos_weight, target", function()
  for _, opts in ipairs({{}, {reduction = "sum"}, {reduction = "none"}, {pos_weight = f64({0.5, 2, 3})},
    {weight = f64({{2}, {0.5}}), pos_weight = f64({0.5, 2, 3}), reduction = "none"}}) do
    T.truthy(gradcheck(function(x, y) return F.binary_cross_entropy_with_logits(x, y, opts) end,
      {randn(2, 3), torch.rand(2, 3, {dtype = "float64"}):requires_grad_()}))
  end
end)

T.test("mse, l1, smooth_l1, huber gradcheck: input and target", function()
  -- |x - y| stays away from 0 and from the beta/delta kinks
  local x = f64({{0.3, -1.2, 2.5}, {-0.6, 1.7, -2.2}}):requires_grad_()
  local y = f64({{-0.4, 0.1, 0.4}, {0.9, -0.7, 0.1}}):requires_grad_()
  for _, r in ipairs({"mean", "sum", "none"}) do
    T.truthy(gradcheck(function(a, b) return F.mse_loss(a, b, {reduction = r}) end, {x, y}))
    T.truthy(gradcheck(function(a, b) return F.l1_loss(a, b, {reduction = r}) end, {x, y}))
    T.truthy(gradcheck(function(a, b) return F.smooth_l1_loss(a, b, {reduction = r, beta = 1.1}) end, {x, y}))
    T.truthy(gradcheck(function(a, b) return F.huber_loss(a, b, {reduction = r, delta = 1.1}) end, {x, y}))
  end
  T.truthy(gradcheck(function(a, b) return F.smooth_l1_loss(a, b, {beta = 0}) end, {x, y}))
end)

T.test("kl_div gradcheck: every reduction, log_target", function()
  for _, r in ipairs({"mean", "batchmean", "sum", "none"}) do
    T.truthy(gradcheck(function(x, q) return F.kl_div(x, q, {reduction = r}) end,
      {randn(3, 4), probabilities(3, 4):requires_grad_()}))
  end
  T.truthy(gradcheck(function(x, q) return F.kl_div(x, q, {log_target = true}) end,
    {randn(3, 4), torch.log_softmax(torch.randn(3, 4, {dtype = "float64"}), 2):requires_grad_()}))
end)

T.test("kl_div: a target of 0 adds 0 and gets a finite gradient", function()
  local q = f64({{0, 0.5, 0.5}}):requires_grad_()
  local x = torch.log_softmax(randn(1, 3), 2)
  local l = F.kl_div(x, q, {reduction = "sum"})
  l:backward()
  T.truthy(q.grad:isfinite():all():item())
  T.truthy(math.abs(l:item() - (0.5 * (math.log(0.5) - x[1][2]:item()) + 0.5 * (math.log(0.5) - x[1][3]:item()))) < 1e-12)
end)

T.test("second derivatives: gradgradcheck of the fused losses", function()
  local t = classes({1, 3, 2})
  T.truthy(gradgradcheck(function(x) return F.cross_entropy(x, t) end, {randn(3, 4)}))
  T.truthy(gradgradcheck(function(x) return F.cross_entropy(x, t, {label_smoothing = 0.2,
    weight = f64({1, 2, 0.5, 1}), reduction = "none"}) end, {randn(3, 4)}))
  T.truthy(gradgradcheck(function(x, q) return F.cross_entropy(x, q, {label_smoothing = 0.1}) end,
    {randn(2, 3), probabilities(2, 3):requires_grad_()}))
  T.truthy(gradgradcheck(function(x) return F.nll_loss(x, t, {reduction = "sum"}) end, {randn(3, 4)}))
  T.truthy(gradgradcheck(function(x, y) return F.binary_cross_entropy(x, y) end,
    {inside(2, 3), torch.rand(2, 3, {dtype = "float64"}):requires_grad_()}))
  T.truthy(gradgradcheck(function(x, y) return F.binary_cross_entropy_with_logits(x, y,
    {pos_weight = f64({2, 0.5, 1})}) end, {randn(2, 3), torch.rand(2, 3, {dtype = "float64"}):requires_grad_()}))
end)

T.test("the recorded backward (create_graph) gives the fused kernel's gradients", function()
  local x = randn(6, 5)
  local t = classes({1, 5, 2, 2, 3, 4})
  for _, opts in ipairs({{}, {weight = f64({1, 2, 3, 4, 5}), ignore_index = 2, label_smoothing = 0.3},
    {reduction = "none", label_smoothing = 0.1}}) do
    local plain = torch.autograd.grad(F.cross_entropy(x, t, opts):sum(), x)[1]
    local recorded = torch.autograd.grad(F.cross_entropy(x, t, opts):sum(), x, {create_graph = true})[1]
    T.truthy((plain - recorded):abs():max():item() < 1e-14)
    local nll = function() return F.nll_loss(torch.log_softmax(x, 2), t, {weight = opts.weight}) end
    local p1 = torch.autograd.grad(nll(), x)[1]
    local p2 = torch.autograd.grad(nll(), x, {create_graph = true})[1]
    T.truthy((p1 - p2):abs():max():item() < 1e-14)
  end
end)

-- ---- the fused kernel against its composition -------------------------------------------------

-- cross_entropy written with log_softmax and gather, mean over samples.
local function composed_cross_entropy(x, t)
  local lp = torch.log_softmax(x, 2)
  return -lp:gather(2, t:unsqueeze(2)):mean()
end

T.test("cross_entropy on 300x1000 (threads) matches log_softmax + gather, forward and backward", function()
  local x = torch.randn(300, 1000, {dtype = "float64"}):requires_grad_()
  local t = torch.randint(1, 1001, {300})
  local fused = F.cross_entropy(x, t)
  fused:backward()
  local g1 = x.grad:clone()
  x.grad = nil
  local composed = composed_cross_entropy(x, t)
  composed:backward()
  T.close(fused:item(), composed:item(), 1e-12)
  T.truthy((g1 - x.grad):abs():max():item() < 1e-15)
  -- float32 against the float64 result
  local x32 = x:detach():float():requires_grad_()
  local l32 = F.cross_entropy(x32, t)
  l32:backward()
  T.close(l32:item(), composed:item(), 1e-6)
  T.truthy((x32.grad:double() - g1):abs():max():item() < 1e-9)
end)

T.test("float32 cross_entropy (vectorised exp) against float64 over logits spread to +-200", function()
  -- exp(x - max) then runs over [-400, 0]: the polynomial's whole range and the underflow to 0
  local x32 = (torch.randn(64, 257) * 60):requires_grad_()
  local x64 = x32:detach():double()
  local t = torch.randint(1, 258, {64})
  local want = F.cross_entropy(x64, t, {reduction = "none", label_smoothing = 0.05})
  local got = F.cross_entropy(x32, t, {reduction = "none", label_smoothing = 0.05})
  T.truthy(((got:double() - want):abs() / (want:abs() + 1)):max():item() < 2e-6)
  got:sum():backward()
  local x = x64:clone():requires_grad_()
  F.cross_entropy(x, t, {reduction = "none", label_smoothing = 0.05}):sum():backward()
  T.truthy((x32.grad:double() - x.grad):abs():max():item() < 1e-6)
end)

T.test("cross_entropy stays finite for huge logits, in both dtypes", function()
  for _, dt in ipairs({"float32", "float64"}) do
    local x = torch.tensor({{1e4, -1e4, 0}, {3e4, 3e4, -3e4}, {-1e30, 1e30, 0}}, {dtype = dt}):requires_grad_()
    local l = F.cross_entropy(x, classes({2, 1, 2}), {reduction = "none"})
    l:sum():backward()
    T.truthy(l:isfinite():all():item(), dt .. " loss finite")
    T.truthy(x.grad:isfinite():all():item(), dt .. " gradient finite")
    T.close(l[1]:item(), 2e4, 1e-6)
    T.close(l[2]:item(), math.log(2), 1e-6)
    T.close(l[3]:item(), 0, 1e-6)
  end
end)

T.test("nll_loss of log_softmax equals cross_entropy", function()
  local x, t = torch.randn(7, 4, 3), torch.randint(1, 5, {7, 3})
  local a = F.cross_entropy(x, t, {reduction = "none"})
  local b = F.nll_loss(F.log_softmax(x, 2), t, {reduction = "none"})
  T.truthy((a - b):abs():max():item() < 1e-5)
end)

T.test("float32 losses keep their dtype; float64 weights are accepted", function()
  local x = torch.randn(3, 4)
  T.eq(F.cross_entropy(x, classes({1, 2, 3}), {weight = f64({1, 2, 3, 4})}).dtype, "float32")
  T.eq(F.nll_loss(x, classes({1, 2, 3})).dtype, "float32")
  T.eq(F.binary_cross_entropy_with_logits(x, torch.rand(3, 4), {pos_weight = f64({1, 2, 3, 4})}).dtype,
    "float32")
end)

-- ---- classes ---------------------------------------------------------------------------------

T.test("loss classes call their functions with their options", function()
  local x, t = torch.randn(5, 3), classes({1, 2, 3, 3, 1})
  local w = torch.tensor({0.5, 1, 2})
  local crit = nn.CrossEntropyLoss({weight = w, ignore_index = 2, label_smoothing = 0.1, reduction = "sum"})
  T.eq(crit(x, t):item(), F.cross_entropy(x, t, {weight = w, ignore_index = 2, label_smoothing = 0.1,
    reduction = "sum"}):item())
  T.eq(nn.CrossEntropyLoss(w)(x, t):item(), F.cross_entropy(x, t, {weight = w}):item())
  T.eq(nn.NLLLoss()(x, t):item(), F.nll_loss(x, t):item())
  local p, y = torch.rand(5, 3), torch.rand(5, 3)
  T.eq(nn.BCELoss({reduction = "sum"})(p, y):item(), F.binary_cross_entropy(p, y, {reduction = "sum"}):item())
  T.eq(nn.BCEWithLogitsLoss({pos_weight = w})(x, y):item(),
    F.binary_cross_entropy_with_logits(x, y, {pos_weight = w}):item())
  T.eq(nn.MSELoss()(x, y):item(), F.mse_loss(x, y):item())
  T.eq(nn.L1Loss("sum")(x, y):item(), F.l1_loss(x, y, {reduction = "sum"}):item())
  T.eq(nn.SmoothL1Loss({beta = 0.5})(x, y):item(), F.smooth_l1_loss(x, y, {beta = 0.5}):item())
  T.eq(nn.HuberLoss({delta = 2})(x, y):item(), F.huber_loss(x, y, {delta = 2}):item())
  local lp = F.log_softmax(x, 2)
  T.eq(nn.KLDivLoss({reduction = "batchmean"})(lp, y):item(), F.kl_div(lp, y, {reduction = "batchmean"}):item())
end)

T.test("loss classes: weights are buffers, the repr is PyTorch's", function()
  local w = torch.tensor({0.5, 1, 2})
  local crit = nn.CrossEntropyLoss({weight = w})
  T.eq(crit:state_dict().weight, w)
  T.eq(#crit:parameters(), 0)
  T.eq(tostring(crit), "CrossEntropyLoss()")
  T.eq(tostring(nn.MSELoss()), "MSELoss()")
  local b = nn.BCEWithLogitsLoss({pos_weight = w}):to("float64")
  T.eq(b.pos_weight.dtype, "float64")
  T.eq(nn.CrossEntropyLoss().weight, nil)
end)

-- ---- bad input ---------------------------------------------------------------------------------

T.test("cross_entropy and nll_loss: targets of the wrong dtype, shape or range", function()
  local x = torch.randn(4, 10)
  T.errors("cross_entropy: target 11 is out of range for 10 classes (expected 1..10)",
    F.cross_entropy, x, classes({1, 11, 2, 3}))
  T.errors("target 0 is out of range for 10 classes", F.cross_entropy, x, classes({1, 0, 2, 3}))
  T.errors("nll_loss: target -3 is out of range for 10 classes", F.nll_loss, x, classes({1, -3, 2, 3}))
  T.errors("cross_entropy: expected a target of class indices (int64 of shape 4) or of class probabilities "
    .. "(floating, of the input's shape 4x10) for input 4x10, got float32 of shape 4",
    F.cross_entropy, x, torch.tensor({1.0, 2, 3, 4}))
  T.errors("got int64 of shape 5", F.cross_entropy, x, classes({1, 2, 3, 4, 5}))
  T.errors("cross_entropy: a target of the input's shape 4x10 holds class probabilities and must be floating "
    .. "point, got int64", F.cross_entropy, x, torch.ones(4, 10, {dtype = "int64"}))
  T.errors("nll_loss: expected a target of class indices (int64 of shape 4) for input 4x10, got float32 of shape 4x10",
    F.nll_loss, x, torch.rand(4, 10))
  T.errors("expected a target of class indices (int64 of shape 2x5)", F.cross_entropy, torch.randn(2, 3, 5),
    classes({1, 2}))
  T.errors("cross_entropy: the input needs a class dim", F.cross_entropy, torch.tensor(1.5), classes(1))
  T.errors("cross_entropy: the input must be floating point", F.cross_entropy, classes({{1, 2}}), classes({1}))
end)

T.test("cross_entropy: options are checked", function()
  local x, t = torch.randn(2, 3), classes({1, 2})
  T.errors("cross_entropy: unknown option 'reductoin'", F.cross_entropy, x, t, {reductoin = "sum"})
  T.errors('cross_entropy: reduction must be "mean", "sum" or "none", got avg', F.cross_entropy, x, t,
    {reduction = "avg"})
  T.errors("cross_entropy: weight must have one element per class (3), got shape 4", F.cross_entropy, x, t,
    {weight = torch.ones(4)})
  T.errors("cross_entropy: label_smoothing must be between 0 and 1, got 1.5", F.cross_entropy, x, t,
    {label_smoothing = 1.5})
  T.errors("ignore_index is not supported for a target of class probabilities", F.cross_entropy, x,
    torch.rand(2, 3), {ignore_index = 1})
  T.errors("ignore_index must be an integer", F.cross_entropy, x, t, {ignore_index = 1.5})
  T.errors("nll_loss: unknown option 'label_smoothing'", F.nll_loss, x, t, {label_smoothing = 0.1})
  T.errors("CrossEntropyLoss: unknown option 'weights'", nn.CrossEntropyLoss, {weights = torch.ones(3)})
end)

T.test("binary losses and the compositions: shapes and ranges", function()
  local x = torch.rand(3, 4)
  T.errors("binary_cross_entropy: the target's shape 3 must be the input's shape 3x4",
    F.binary_cross_entropy, x, torch.rand(3))
  T.errors("binary_cross_entropy_with_logits: the target's shape 4x3 must be the input's shape 3x4",
    F.binary_cross_entropy_with_logits, x, torch.rand(4, 3))
  T.errors("binary_cross_entropy_with_logits: pos_weight of shape 3 does not broadcast to the input's shape 3x4",
    F.binary_cross_entropy_with_logits, x, torch.rand(3, 4), {pos_weight = torch.ones(3)})
  T.errors("binary_cross_entropy: weight of shape 2x3x4 does not broadcast to the input's shape 3x4",
    F.binary_cross_entropy, x, torch.rand(3, 4), {weight = torch.ones(2, 3, 4)})
  T.errors("binary_cross_entropy: every element of the input must be a probability between 0 and 1",
    F.binary_cross_entropy, x + 0.5, torch.rand(3, 4))
  T.errors("mse_loss: the target's shape 4 must be the input's shape 3x4", F.mse_loss, x, torch.rand(4))
  T.errors("l1_loss: the target's shape 3x1 must be the input's shape 3x4", F.l1_loss, x, torch.rand(3, 1))
  T.errors("kl_div: the target's shape 3 must be the input's shape 3x4", F.kl_div, x, torch.rand(3))
  T.errors("smooth_l1_loss: beta must be a non-negative number, got -1", F.smooth_l1_loss, x, x, {beta = -1})
  T.errors("huber_loss: delta must be a positive number, got 0", F.huber_loss, x, x, {delta = 0})
  T.errors("mse_loss: unknown option 'beta'", F.mse_loss, x, x, {beta = 1})
  T.errors('kl_div: reduction must be "mean", "batchmean", "sum" or "none", got avg', F.kl_div, x, x, {reduction = "avg"})
  T.errors("mse_loss: expected input and target tensors, got a tensor and number", F.mse_loss, x, 1)
end)
