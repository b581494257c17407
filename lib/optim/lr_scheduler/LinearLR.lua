-- LinearLR.lua — optim.lr_scheduler.LinearLR(optimizer, {start_factor = 1/3,
-- end_factor = 1, total_iters = 5}): the factor applied to the learning
-- rates moves linearly from start_factor to end_factor over total_iters
-- epochs (a warm-up when it rises).
local torch = require "torch"
local LRScheduler = require "optim.lr_scheduler.LRScheduler"

local LinearLR = LRScheduler:extend("LinearLR")

function LinearLR:init(optimizer, opts)
  local o = self:_options(opts, {start_factor = 1 / 3, end_factor = 1, total_iters = 5, last_epoch = -1,
    verbose = false})
  if o.start_factor > 1 or o.start_factor <= 0 then
    self:_fail("Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got %s",
      o.start_factor)
  end
  if o.end_factor > 1 or o.end_factor < 0 then
    self:_fail("Ending multiplicative factor expected to be between 0 and 1, got %s", o.end_factor)
  end
  self.start_factor, self.end_factor, self.total_iters = o.start_factor, o.end_factor, o.total_iters
  self:_start(optimizer, o.last_epoch, o.verbose)
end

function LinearLR:get_lr()
  if self.last_epoch == 0 then return self:_group_lrs(self.start_factor) end
  if self.last_epoch > self.total_iters then return self:_group_lrs() end
  local span = self.end_factor - self.start_factor
  return self:_group_lrs(1 + span / (self.total_iters * self.start_factor + (self.last_epoch - 1) * span))
end

function LinearLR:_closed_form_lr()
  return self:_base_lrs(self.start_factor + (self.end_factor - self.start_factor)
    * math.min(self.total_iters, self.last_epoch) / self.total_iters)
end

torch.doc(LinearLR, "optim.lr_scheduler.LinearLR(optimizer, {start_factor=1/3, end_factor=1, total_iters=5, "
  .. "last_epoch=-1, verbose=false})", "Scales the learning rates by a factor moving linearly over total_iters epochs.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.LinearLR(opt, {start_factor = 0.25, total_iters = 3})
local lrs = {}
for epoch = 1, 5 do lrs[epoch] = string.format("%.3f", sched:get_last_lr()[1]); opt:step(); sched:step() end
print(table.concat(lrs, " "))          -- a warm-up]])
return LinearLR
