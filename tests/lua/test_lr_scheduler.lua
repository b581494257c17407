-- The learning-rate schedules: every case of tests/fixtures/optim.lua (the
-- rates, and for OneCycleLR the momentum, PyTorch 1.13 sets after each
-- step), save and restore in the middle of a schedule, and bad input.
local T = require "testing"
local F = require "fixture"

local fx = F.load "optim"
local sched = optim.lr_scheduler

-- The fixture's named LambdaLR functions (the same in gen_optim.py).
local LAMBDAS = {
  decay = function(e) return 0.9 ^ e end,
  warmup = function(e) return math.min(1.0, (e + 1) / 4) end,
  inverse = function(e) return 1 / (1 + e) end,
}

local function make_optimizer(case)
  local groups = {}
  for i, lr in ipairs(case.lrs) do groups[i] = {params = {torch.zeros(2, {requires_grad = true})}, lr = lr} end
  return optim[case.optimizer or "SGD"](groups, case.optimizer_options)
end

local function make_schedule(opt, spec)
  if spec.scheduler == "SequentialLR" then
    local subs = {}
    for i, s in ipairs(spec.schedulers) do subs[i] = make_schedule(opt, s) end
    return sched.SequentialLR(opt, subs, spec.milestones)
  end
  local args = {table.unpack(spec.args)}
  if spec.scheduler == "LambdaLR" then
    local names = args[1]
    if type(names) == "table" then
      args[1] = {}
      for i, n in ipairs(names) do args[1][i] = LAMBDAS[n] end
    else
      args[1] = LAMBDAS[names]
    end
  end
  args[#args + 1] = spec.options
  return sched[spec.scheduler](opt, table.unpack(args))
end

local function momentum_of(opt)
  local group = opt.param_groups[1]
  return group.betas and group.betas[1] or group.momentum
end

-- Runs `case` from step `from` (0: construction) to its end, checking the
-- rates after each step; `setup` may replace the optimizer and schedules.
local function run(case, opt, schedules, from)
  local function check(step)
    local what = case.name .. " after step " .. step
    T.allclose(schedules[#schedules]:get_last_lr(), case.want[step + 1], 1e-10, what)
    if case.want_momentum then T.close(momentum_of(opt), case.want_momentum[step + 1], 1e-10, what) end
  end
  if from == 0 then check(0) end
  for step = math.max(from, 1), case.steps do
    for _, g in ipairs(opt.param_groups) do g.params[1].grad = torch.zeros(2) end
    opt:step()
    for _, s in ipairs(schedules) do
      if case.metrics then
        s:step(case.metrics[step])
      elseif case.epochs then
        s:step(case.epochs[step])
      else
        s:step()
      end
    end
    check(step)
  end
end

local function start(case)
  local opt = make_optimizer(case)
  local schedules = {}
  for i, spec in ipairs(case.schedules) do schedules[i] = make_schedule(opt, spec) end
  return opt, schedules
end

for _, case in ipairs(fx.schedules) do
  T.test("schedule: " .. case.name, function()
    local opt, schedules = start(case)
    run(case, opt, schedules, 0)
  end)

  -- Halfway, the optimizer's and the schedules' states go into new ones
  -- (made the usual way, then loaded), which finish the schedule.
  T.test("save and restore mid-schedule: " .. case.name, function()
    local opt, schedules = start(case)
    local half = case.steps // 2
    local partial = {}
    for k, v in pairs(case) do partial[k] = v end
    partial.steps = half
    run(partial, opt, schedules, 1)
    local opt_sd = opt:state_dict()
    local sds = {}
    for i, s in ipairs(schedules) do sds[i] = s:state_dict() end
    local opt2, schedules2 = start(case)
    opt2:load_state_dict(opt_sd)
    for i, s in ipairs(schedules2) do s:load_state_dict(sds[i]) end
    run(case, opt2, schedules2, half + 1)
  end)
end

T.test("the optimizer uses the rate the schedule sets", function()
  local p = torch.ones(1, {requires_grad = true})
  local opt = optim.SGD({p}, {lr = 1})
  local s = sched.StepLR(opt, 1, {gamma = 0.5})
  for _ = 1, 3 do
    p.grad = torch.ones(1)
    opt:step()
    s:step()
  end
  T.close(p:item(), 1 - 1 - 0.5 - 0.25)
  T.allclose(s:get_last_lr(), {0.125})
  T.eq(opt.param_groups[1].initial_lr, 1)
end)

T.test("state_dict is plain values: no optimizer, no functions", function()
  local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 0.1})
  local s = sched.LambdaLR(opt, function(e) return 1 / (e + 1) end)
  s:step()
  local sd = s:state_dict()
  T.eq(sd.optimizer, nil)
  T.eq(sd.lr_lambdas, nil)
  T.eq(sd.last_epoch, 1)
  T.allclose(sd.base_lrs, {0.1})
  sd.base_lrs[1] = 7
  T.allclose(s.base_lrs, {0.1}, nil, "a copy")
end)

T.test("resuming with last_epoch needs initial_lr in the groups", function()
  local p = torch.zeros(1, {requires_grad = true})
  T.errors("StepLR: param 'initial_lr' is not specified in param_groups[1] when resuming an optimizer",
    sched.StepLR, optim.SGD({p}, {lr = 0.1}), 2, {last_epoch = 3})
  local opt = optim.SGD({{params = {p}, initial_lr = 0.2}}, {lr = 0.1})
  local s = sched.StepLR(opt, 2, {last_epoch = 3})
  T.eq(s.last_epoch, 4)
  T.allclose(s.base_lrs, {0.2})
end)

T.test("verbose prints each change", function()
  local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 0.1})
  local lines, print0 = {}, print
  print = function(line) lines[#lines + 1] = line end
  local ok, err = pcall(function()
    local s = sched.ExponentialLR(opt, 0.5, {verbose = true})
    s:step()
  end)
  print = print0
  assert(ok, err)
  T.eq(lines[1], "Adjusting learning rate of group 1 to 1.0000e-01.")
  T.eq(lines[2], "Adjusting learning rate of group 1 to 5.0000e-02.")
end)

