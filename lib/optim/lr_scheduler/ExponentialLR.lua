-- ExponentialLR.lua — optim.lr_scheduler.ExponentialLR(optimizer, gamma):
-- multiplies the learning rates by gamma every epoch.
local torch = require "torch"
local LRScheduler = require "optim.lr_scheduler.LRScheduler"

local ExponentialLR = LRScheduler:extend("ExponentialLR")

function ExponentialLR:init(optimizer, gamma, opts)
  local o = self:_options(opts, {last_epoch = -1, verbose = false})
  if type(gamma) ~= "number" then self:_fail("gamma must be a number, got %s", type(gamma)) end
  self.gamma = gamma
  self:_start(optimizer, o.last_epoch, o.verbose)
end

function ExponentialLR:get_lr()
  if self.last_epoch == 0 then return self:_group_lrs() end
  return self:_group_lrs(self.gamma)
end

function ExponentialLR:_closed_form_lr() return self:_base_lrs(self.gamma ^ self.last_epoch) end

torch.doc(ExponentialLR, "optim.lr_scheduler.ExponentialLR(optimizer, gamma, {last_epoch=-1, verbose=false})",
  "Multiplies the learning rates by gamma every epoch.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.ExponentialLR(opt, 0.9)
local lrs = {}
for epoch = 1, 5 do lrs[epoch] = string.format("%.4f", sched:get_last_lr()[1]); opt:step(); sched:step() end
print(table.concat(lrs, " "))]])
return ExponentialLR
