-- SequentialLR.lua — optim.lr_scheduler.SequentialLR(optimizer, schedulers,
-- milestones): runs schedulers[1] until epoch milestones[1], then
-- schedulers[2] (restarted at its epoch 0) until milestones[2], and so on,
-- as PyTorch 1.13 does.  The schedulers must have been made for the same
-- optimizer; their states are saved inside this one's state_dict.
local torch = require "torch"
local LRScheduler = require "optim.lr_scheduler.LRScheduler"

local SequentialLR = LRScheduler:extend("SequentialLR")

function SequentialLR:init(optimizer, schedulers, milestones, opts)
  local o = self:_options(opts, {last_epoch = -1, verbose = false})
  self:_set_optimizer(optimizer)
  if type(schedulers) ~= "table" or #schedulers == 0 then self:_fail("schedulers must be a non-empty list") end
  for i, s in ipairs(schedulers) do
    if type(s) ~= "table" or s.optimizer ~= optimizer then
      self:_fail("Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at "
        .. "index %d to be different than the optimizer passed in.", i)
    end
  end
  if type(milestones) ~= "table" or #milestones ~= #schedulers - 1 then
    self:_fail("Sequential Schedulers expects number of schedulers provided to be one more than the number of "
      .. "milestone points, but got number of schedulers %d and the number of milestones to be equal to %s",
      #schedulers, type(milestones) == "table" and #milestones or type(milestones))
  end
  self._schedulers = {table.unpack(schedulers)}
  self._milestones = {table.unpack(milestones)}
  self.last_epoch = o.last_epoch + 1
  for _, group in ipairs(optimizer.param_groups) do group.lr = group.initial_lr end
  for _, s in ipairs(self._schedulers) do s.last_epoch = s.last_epoch - 1 end
  self._schedulers[1]:_initial_step()
  self._last_lr = self._schedulers[1]:get_last_lr()
end

function SequentialLR:step()
  self.last_epoch = self.last_epoch + 1
  local idx = 1
  for _, m in ipairs(self._milestones) do
    if m <= self.last_epoch then idx = idx + 1 end
  end
  local scheduler = self._schedulers[idx]
  if idx > 1 and self._milestones[idx - 1] == self.last_epoch then
    scheduler:step(0)
  else
    scheduler:step()
  end
  self._last_lr = scheduler:get_last_lr()
end

function SequentialLR:state_dict()
  local sd = LRScheduler.state_dict(self)
  sd._schedulers = {}
  for i, s in ipairs(self._schedulers) do sd._schedulers[i] = s:state_dict() end
  return sd
end

function SequentialLR:load_state_dict(sd)
  LRScheduler.load_state_dict(self, sd)
  for i, s in ipairs(sd._schedulers or {}) do self._schedulers[i]:load_state_dict(s) end
end

torch.doc(SequentialLR, "optim.lr_scheduler.SequentialLR(optimizer, schedulers, milestones, {last_epoch=-1})",
  "Runs each schedule in turn, switching at the milestone epochs.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local warmup = optim.lr_scheduler.LinearLR(opt, {start_factor = 0.5, total_iters = 2})
local decay = optim.lr_scheduler.ExponentialLR(opt, 0.5)
local sched = optim.lr_scheduler.SequentialLR(opt, {warmup, decay}, {2})
local lrs = {}
for epoch = 1, 5 do lrs[epoch] = string.format("%g", sched:get_last_lr()[1]); opt:step(); sched:step() end
print(table.concat(lrs, " "))]])
return SequentialLR
