-- OneCycleLR.lua — optim.lr_scheduler.OneCycleLR(optimizer, max_lr, {total_steps =,
-- or epochs = and steps_per_epoch =, ...}): the 1cycle policy, stepped once
-- per batch.  The learning rate rises from max_lr / div_factor to max_lr
-- over the first pct_start of the steps and anneals (cosine or linear) to
-- initial_lr / final_div_factor by the last; the momentum (SGD's momentum,
-- or beta1 of the Adam family) moves the opposite way between max_momentum
-- and base_momentum.  three_phase adds a symmetric descent before the final
-- annealing.  The phase bounds go into the groups (initial_lr, max_lr,
-- min_lr, max_momentum, base_momentum), as in PyTorch.
local torch = require "torch"
local LRScheduler = require "optim.lr_scheduler.LRScheduler"

local OneCycleLR = LRScheduler:extend("OneCycleLR")

local ANNEAL = {
  cos = function(start, stop, pct) return stop + (start - stop) / 2 * (math.cos(math.pi * pct) + 1) end,
  linear = function(start, stop, pct) return (stop - start) * pct + start end,
}

-- One value per group: a number repeated, or a list of the groups' length.
local function per_group(self, name, v)
  local n = #self.optimizer.param_groups
  if type(v) == "table" then
    if #v ~= n then self:_fail("expected %d values for %s, got %d", n, name, #v) end
    return v
  end
  local out = {}
  for i = 1, n do out[i] = v end
  return out
end

local function positive_integer(self, name, v)
  if math.type(v) ~= "integer" or v <= 0 then
    self:_fail("Expected positive integer %s, but got %s", name, tostring(v))
  end
  return v
end

function OneCycleLR:init(optimizer, max_lr, opts)
  local o = self:_options(opts, {pct_start = 0.3, anneal_strategy = "cos", cycle_momentum = true,
    base_momentum = 0.85, max_momentum = 0.95, div_factor = 25, final_div_factor = 1e4, three_phase = false,
    last_epoch = -1, verbose = false}, {total_steps = "number", epochs = "number", steps_per_epoch = "number"},
    {base_momentum = true, max_momentum = true})
  self:_set_optimizer(optimizer)
  if o.total_steps ~= nil then
    self.total_steps = positive_integer(self, "total_steps", o.total_steps)
  elseif o.epochs ~= nil or o.steps_per_epoch ~= nil then
    self.total_steps = positive_integer(self, "epochs", o.epochs)
      * positive_integer(self, "steps_per_epoch", o.steps_per_epoch)
  else
    self:_fail("You must define either total_steps OR (epochs AND steps_per_epoch)")
  end
  if o.pct_start < 0 or o.pct_start > 1 then
    self:_fail("Expected float between 0 and 1 pct_start, but got %s", o.pct_start)
  end
  if ANNEAL[o.anneal_strategy] == nil then
    self:_fail("anneal_strategy must by one of 'cos' or 'linear', instead got %s", o.anneal_strategy)
  end
  local up = o.pct_start * self.total_steps - 1
  if o.three_phase then
    self._schedule_phases = {
      {end_step = up, start_lr = "initial_lr", end_lr = "max_lr", start_momentum = "max_momentum",
        end_momentum = "base_momentum"},
      {end_step = 2 * o.pct_start * self.total_steps - 2, start_lr = "max_lr", end_lr = "initial_lr",
        start_momentum = "base_momentum", end_momentum = "max_momentum"},
      {end_step = self.total_steps - 1, start_lr = "initial_lr", end_lr = "min_lr",
        start_momentum = "max_momentum", end_momentum = "max_momentum"},
    }
  else
    self._schedule_phases = {
      {end_step = up, start_lr = "initial_lr", end_lr = "max_lr", start_momentum = "max_momentum",
        end_momentum = "base_momentum"},
      {end_step = self.total_steps - 1, start_lr = "max_lr", end_lr = "min_lr", start_momentum = "base_momentum",
        end_momentum = "max_momentum"},
    }
  end
  self.anneal_strategy = o.anneal_strategy
  local max_lrs = per_group(self, "max_lr", max_lr)
  if o.last_epoch == -1 then
    for i, group in ipairs(optimizer.param_groups) do
      group.initial_lr = max_lrs[i] / o.div_factor
      group.max_lr = max_lrs[i]
      group.min_lr = group.initial_lr / o.final_div_factor
    end
  end
  self.cycle_momentum = o.cycle_momentum
  if self.cycle_momentum then
    local defaults = optimizer.defaults or {}
    if defaults.momentum == nil and defaults.betas == nil then
      self:_fail("optimizer must support momentum with `cycle_momentum` option enabled")
    end
    self.use_beta1 = defaults.betas ~= nil
    local max_m = per_group(self, "max_momentum", o.max_momentum)
    local base_m = per_group(self, "base_momentum", o.base_momentum)
    if o.last_epoch == -1 then
      for i, group in ipairs(optimizer.param_groups) do
        self:_set_momentum(group, max_m[i])
        group.max_momentum, group.base_momentum = max_m[i], base_m[i]
      end
    end
  end
  self:_start(optimizer, o.last_epoch, o.verbose)
end

function OneCycleLR:_set_momentum(group, m)
  if self.use_beta1 then group.betas = {m, group.betas[2]} else group.momentum = m end
end

function OneCycleLR:get_lr()
  local step_num = self.last_epoch
  if step_num > self.total_steps then
    self:_fail("Tried to step %d times. The specified number of total steps is %d", step_num + 1, self.total_steps)
  end
  local anneal = ANNEAL[self.anneal_strategy]
  local phases = self._schedule_phases
  local out = {}
  for i, group in ipairs(self.optimizer.param_groups) do
    local start_step = 0
    for k, phase in ipairs(phases) do
      local end_step = phase.end_step
      if step_num <= end_step or k == #phases then
        local pct = (step_num - start_step) / (end_step - start_step)
        out[i] = anneal(group[phase.start_lr], group[phase.end_lr], pct)
        if self.cycle_momentum then
          self:_set_momentum(group, anneal(group[phase.start_momentum], group[phase.end_momentum], pct))
        end
        break
      end
      start_step = phase.end_step
    end
  end
  return out
end

torch.doc(OneCycleLR, "optim.lr_scheduler.OneCycleLR(optimizer, max_lr, {total_steps=, epochs=, steps_per_epoch=, "
  .. "pct_start=0.3, anneal_strategy='cos', cycle_momentum=true, base_momentum=0.85, max_momentum=0.95, "
  .. "div_factor=25, final_div_factor=1e4, three_phase=false, last_epoch=-1, verbose=false})",
  "The 1cycle policy, stepped once per batch: the learning rate rises to max_lr and anneals far below its start.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 0.1, momentum = 0.9})
local sched = optim.lr_scheduler.OneCycleLR(opt, 1.0, {total_steps = 10})
local lrs = {}
for step = 1, 10 do lrs[step] = string.format("%.2f", sched:get_last_lr()[1]); opt:step(); sched:step() end
print(table.concat(lrs, " "))          -- up to max_lr, then annealed (stepped per batch)]])
return OneCycleLR
