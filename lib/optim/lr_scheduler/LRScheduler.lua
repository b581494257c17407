-- LRScheduler.lua — the base class of the learning-rate schedules
-- (PyTorch's _LRScheduler): it records each group's initial_lr, counts
-- epochs in last_epoch, and on every step() writes the new rates into the
-- optimizer's parameter groups.
--
--   local StepLR = LRScheduler:extend("StepLR")
--   function StepLR:init(optimizer, step_size, opts) ... self:_start(optimizer, o.last_epoch, o.verbose) end
--   function StepLR:get_lr() return {...} end       -- the next rate of each group
--
-- As in PyTorch, get_lr is the chainable form (it scales the groups' current
-- rates, so schedules can be combined) and an optional _closed_form_lr is
-- used when step(epoch) names the epoch.  Required arguments are positional
-- and the rest a trailing options table whose names are checked.
local torch = require "torch"

local LRScheduler = {__name = "LRScheduler"}

local function construct(cls, ...)
  local self = setmetatable({}, cls)
  self:init(...)
  return self
end

--- A new schedule class named `name`; define cls:init(optimizer, ...) and cls:get_lr().
function LRScheduler:extend(name)
  local cls = {__name = name, __tostring = self.__tostring}
  cls.__index = cls
  return setmetatable(cls, {__index = self, __call = construct, __tostring = function() return "class " .. name end})
end
torch.doc(LRScheduler.extend, "optim.lr_scheduler.LRScheduler:extend(name)",
  "A new schedule class: define cls:init(optimizer, ...), ending with self:_start(optimizer, last_epoch, "
    .. "verbose), and cls:get_lr().",
  [[
local Halving = optim.lr_scheduler.LRScheduler:extend("Halving")
function Halving:init(optimizer) self:_start(optimizer, -1, false) end
function Halving:get_lr()
  local out = {}
  for i, group in ipairs(self.optimizer.param_groups) do
    out[i] = self.last_epoch == 0 and group.lr or group.lr / 2
  end
  return out
end
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = Halving(opt)
for _ = 1, 3 do opt:step(); sched:step() end
print(sched:get_last_lr()[1])]])

--- The rates of the epoch last_epoch, one per group; each schedule defines it.
function LRScheduler:get_lr()
  self:_fail("get_lr is not defined (define %s:get_lr)", self.__name)
end
torch.doc(LRScheduler.get_lr, "sched:get_lr()",
  "The rates for the epoch step() has just moved to, one per group, in PyTorch's chainable form (from the "
    .. "groups' current rates); each schedule defines it and step() calls it. Read the rates with get_last_lr().",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.StepLR(opt, 1, {gamma = 0.5})
sched.last_epoch = sched.last_epoch + 1     -- what step() does before it asks
print(sched:get_lr()[1])]])

--- An error naming the schedule.
function LRScheduler:_fail(fmt, ...)
  error(self.__name .. ": " .. string.format(fmt, ...), 0)
end

local function is_optimizer(v)
  return type(v) == "table" and type(v.param_groups) == "table" and type(v.step) == "function"
end

--- The options table `opts` checked against `defaults` (name -> default):
-- unknown names are errors, and a value must have its default's type (a
-- number option listed in `lists` may also be a per-group list).  Options
-- whose default is absent are named in `optional` with their type.
function LRScheduler:_options(opts, defaults, optional, lists)
  if opts ~= nil and type(opts) ~= "table" then self:_fail("options must be a table, got %s", type(opts)) end
  opts = opts or {}
  optional = optional or {}
  local out = {}
  for k, v in pairs(opts) do
    local default = defaults[k]
    local kind = optional[k] or type(default)
    if default == nil and optional[k] == nil then self:_fail("unknown option '%s'", tostring(k)) end
    if type(v) ~= kind and not (lists and lists[k] and type(v) == "table") then
      self:_fail("option '%s' must be a %s, got %s", k, kind, type(v))
    end
    out[k] = v
  end
  for k, v in pairs(defaults) do
    if out[k] == nil then out[k] = v end
  end
  return out
end

--- Checks the optimizer and starts the schedule: records initial_lr in each
-- group (or, resuming with last_epoch >= 0, expects it there) and takes the
-- first step, which sets the rates of epoch 0.
function LRScheduler:_start(optimizer, last_epoch, verbose)
  self:_set_optimizer(optimizer)
  for i, group in ipairs(optimizer.param_groups) do
    if last_epoch == -1 then
      if group.initial_lr == nil then group.initial_lr = group.lr end
    elseif group.initial_lr == nil then
      self:_fail("param 'initial_lr' is not specified in param_groups[%d] when resuming an optimizer", i)
    end
  end
  self.base_lrs = {}
  for i, group in ipairs(optimizer.param_groups) do self.base_lrs[i] = group.initial_lr end
  self.last_epoch = last_epoch
  self.verbose = verbose
  self:_initial_step()
end

