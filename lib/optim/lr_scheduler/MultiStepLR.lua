-- MultiStepLR.lua — optim.lr_scheduler.MultiStepLR(optimizer, milestones,
-- {gamma = 0.1}): multiplies the learning rates by gamma at each milestone
-- epoch (by gamma^k at an epoch listed k times).
local torch = require "torch"
local LRScheduler = require "optim.lr_scheduler.LRScheduler"

local MultiStepLR = LRScheduler:extend("MultiStepLR")

function MultiStepLR:init(optimizer, milestones, opts)
  local o = self:_options(opts, {gamma = 0.1, last_epoch = -1, verbose = false})
  if type(milestones) ~= "table" then self:_fail("milestones must be a list of epochs, got %s", type(milestones)) end
  self.milestones = {}
  for i, m in ipairs(milestones) do
    if math.type(m) ~= "integer" then self:_fail("milestone %d is %s, not an integer epoch", i, tostring(m)) end
    self.milestones[i] = m
  end
  table.sort(self.milestones)
  self.gamma = o.gamma
  self:_start(optimizer, o.last_epoch, o.verbose)
end

-- How many milestones are at or before `epoch` (or exactly at it).
local function count(milestones, epoch, exact)
  local n = 0
  for _, m in ipairs(milestones) do
    if m == epoch or (not exact and m < epoch) then n = n + 1 end
  end
  return n
end

function MultiStepLR:get_lr()
  local k = count(self.milestones, self.last_epoch, true)
  if k == 0 then return self:_group_lrs() end
  return self:_group_lrs(self.gamma ^ k)
end

function MultiStepLR:_closed_form_lr()
  return self:_base_lrs(self.gamma ^ count(self.milestones, self.last_epoch, false))
end

torch.doc(MultiStepLR, "optim.lr_scheduler.MultiStepLR(optimizer, milestones, {gamma=0.1, last_epoch=-1, "
  .. "verbose=false})", "Multiplies the learning rates by gamma at each milestone epoch.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.MultiStepLR(opt, {2, 5}, {gamma = 0.1})
local lrs = {}
for epoch = 1, 6 do lrs[epoch] = string.format("%g", sched:get_last_lr()[1]); opt:step(); sched:step() end
print(table.concat(lrs, " "))]])
return MultiStepLR
