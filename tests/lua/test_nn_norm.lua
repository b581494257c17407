-- test_nn_norm.lua — normalisation: torch.batch_norm, layer_norm,
-- group_norm, their nn.functional forms and the classes BatchNorm1d,
-- BatchNorm2d, LayerNorm, GroupNorm.
--
-- Against PyTorch (tests/fixtures/poolnorm.lua): outputs, input and parameter
-- gradients of sum(out * gy), running statistics after a training call, in
-- training and evaluation, with and without affine or running statistics;
-- and nn.BatchNorm modules over several training steps then one in eval
-- (momentum, cumulative averaging, num_batches_tracked).  Against finite
-- differences: gradcheck and gradgradcheck in float64.  The fused backward
-- kernels against the recorded closed form (the create_graph path).  Then
-- the classes' reprs, buffers and messages.
local T = require "testing"
local G = require "gradtest"
local C = require "poolnorm_cases"
local F = nn.functional

C.register({batch_norm = true, layer_norm = true, group_norm = true}, " (PyTorch)")

for _, record in ipairs(C.fx.cases[#C.fx.cases].steps) do
  T.test("nn." .. record.cls .. " over training steps then eval: " .. record.name .. " (PyTorch)", function()
    local opts = {}
    for k, v in pairs(record.opts) do opts[k] = v end
    local m = nn[record.cls](record.num_features, opts)
    if record.weight then
      torch.no_grad(function()
        m.weight:copy_(torch.tensor(record.weight))
        m.bias:copy_(torch.tensor(record.bias))
      end)
    end
    for i, step in ipairs(record.steps) do
      m:train(step.training)
      local what = "step " .. i
      C.check(m(C.build(step.x)), step.want, what .. " output")
      if step.running_mean then
        C.check(m.running_mean, step.running_mean, what .. " running_mean")
        C.check(m.running_var, step.running_var, what .. " running_var")
        T.eq(m.num_batches_tracked:item(), step.num_batches_tracked, what .. " num_batches_tracked")
      else
        T.eq(m.running_mean, nil)
      end
    end
  end)
end

-- ---- gradients against finite differences -------------------------------------------

torch.manual_seed(12)
local gradcheck, gradgradcheck, randn = G.gradcheck, G.gradgradcheck, G.randn
local function f64(...) return torch.randn({...}, {dtype = "float64"}) end
local function positive(...) return torch.rand({...}, {dtype = "float64"}) + 0.5 end

T.test("batch_norm: gradcheck in training, with and without affine, 2-D to 4-D inputs", function()
  local w, b = randn(3), randn(3)
  for _, shape in ipairs({{4, 3}, {2, 3, 4}, {2, 3, 2, 3}}) do
    local x = randn(table.unpack(shape))
    T.truthy(gradcheck(function(t, wt, bt)
      return torch.batch_norm(t, f64(3), positive(3), {weight = wt, bias = bt, training = true})
    end, {x, w, b}))
    T.truthy(gradcheck(function(t) return F.batch_norm(t, nil, nil, {training = true, eps = 1e-3}) end, {x}))
  end
  -- a bias without a weight
  T.truthy(gradcheck(function(t, bt) return F.batch_norm(t, nil, nil, {bias = bt, training = true}) end,
    {randn(3, 3, 2), b}))
end)

T.test("batch_norm: gradcheck in evaluation (running statistics are constants)", function()
  local rm, rv = f64(3), positive(3)
  T.truthy(gradcheck(function(t, wt, bt)
    return torch.batch_norm(t, rm, rv, {weight = wt, bias = bt})
  end, {randn(2, 3, 2, 2), randn(3), randn(3)}))
end)

T.test("layer_norm and group_norm: gradcheck", function()
  T.truthy(gradcheck(function(t, wt, bt) return torch.layer_norm(t, 4, {weight = wt, bias = bt}) end,
    {randn(2, 3, 4), randn(4), randn(4)}))
  T.truthy(gradcheck(function(t, wt, bt) return F.layer_norm(t, {3, 4}, {weight = wt, bias = bt, eps = 1e-3}) end,
    {randn(2, 3, 4), randn(3, 4), randn(3, 4)}))
  T.truthy(gradcheck(function(t) return F.layer_norm(t, {2, 3}) end, {randn(2, 3)}))
  T.truthy(gradcheck(function(t, wt, bt) return torch.group_norm(t, 2, {weight = wt, bias = bt}) end,
    {randn(2, 4, 3), randn(4), randn(4)}))
  T.truthy(gradcheck(function(t) return F.group_norm(t, 3) end, {randn(2, 6, 2, 2)}))
  T.truthy(gradcheck(function(t, wt) return F.group_norm(t, 1, {weight = wt}) end, {randn(1, 4, 3), randn(4)}))
end)

T.test("normalisations: gradgradcheck (the create_graph path records the closed form)", function()
  T.truthy(gradgradcheck(function(t, wt, bt)
    return torch.batch_norm(t, nil, nil, {weight = wt, bias = bt, training = true})
  end, {randn(3, 2, 2), randn(2), randn(2)}))
  local rm, rv = f64(2), positive(2)
  T.truthy(gradgradcheck(function(t, wt) return torch.batch_norm(t, rm, rv, {weight = wt}) end,
    {randn(3, 2, 2), randn(2)}))
  T.truthy(gradgradcheck(function(t, wt, bt) return torch.layer_norm(t, 3, {weight = wt, bias = bt}) end,
    {randn(2, 3), randn(3), randn(3)}))
  T.truthy(gradgradcheck(function(t, wt, bt) return torch.group_norm(t, 2, {weight = wt, bias = bt}) end,
    {randn(2, 4, 2), randn(4), randn(4)}))
end)

-- The fused kernels (an ordinary backward) against the closed form written
-- with recorded ops (a backward with create_graph), in both dtypes.
T.test("fused backward kernels agree with the recorded closed form", function()
  for _, dtype in ipairs({"float32", "float64"}) do
    local tol = dtype == "float32" and 1e-4 or 1e-10
    local function leaf(...) return torch.randn({...}, {dtype = dtype}):requires_grad_() end
    local rm, rv = torch.randn(3, {dtype = dtype}), torch.rand(3, {dtype = dtype}) + 0.5
    local forms = {
      function(x, w, b) return F.batch_norm(x, nil, nil, {weight = w, bias = b, training = true}) end,
      function(x, w, b) return F.batch_norm(x, rm, rv, {weight = w, bias = b}) end,
      function(x, w, b) return F.group_norm(x, 3, {weight = w, bias = b}) end,
      function(x) return F.layer_norm(x, {5, 6}) end,
    }
    for i, form in ipairs(forms) do
      local x, w, b = leaf(4, 3, 5, 6), leaf(3), leaf(3)
      local y = form(x, w, b)
      local gy = torch.randn(y.shape, {dtype = dtype})
      local inputs = i == 4 and {x} or {x, w, b}
      local fused = torch.autograd.grad({y}, inputs, {grad_outputs = {gy}, retain_graph = true})
      local recorded = torch.autograd.grad({y}, inputs, {grad_outputs = {gy}, create_graph = true})
      T.truthy(recorded[1].grad_fn ~= nil, "the create_graph gradient of x is recorded")
      for k = 1, #inputs do
        T.allclose(fused[k]:view(-1):totable(), recorded[k]:detach():view(-1):totable(), tol)
      end
    end
  end
end)

-- ---- by hand ------------------------------------------------------------------------

T.test("batch_norm by hand: statistics, running update with the unbiased variance", function()
  local x = torch.tensor({{1, 10}, {3, 20}, {5, 60}}):float()      -- (N=3, C=2)
  local rm, rv = torch.zeros(2), torch.ones(2)
  local y = F.batch_norm(x, rm, rv, {training = true, momentum = 0.5, eps = 0})
  -- channel 1: mean 3, biased variance 8/3, unbiased 4
  T.allclose(y:select(2, 1):totable(), {-2 / math.sqrt(8 / 3), 0, 2 / math.sqrt(8 / 3)}, 1e-6)
  T.allclose(rm:totable(), {1.5, 15}, 1e-6)
  T.allclose(rv:totable(), {0.5 + 0.5 * 4, 0.5 + 0.5 * 700}, 1e-6)
  -- evaluation uses the running statistics and changes nothing
  local e = F.batch_norm(x, rm, rv, {eps = 0})
  T.close(e[1][1]:item(), (1 - 1.5) / math.sqrt(2.5), 1e-6)
  T.allclose(rm:totable(), {1.5, 15}, 1e-6)
end)

T.test("layer_norm and group_norm by hand: zero mean, unit variance, then the affine map", function()
  local x = torch.randn(3, 4, 5)
  local y = F.layer_norm(x, 5, {eps = 0})
  T.allclose(y:mean(3):view(-1):totable(), torch.zeros(12):totable(), 1e-6)
  T.allclose(y:var(3, false):view(-1):totable(), torch.ones(12):totable(), 1e-5)
  local g = F.group_norm(torch.randn(2, 6, 3), 3, {weight = torch.full({6}, 2), bias = torch.ones(6), eps = 0})
  local groups = g:view(2, 3, 6)
  T.allclose(groups:mean(3):view(-1):totable(), torch.ones(6):totable(), 1e-6)
  T.allclose(groups:var(3, false):view(-1):totable(), torch.full({6}, 4):totable(), 1e-5)
end)

T.test("the grad_fn names, and the running statistics never join the graph", function()
  local x = torch.randn(4, 3, {requires_grad = true})
  local rm, rv = torch.zeros(3), torch.ones(3)
  T.eq(F.batch_norm(x, rm, rv, {training = true}).grad_fn.name, "BatchNormBackward")
  T.eq(F.layer_norm(x, 3).grad_fn.name, "LayerNormBackward")
  T.eq(F.group_norm(x, 1).grad_fn.name, "GroupNormBackward")
  T.eq(rm.requires_grad, false)
  T.eq(rm.grad_fn, nil)
  T.eq(torch.no_grad(function() return F.layer_norm(x, 3) end).grad_fn, nil)
end)

-- ---- classes ------------------------------------------------------------------------

T.test("norm classes: PyTorch's reprs, parameters and buffers", function()
  local bn = nn.BatchNorm2d(6)
  T.eq(tostring(bn), "BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)")
  T.eq(tostring(nn.BatchNorm1d(4, 1e-3, false, false, false)),
    "BatchNorm1d(4, eps=0.001, momentum=None, affine=False, track_running_stats=False)")
  T.eq(tostring(nn.LayerNorm(10)), "LayerNorm((10,), eps=1e-05, elementwise_affine=True)")
  T.eq(tostring(nn.LayerNorm({4, 5}, {elementwise_affine = false})), "LayerNorm((4, 5), eps=1e-05, elementwise_affine=False)")
  T.eq(tostring(nn.GroupNorm(2, 6, {eps = 1e-6})), "GroupNorm(2, 6, eps=1e-06, affine=True)")
  local sd = bn:state_dict()
  T.eq(sd.num_batches_tracked.dtype, "int64")
  T.eq(sd.num_batches_tracked:dim(), 0)
  T.allclose(sd.running_var:totable(), torch.ones(6):totable())
  T.allclose(sd.weight:totable(), torch.ones(6):totable())
  T.allclose(sd.bias:totable(), torch.zeros(6):totable())
  local names = {}
  for name in pairs(sd) do names[#names + 1] = name end
  table.sort(names)
  T.eq(table.concat(names, " "), "bias num_batches_tracked running_mean running_var weight")
  T.eq(#bn:parameters(), 2)
  T.eq(#nn.BatchNorm2d(6, {affine = false}):parameters(), 0)
  T.eq(nn.BatchNorm2d(6, {track_running_stats = false}).running_mean, nil)
  T.eq(nn.LayerNorm({2, 3}).weight.shape[2], 3)
  T.eq(nn.GroupNorm(3, 6, {dtype = "float64"}).weight.dtype, "float64")
end)

T.test("BatchNorm: eval() uses the running statistics; double() converts them; state_dict round trip", function()
  local bn = nn.BatchNorm1d(3)
  local x = torch.randn(8, 3) * 3 + 1
  bn(x)
  bn(x)
  T.eq(bn.num_batches_tracked:item(), 2)
  bn:eval()
  local y = bn(x)
  local want = (x - bn.running_mean) / (bn.running_var + 1e-5):sqrt()
  T.allclose(y:detach():totable(), want:totable(), 1e-5)
  T.eq(bn.num_batches_tracked:item(), 2, "eval does not count batches")
  local copy = nn.BatchNorm1d(3)
  copy:load_state_dict(bn:state_dict())
  copy:eval()
  T.allclose(copy(x):detach():totable(), y:detach():totable(), 0)
  bn:double()
  T.eq(bn.running_mean.dtype, "float64")
  T.eq(bn(x:double()).dtype, "float64")
  -- without running statistics, evaluation still normalises with the batch's
  local free = nn.BatchNorm1d(3, {track_running_stats = false}):eval()
  T.allclose(free(x):mean(1):detach():totable(), torch.zeros(3):totable(), 1e-5)
  -- reset_running_stats
  bn:reset_running_stats()
  T.eq(bn.num_batches_tracked:item(), 0)
  T.allclose(bn.running_var:totable(), torch.ones(3):totable())
end)

T.test("LayerNorm and GroupNorm compute their functional forms, and train their parameters", function()
  local ln, gn = nn.LayerNorm(6), nn.GroupNorm(2, 4)
  torch.no_grad(function()
    ln.weight:normal_()
    gn.bias:normal_()
  end)
  local x = torch.randn(3, 4, 6)
  T.allclose(ln(x):detach():totable(), F.layer_norm(x, 6, {weight = ln.weight, bias = ln.bias}):detach():totable(), 0)
  T.allclose(gn(x):detach():totable(), F.group_norm(x, 2, {weight = gn.weight, bias = gn.bias}):detach():totable(), 0)
  gn(x):sum():backward()
  T.allclose(gn.bias.grad:totable(), {18, 18, 18, 18})
end)

T.test("norm errors name the layer or function and the shapes", function()
  local bn = nn.BatchNorm2d(6)
  T.errors("BatchNorm2d: expected input with 6 channels (num_features), got 2x3x4x4", bn, torch.randn(2, 3, 4, 4))
  T.errors("BatchNorm2d: expected a 4-D (N, C, H, W) input, got 2x6x4", bn, torch.randn(2, 6, 4))
  T.errors("BatchNorm1d: expected a 2-D (N, C) or 3-D (N, C, L) input, got 2x6x4x4", nn.BatchNorm1d(6),
    torch.randn(2, 6, 4, 4))
  T.errors("batch_norm: expected more than 1 value per channel when training, got an input of shape 1x6",
    nn.BatchNorm1d(6), torch.randn(1, 6))
  T.errors("batch_norm: running_mean should have shape 3 (one per channel of the input 2x3), got 4",
    F.batch_norm, torch.randn(2, 3), torch.zeros(4), torch.ones(4))
  T.errors("batch_norm: weight is float64 but the input is float32", F.batch_norm, torch.randn(2, 3), nil, nil,
    {weight = torch.ones(3, {dtype = "float64"}), training = true})
  T.errors("batch_norm: evaluation mode normalises with running_mean and running_var, which were not given",
    F.batch_norm, torch.randn(2, 3), nil, nil)
  T.errors("batch_norm: unknown option 'momentun'", F.batch_norm, torch.randn(2, 3), nil, nil, {momentun = 0.1})
  T.errors("layer_norm: normalized_shape 5 does not match the input 3x4, which should be (*, 5)",
    F.layer_norm, torch.randn(3, 4), 5)
  T.errors("layer_norm: weight should have shape 4 (normalized_shape of the input 3x4), got 3",
    F.layer_norm, torch.randn(3, 4), 4, {weight = torch.ones(3)})
  T.errors("group_norm: 6 channels cannot be split into 4 groups (input 2x6x3)", F.group_norm, torch.randn(2, 6, 3), 4)
  T.errors("GroupNorm: num_channels (6) must be divisible by num_groups (4)", nn.GroupNorm, 4, 6)
  T.errors("GroupNorm: expected input with 6 channels (num_channels) in dim 2, got 2x4x3", nn.GroupNorm(2, 6),
    torch.randn(2, 4, 3))
  T.errors("group_norm: needs a floating point input, got int64", F.group_norm, torch.ones(2, 2, {dtype = "int64"}), 1)
  T.errors("BatchNorm2d: unknown option 'afine'", nn.BatchNorm2d, 3, {afine = false})
end)

T.test("empty inputs normalise to empty outputs where PyTorch allows them", function()
  T.eq(F.batch_norm(torch.randn(0, 3), torch.zeros(3), torch.ones(3)).shape[1], 0)
  local x = torch.randn(0, 4, {requires_grad = true})
  F.layer_norm(x, 4):sum():backward()
  T.eq(x.grad.shape[1], 0)
  local g = torch.randn(0, 4, 2, {requires_grad = true})
  F.group_norm(g, 2):sum():backward()
  T.eq(g.grad.shape[1], 0)
  local no_channels = torch.zeros(2, 0, 3, {requires_grad = true})   -- groups of no channels
  F.group_norm(no_channels, 1):sum():backward()
  T.eq(table.concat(no_channels.grad.shape, "x"), "2x0x3")
  T.errors("batch_norm: the tensor written to is an expanded view", F.batch_norm, torch.randn(3, 2),
    torch.zeros(1):expand(2), torch.ones(1):expand(2), {training = true})
end)