function LRScheduler:_set_optimizer(optimizer)
  if not is_optimizer(optimizer) then
    self:_fail("expected an optimizer (optim.SGD(...), ...), got %s", type(optimizer))
  end
  self.optimizer = optimizer
end

function LRScheduler:_initial_step()
  self._step_count = 0
  self:step()
end

-- The current rate of every group (what get_lr returns when nothing changes).
function LRScheduler:_group_lrs(scale)
  local out = {}
  for i, group in ipairs(self.optimizer.param_groups) do out[i] = group.lr * (scale or 1) end
  return out
end

-- Each group's initial rate times `scale` (the closed forms).
function LRScheduler:_base_lrs(scale)
  local out = {}
  for i, base in ipairs(self.base_lrs) do out[i] = base * scale end
  return out
end

-- The cosine annealing of the two cosine schedules: at t of T, each rate is
-- eta_min + (initial - eta_min) (1 + cos(pi t / T)) / 2.
function LRScheduler:_cosine_lrs(t, T)
  local out = {}
  for i, base in ipairs(self.base_lrs) do
    out[i] = self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * t / T)) / 2
  end
  return out
end

--- Advances one epoch (or, given `epoch`, jumps to it using the closed form
-- where the schedule has one) and writes the new rates into the optimizer.
function LRScheduler:step(epoch)
  self._step_count = self._step_count + 1
  local values
  if epoch == nil then
    self.last_epoch = self.last_epoch + 1
    values = self:get_lr()
  else
    self.last_epoch = epoch
    values = self._closed_form_lr and self:_closed_form_lr() or self:get_lr()
  end
  self:_set_lrs(values, epoch)
end

function LRScheduler:_set_lrs(values, epoch)
  for i, group in ipairs(self.optimizer.param_groups) do
    group.lr = values[i]
    if self.verbose then
      local at = epoch and string.format("Epoch %s: a", epoch) or "A"
      print(string.format("%sdjusting learning rate of group %d to %.4e.", at, i, values[i]))
    end
  end
  self._last_lr = self:_group_lrs()
end

--- The rates the last step set, one per parameter group.
function LRScheduler:get_last_lr()
  local out = {}
  for i, lr in ipairs(self._last_lr) do out[i] = lr end
  return out
end

local function copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = copy(x) end
  return out
end

-- Fields a state dict leaves out: the optimizer, functions, and what a class
-- saves its own way (SequentialLR's schedules).
LRScheduler._not_state = {optimizer = true, _schedulers = true}

--- Every field of the schedule except the optimizer and functions (lr_lambda
-- functions cannot be saved, as in PyTorch), as plain values.
function LRScheduler:state_dict()
  local sd = {}
  for k, v in pairs(self) do
    if not self._not_state[k] and type(v) ~= "function" and not (type(v) == "table" and type(v[1]) == "function") then
      sd[k] = copy(v)
    end
  end
  return sd
end

--- Restores what state_dict returned.
function LRScheduler:load_state_dict(sd)
  if type(sd) ~= "table" then self:_fail("load_state_dict: expected a table, got %s", type(sd)) end
  for k, v in pairs(sd) do
    if not self._not_state[k] then self[k] = copy(v) end
  end
end

function LRScheduler:__tostring()
  return string.format("%s(last_epoch=%s, lr=%s)", self.__name, tostring(self.last_epoch),
    table.concat(self._last_lr or {}, ", "))
end

torch.doc(LRScheduler, "optim.lr_scheduler.LRScheduler",
  "The base class of the schedules: step(), get_last_lr(), state_dict(), load_state_dict(sd).",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.StepLR(opt, 2, {gamma = 0.5})
print(sched)]])
torch.doc(LRScheduler.step, "sched:step()",
  "Advances one epoch and sets the optimizer's learning rates (step(epoch) jumps to an epoch).",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.ExponentialLR(opt, 0.5)
for epoch = 1, 3 do
  opt:step()                          -- the epoch's training
  sched:step()
  print(epoch, opt.param_groups[1].lr)
end]])
torch.doc(LRScheduler.get_last_lr, "sched:get_last_lr()", "The learning rates the last step set, one per group.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.StepLR(opt, 1, {gamma = 0.1})
sched:step()
print(sched:get_last_lr()[1])]])
torch.doc(LRScheduler.state_dict, "sched:state_dict()",
  "The schedule's fields except the optimizer and functions, as plain values.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.StepLR(opt, 2, {gamma = 0.5})
sched:step()
local sd = sched:state_dict()
print(sd.last_epoch, sd.step_size, sd.gamma)]])
torch.doc(LRScheduler.load_state_dict, "sched:load_state_dict(sd)", "Restores what state_dict returned.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.StepLR(opt, 2, {gamma = 0.5})
for _ = 1, 3 do opt:step(); sched:step() end
local resumed = optim.lr_scheduler.StepLR(opt, 2, {gamma = 0.5})
resumed:load_state_dict(sched:state_dict())
print(resumed.last_epoch, resumed:get_last_lr()[1])]])

return LRScheduler
