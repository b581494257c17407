-- optim.lr_scheduler — learning-rate schedules with PyTorch's names and
-- rules, one class per file on the base class LRScheduler:
--
--   local sched = optim.lr_scheduler.StepLR(opt, 30, {gamma = 0.1})
--   for epoch = 1, 90 do train(); opt:step(); sched:step() end
--
-- Required arguments are positional, the others a trailing options table.
local torch = require "torch"

local lr_scheduler = {}
torch.doc(lr_scheduler, "optim.lr_scheduler", "Learning-rate schedules: StepLR, CosineAnnealingLR, OneCycleLR, ...")

for _, name in ipairs {"LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
  "CosineAnnealingWarmRestarts", "LinearLR", "ConstantLR", "LambdaLR", "OneCycleLR", "ReduceLROnPlateau",
  "SequentialLR"} do
  lr_scheduler[name] = require("optim.lr_scheduler." .. name)
end

return lr_scheduler
