-- The optimizers: every trajectory of tests/fixtures/optim.lua (PyTorch 1.13,
-- with NAdam's 2.0 fix) on the same fixed problem, save and restore in the
-- middle of a run against an uninterrupted one, parameter groups, the
-- state_dict layout, zero_grad, and the messages for bad input.
local T = require "testing"
local F = require "fixture"

local fx = F.load "optim"
local TOL = {float64 = 1e-9, float32 = 2e-5}

-- The fixture's problem in `dtype`: fresh leaves W and b, and the loss
-- mean((X W + b - Y)^2) + 0.05 sum(W^4), negated when `negate`.
local function problem(dtype, negate)
  local P = fx.problem
  local X, Y = torch.tensor(P.X, {dtype = dtype}), torch.tensor(P.Y, {dtype = dtype})
  local W = torch.tensor(P.W, {dtype = dtype, requires_grad = true})
  local b = torch.tensor(P.b, {dtype = dtype, requires_grad = true})
  local sign = negate and -1 or 1
  local function loss() return (((X:matmul(W) + b - Y) ^ 2):mean() + 0.05 * (W ^ 4):sum()) * sign end
  return W, b, loss
end

local function make_optimizer(case, W, b)
  local params = {W, b}
  if case.groups then
    local named = {W = W, b = b}
    params = {}
    for i, g in ipairs(case.groups) do
      local group = {params = {}}
      for k, v in pairs(g) do
        if k ~= "params" then group[k] = v end
      end
      for j, name in ipairs(g.params) do group.params[j] = named[name] end
      params[i] = group
    end
  end
  return optim[case.optimizer](params, case.options)
end

local function one_step(opt, loss, optimizer)
  local function closure()
    opt:zero_grad()
    local l = loss()
    l:backward()
    return l
  end
  if optimizer == "LBFGS" then return opt:step(closure) end
  closure()
  return opt:step()
end

local function values(W, b)
  local out = F.values(W)
  for _, v in ipairs(F.values(b)) do out[#out + 1] = v end
  return out
end

local function check_at(case, step, W, b, what)
  for k, at in ipairs(case.at) do
    if at == step then T.allclose(values(W, b), case.want[k], TOL[case.dtype], what .. " step " .. step) end
  end
end

for _, case in ipairs(fx.optimizers) do
  T.test("trajectory: " .. case.name, function()
    local W, b, loss = problem(case.dtype, case.negate)
    local opt = make_optimizer(case, W, b)
    for step = 1, case.steps do
      one_step(opt, loss, case.optimizer)
      check_at(case, step, W, b, case.name)
    end
    T.eq(W.dtype, case.dtype)
    T.truthy(W.is_leaf and W.requires_grad and W.grad_fn == nil, "W stays a leaf")
  end)

  -- Halfway, the state goes into a new optimizer over fresh copies of the
  -- parameters, which finishes the run: it must end where PyTorch's
  -- uninterrupted run ends.
  T.test("save and restore mid-run: " .. case.name, function()
    local W, b, loss = problem(case.dtype, case.negate)
    local opt = make_optimizer(case, W, b)
    local half = case.steps // 2
    for _ = 1, half do one_step(opt, loss, case.optimizer) end
    local sd = opt:state_dict()
    local W2, b2, loss2 = problem(case.dtype, case.negate)
    torch.no_grad(function() W2:copy_(W); b2:copy_(b) end)
    local opt2 = make_optimizer(case, W2, b2)
    opt2:load_state_dict(sd)
    for step = half + 1, case.steps do
      one_step(opt2, loss2, case.optimizer)
      check_at(case, step, W2, b2, case.name .. " (restored)")
    end
  end)
end

T.test("state_dict has PyTorch's layout with parameters numbered from 1", function()
  local W, b, loss = problem("float32")
  local opt = optim.Adam({{params = {W}, lr = 0.1}, {params = b}}, {amsgrad = true})
  one_step(opt, loss, "Adam")
  local sd = opt:state_dict()
  T.eq(#sd.param_groups, 2)
  T.allclose(sd.param_groups[1].params, {1})
  T.allclose(sd.param_groups[2].params, {2})
  T.eq(sd.param_groups[1].lr, 0.1)
  T.eq(sd.param_groups[2].lr, 1e-3)
  T.allclose(sd.param_groups[2].betas, {0.9, 0.999})
  T.eq(sd.param_groups[1].amsgrad, true)
  for id = 1, 2 do
    local s = sd.state[id]
    T.eq(s.step, 1)
    for _, key in ipairs {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"} do
      T.truthy(torch.is_tensor(s[key]), key .. " is a tensor")
      T.eq(s[key].requires_grad, false)
    end
  end
  T.allclose(sd.state[1].exp_avg:size(), {3, 2})
  -- The groups in the dict are copies: changing them leaves the optimizer alone.
  sd.param_groups[1].lr = 5
  T.eq(opt.param_groups[1].lr, 0.1)
end)

T.test("load_state_dict takes PyTorch's 0-dim step tensors and casts state to the parameter's dtype", function()
  local W, b, loss = problem("float64")
  local opt = optim.Adam({W, b}, {lr = 0.05})
  local sd = {
    state = {[1] = {step = torch.tensor(3.0), exp_avg = torch.ones(3, 2), exp_avg_sq = torch.ones(3, 2)}},
    param_groups = {{lr = 0.2, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0, amsgrad = false,
      maximize = false, foreach = false, params = {1, 2}}},
  }
  opt:load_state_dict(sd)
  T.eq(opt.state[W].step, 3)
  T.eq(opt.state[W].exp_avg.dtype, "float64")
  T.eq(opt.param_groups[1].lr, 0.2)
  sd.state[1].exp_avg:fill_(7)
  T.eq(opt.state[W].exp_avg[1][1]:item(), 1, "the loaded state is a copy")
  one_step(opt, loss, "Adam")
  T.eq(opt.state[W].step, 4)
  T.eq(opt.state[b].step, 1)
end)

T.test("load_state_dict refuses groups of other sizes", function()
  local W, b = problem("float32")
  local opt = optim.SGD({W, b}, {lr = 0.1})
  T.errors("SGD: load_state_dict: the state dict has 2 parameter groups, the optimizer 1", function()
    opt:load_state_dict({state = {}, param_groups = {{params = {1}}, {params = {2}}}})
  end)
  T.errors("SGD: load_state_dict: parameter group 1 has 1 parameters in the state dict, 2 in the optimizer",
    function() opt:load_state_dict({state = {}, param_groups = {{params = {1}}}}) end)
  T.errors("SGD: load_state_dict: expected a table {state = ..., param_groups = ...}", function()
    opt:load_state_dict(5)
  end)
end)

T.test("parameter groups: options per group, defaults for the rest, add_param_group", function()
  local W, b = problem("float32")
  local c = torch.zeros(2, {requires_grad = true})
  local opt = optim.SGD({{params = W, lr = 0.5}, {params = {b}, momentum = 0.9}}, {lr = 0.1, nesterov = false})
  T.eq(opt.param_groups[1].lr, 0.5)
  T.eq(opt.param_groups[1].momentum, 0)
  T.eq(opt.param_groups[2].lr, 0.1)
  T.eq(opt.param_groups[2].momentum, 0.9)
  opt:add_param_group({params = {c}, dampening = 0.5})
  T.eq(#opt.param_groups, 3)
  T.eq(opt.param_groups[3].dampening, 0.5)
  T.eq(opt.defaults.lr, 0.1)
  T.errors("SGD: parameter 1 appears more than once among the parameter groups (parameter group 4)", function()
    opt:add_param_group({params = {c}})
  end)
end)

T.test("parameters without a gradient are skipped and get no state", function()
  local W, b, loss = problem("float64")
  local unused = torch.ones(2, {dtype = "float64", requires_grad = true})
  local opt = optim.Adam({W, b, unused}, {lr = 0.1})
  one_step(opt, loss, "Adam")
  T.allclose(unused:totable(), {1, 1})
  T.eq(opt.state[unused], nil)
  T.truthy(opt.state[W] ~= nil, "W has state")
end)

T.test("zero_grad sets gradients to nil (PyTorch 2), or zeroes them with set_to_none = false", function()
  local W, b, loss = problem("float32")
  local opt = optim.SGD({W, b}, {lr = 0.1})
  loss():backward()
  opt:zero_grad()
  T.eq(W.grad, nil)
  T.eq(b.grad, nil)
  loss():backward()
  local g = W.grad
  opt:zero_grad({set_to_none = false})
  T.allclose(W.grad:totable(), {{0, 0}, {0, 0}, {0, 0}})
  T.allclose(g:totable(), {{0, 0}, {0, 0}, {0, 0}}, nil, "zeroed in place")
  T.errors("SGD: zero_grad: unknown option 'set_to_nil'", function() opt:zero_grad({set_to_nil = true}) end)
end)

T.test("step updates in place without recording: the version counts, the graph does not grow", function()
  local W, b, loss = problem("float32")
  local opt = optim.Adam({W, b}, {lr = 0.1})
  local y = (W * W):sum()   -- saves W for its backward
  loss():backward()
  local before = W._version
  opt:step()
  T.eq(W._version, before + 1)
  T.truthy(W.is_leaf and W.grad_fn == nil, "W is still a leaf")
  T.errors("modified by an in-place operation", function() y:backward() end)
end)

T.test("step(closure) returns the closure's loss; the closure runs with gradients on", function()
  local W, b, loss = problem("float64")
  local opt = optim.SGD({W, b}, {lr = 0.1})
  local before = loss():item()
  local l = torch.no_grad(function()
    return opt:step(function()
      opt:zero_grad()
      local v = loss()
      v:backward()
      return v
    end)
  end)
  T.close(l:item(), before, 1e-15)
  T.truthy(W.grad ~= nil, "the closure computed gradients")
  T.errors("SGD: step: the closure must be a function, got 3", function() opt:step(3) end)
end)

T.test("optimizers work on a module's parameters", function()
  torch.manual_seed(0)
  local model = nn.Linear(3, 2)
  local x, y = torch.randn(8, 3), torch.randn(8, 2)
  local opt = optim.SGD(model:parameters(), {lr = 0.1, momentum = 0.9})
  local first
  for i = 1, 30 do
    opt:zero_grad()
    local l = ((model(x) - y) ^ 2):mean()
    l:backward()
    opt:step()
    first = first or l:item()
  end
  T.truthy(((model(x) - y) ^ 2):mean():item() < first, "the loss went down")
end)

T.test("strided parameters are updated through a contiguous copy", function()
  local base = torch.tensor({{1, 2, 3}, {4, 5, 6}}, {dtype = "float64"})
  local p = base:t():detach():requires_grad_()
  local q = torch.tensor({{1, 4}, {2, 5}, {3, 6}}, {dtype = "float64", requires_grad = true})
  local opt_p = optim.Adam({p}, {lr = 0.1, weight_decay = 0.1})
  local opt_q = optim.Adam({q}, {lr = 0.1, weight_decay = 0.1})
  for _ = 1, 3 do
    for _, pair in ipairs {{p, opt_p}, {q, opt_q}} do
      local param, opt = pair[1], pair[2]
      opt:zero_grad()
      local l = (param ^ 3):sum()
      l:backward()
      opt:step()
    end
  end
  T.allclose(p:totable(), q:totable(), 1e-15)
  T.allclose(base:totable(), p:t():totable(), 1e-15, "the base saw the writes")
end)

T.test("repr lists each group's options, as PyTorch prints them", function()
  local W = problem("float32")
  T.eq(tostring(optim.SGD({W}, {lr = 0.1, momentum = 0.9})), table.concat({
    "SGD (", "Parameter Group 1", "    dampening: 0", "    lr: 0.1", "    maximize: false", "    momentum: 0.9",
    "    nesterov: false", "    weight_decay: 0", ")"}, "\n"))
  T.eq(tostring(optim.Adam), "class Adam")
end)

T.test("bad input: each a clear error", function()
  local W, b = problem("float32")
  T.errors("SGD: unknown option 'momentun'", optim.SGD, {W}, {lr = 0.1, momentun = 0.9})
  T.errors("Adam: unknown option 'betas1' (parameter group 1)", optim.Adam, {{params = {W}, betas1 = 0.5}})
  T.errors("SGD: invalid learning rate: -0.1 (it must be >= 0)", optim.SGD, {W}, {lr = -0.1})
  T.errors("Adam: invalid learning rate: -1 (it must be >= 0) (parameter group 2)", optim.Adam,
    {{params = {W}}, {params = {b}, lr = -1}})
  T.errors("SGD: option 'lr' is required (parameter group 1)", optim.SGD, {W})
  T.errors("SGD: got an empty parameter list", optim.SGD, {}, {lr = 0.1})
  T.errors("SGD: params must be a list of tensors or of parameter groups, got a tensor (wrap it: {t})",
    optim.SGD, W, {lr = 0.1})
  T.errors("did you mean model:parameters()?", optim.SGD, nn.Linear(2, 2), {lr = 0.1})
  T.errors("SGD: parameter 1 is not a leaf tensor (it was computed by MulBackward)", optim.SGD, {W * 2}, {lr = 0.1})
  T.errors("SGD: parameter 2 has dtype int64; only float32 and float64 tensors can be optimized", optim.SGD,
    {W, torch.tensor({1, 2})}, {lr = 0.1})
  T.errors("SGD: parameter 2 is a table, not a tensor", optim.SGD, {W, {}}, {lr = 0.1})
  T.errors("SGD: parameter 2 appears more than once", optim.SGD, {W, W}, {lr = 0.1})
  T.errors("SGD: nesterov momentum requires a momentum and zero dampening", optim.SGD, {W},
    {lr = 0.1, nesterov = true})
  T.errors("SGD: option 'momentum' must be a number, got true", optim.SGD, {W}, {lr = 0.1, momentum = true})
  T.errors("SGD: option 'nesterov' must be a boolean, got 1", optim.SGD, {W}, {lr = 0.1, nesterov = 1})
  T.errors("Adam: invalid beta parameter at index 2: 1 (it must be in [0, 1))", optim.Adam, {W}, {betas = {0.9, 1}})
  T.errors("Adam: option 'betas' must be a pair of numbers {beta1, beta2}, got 0.9", optim.Adam, {W}, {betas = 0.9})
  T.errors("Adam: invalid value for 'eps': -1 (it must be >= 0)", optim.Adam, {W}, {eps = -1})
  T.errors("Adadelta: invalid value for 'rho': 1.5 (it must be in [0, 1])", optim.Adadelta, {W}, {rho = 1.5})
  T.errors("RMSprop: invalid value for 'alpha': -0.5 (it must be >= 0)", optim.RMSprop, {W}, {alpha = -0.5})
  T.errors("Adagrad: invalid value for 'lr_decay': -1 (it must be >= 0)", optim.Adagrad, {W}, {lr_decay = -1})
  T.errors("NAdam: unknown option 'maximize'", optim.NAdam, {W}, {maximize = true})
  T.errors("SGD: options must be a table, got 0.1", optim.SGD, {W}, 0.1)
  T.errors("LBFGS doesn't support per-parameter options (parameter groups)", optim.LBFGS,
    {{params = {W}}, {params = {b}}})
  T.errors("LBFGS: line_search_fn must be nil or 'strong_wolfe', got 'armijo'", optim.LBFGS, {W},
    {line_search_fn = "armijo"})
  T.errors("LBFGS: step needs a closure", function() optim.LBFGS({W}):step() end)
  T.errors("LBFGS: the closure must return the loss", function()
    local opt = optim.LBFGS({W})
    opt:step(function() (W ^ 2):sum():backward() end)
  end)
end)

T.test("the fused kernels check their operands", function()
  local p = torch.zeros(3, 2, {requires_grad = true})
  local group = {lr = 0.1, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0}
  T.errors("_adam_step: grad has shape 2x3, the parameter 3x2", torch._adam_step, p, torch.zeros(2, 3),
    torch.zeros(3, 2), torch.zeros(3, 2), nil, 1, group)
  T.errors("_adam_step: exp_avg is float64, the parameter float32", torch._adam_step, p, torch.zeros(3, 2),
    torch.zeros(3, 2, {dtype = "float64"}), torch.zeros(3, 2), nil, 1, group)
  T.errors("_sgd_step: only float32 and float64 parameters can be optimized, got int64", torch._sgd_step,
    torch.zeros(2, {dtype = "int64"}), torch.zeros(2, {dtype = "int64"}), nil, false,
    {lr = 1, momentum = 0, dampening = 0, weight_decay = 0})
  T.errors("_sgd_step: the options need a momentum_buffer tensor", torch._sgd_step, p, torch.zeros(3, 2), nil,
    false, {lr = 1, momentum = 0.5, dampening = 0, weight_decay = 0})
  T.errors("_adam_step: the group's 'betas' must be a pair {beta1, beta2}", torch._adam_step, p, torch.zeros(3, 2),
    torch.zeros(3, 2), torch.zeros(3, 2), nil, 1, {lr = 0.1, eps = 1e-8, weight_decay = 0})
  T.errors("_adam_step: the group's 'lr' must be a number, got nil", torch._adam_step, p, torch.zeros(3, 2),
    torch.zeros(3, 2), torch.zeros(3, 2), nil, 1, {})
  T.errors("expanded view", torch._sgd_step, torch.zeros(1):expand(3), torch.zeros(3), nil, false,
    {lr = 1, momentum = 0, dampening = 0, weight_decay = 0})
end)

T.test("an optimizer's state_dict goes through torch.save and torch.load", function()
  local case = fx.optimizers[1]
  for _, c in ipairs(fx.optimizers) do
    if c.name == "Adam amsgrad" then case = c end
  end
  local W, b, loss = problem(case.dtype)
  local opt = make_optimizer(case, W, b)
  for _ = 1, 6 do one_step(opt, loss, case.optimizer) end
  local path = os.tmpname()
  torch.save(opt:state_dict(), path)
  local sd = torch.load(path)
  os.remove(path)
  local W2, b2, loss2 = problem(case.dtype)
  torch.no_grad(function() W2:copy_(W); b2:copy_(b) end)
  local opt2 = make_optimizer(case, W2, b2)
  opt2:load_state_dict(sd)
  for step = 7, case.steps do
    one_step(opt2, loss2, case.optimizer)
    check_at(case, step, W2, b2, case.name .. " (saved)")
  end
end)
