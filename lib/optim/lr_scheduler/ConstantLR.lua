-- ConstantLR.lua — optim.lr_scheduler.ConstantLR(optimizer, {factor = 1/3,
-- total_iters = 5}): the learning rates times factor until epoch total_iters,
-- then the rates themselves.
local torch = require "torch"
local LRScheduler = require "optim.lr_scheduler.LRScheduler"

local ConstantLR = LRScheduler:extend("ConstantLR")

function ConstantLR:init(optimizer, opts)
  local o = self:_options(opts, {factor = 1 / 3, total_iters = 5, last_epoch = -1, verbose = false})
  if o.factor > 1 or o.factor < 0 then
    self:_fail("Constant multiplicative factor expected to be between 0 and 1, got %s", o.factor)
  end
  self.factor, self.total_iters = o.factor, o.total_iters
  self:_start(optimizer, o.last_epoch, o.verbose)
end

function ConstantLR:get_lr()
  if self.last_epoch == 0 then return self:_group_lrs(self.factor) end
  if self.last_epoch ~= self.total_iters then return self:_group_lrs() end
  return self:_group_lrs(1 / self.factor)
end

function ConstantLR:_closed_form_lr()
  return self:_base_lrs(self.factor + (self.last_epoch >= self.total_iters and 1 or 0) * (1 - self.factor))
end

torch.doc(ConstantLR, "optim.lr_scheduler.ConstantLR(optimizer, {factor=1/3, total_iters=5, last_epoch=-1, "
  .. "verbose=false})", "The learning rates times factor until epoch total_iters, then unchanged.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.ConstantLR(opt, {factor = 0.5, total_iters = 2})
local lrs = {}
for epoch = 1, 4 do lrs[epoch] = string.format("%g", sched:get_last_lr()[1]); opt:step(); sched:step() end
print(table.concat(lrs, " "))]])
return ConstantLR