T.test("bad input: each a clear error", function()
  local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 0.1})
  T.errors("StepLR: unknown option 'gama'", sched.StepLR, opt, 3, {gama = 0.5})
  T.errors("StepLR: option 'gamma' must be a number, got string", sched.StepLR, opt, 3, {gamma = "0.5"})
  T.errors("StepLR: step_size must be a positive integer, got 0", sched.StepLR, opt, 0)
  T.errors("StepLR: expected an optimizer (optim.SGD(...), ...), got number", sched.StepLR, 5, 3)
  T.errors("MultiStepLR: milestone 2 is 2.5, not an integer epoch", sched.MultiStepLR, opt, {1, 2.5})
  T.errors("ConstantLR: Constant multiplicative factor expected to be between 0 and 1, got 2",
    sched.ConstantLR, opt, {factor = 2})
  T.errors("CosineAnnealingWarmRestarts: Expected positive integer T_0, but got 0", sched.CosineAnnealingWarmRestarts,
    opt, 0)
  T.errors("CosineAnnealingWarmRestarts: Expected integer T_mult >= 1, but got 1.5",
    sched.CosineAnnealingWarmRestarts, opt, 2, {T_mult = 1.5})
  T.errors("LambdaLR: Expected 1 lr_lambdas, but got 2", sched.LambdaLR, opt, {LAMBDAS.decay, LAMBDAS.decay})
  T.errors("OneCycleLR: You must define either total_steps OR (epochs AND steps_per_epoch)", sched.OneCycleLR, opt, 1)
  T.errors("OneCycleLR: Expected positive integer steps_per_epoch, but got nil", sched.OneCycleLR, opt, 1,
    {epochs = 2})
  T.errors("OneCycleLR: anneal_strategy must by one of 'cos' or 'linear', instead got cosine", sched.OneCycleLR,
    opt, 1, {total_steps = 5, anneal_strategy = "cosine"})
  T.errors("OneCycleLR: optimizer must support momentum with `cycle_momentum` option enabled", sched.OneCycleLR,
    optim.Adagrad({torch.zeros(1, {requires_grad = true})}), 1, {total_steps = 5})
  T.errors("OneCycleLR: Tried to step 4 times. The specified number of total steps is 2", function()
    local s = sched.OneCycleLR(opt, 1, {total_steps = 2})
    for _ = 1, 3 do s:step() end
  end)
  T.errors("ReduceLROnPlateau: Factor should be < 1.0, got 1", sched.ReduceLROnPlateau, opt, {factor = 1})
  T.errors("ReduceLROnPlateau: mode avg is unknown!", sched.ReduceLROnPlateau, opt, {mode = "avg"})
  T.errors("ReduceLROnPlateau: step needs the metric", function() sched.ReduceLROnPlateau(opt):step() end)
  T.errors("SequentialLR: Sequential Schedulers expects number of schedulers provided to be one more than the "
    .. "number of milestone points", sched.SequentialLR, opt, {sched.StepLR(opt, 2)}, {3})
end)
