-- StepLR.lua — optim.lr_scheduler.StepLR(optimizer, step_size, {gamma = 0.1}):
-- multiplies each group's learning rate by gamma every step_size epochs.
local torch = require "torch"
local LRScheduler = require "optim.lr_scheduler.LRScheduler"

local StepLR = LRScheduler:extend("StepLR")

function StepLR:init(optimizer, step_size, opts)
  local o = self:_options(opts, {gamma = 0.1, last_epoch = -1, verbose = false})
  if math.type(step_size) ~= "integer" or step_size < 1 then
    self:_fail("step_size must be a positive integer, got %s", tostring(step_size))
  end
  self.step_size, self.gamma = step_size, o.gamma
  self:_start(optimizer, o.last_epoch, o.verbose)
end

function StepLR:get_lr()
  if self.last_epoch == 0 or self.last_epoch % self.step_size ~= 0 then return self:_group_lrs() end
  return self:_group_lrs(self.gamma)
end

function StepLR:_closed_form_lr() return self:_base_lrs(self.gamma ^ (self.last_epoch // self.step_size)) end

torch.doc(StepLR, "optim.lr_scheduler.StepLR(optimizer, step_size, {gamma=0.1, last_epoch=-1, verbose=false})",
  "Multiplies the learning rates by gamma every step_size epochs.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.StepLR(opt, 2, {gamma = 0.5})
local lrs = {}
for epoch = 1, 6 do lrs[epoch] = sched:get_last_lr()[1]; opt:step(); sched:step() end
print(table.concat(lrs, " "))]])
return StepLR
