-- CosineAnnealingLR.lua — optim.lr_scheduler.CosineAnnealingLR(optimizer,
-- T_max, {eta_min = 0}): the learning rates follow half a cosine from their
-- initial value down to eta_min over T_max epochs (and back up after, as in
-- PyTorch), eta_min + (base - eta_min) (1 + cos(pi t / T_max)) / 2, computed
-- in PyTorch's recursive form.
local torch = require "torch"
local LRScheduler = require "optim.lr_scheduler.LRScheduler"

local CosineAnnealingLR = LRScheduler:extend("CosineAnnealingLR")

function CosineAnnealingLR:init(optimizer, T_max, opts)
  local o = self:_options(opts, {eta_min = 0, last_epoch = -1, verbose = false})
  if type(T_max) ~= "number" or T_max <= 0 then
    self:_fail("T_max must be a positive number, got %s", tostring(T_max))
  end
  self.T_max, self.eta_min = T_max, o.eta_min
  self:_start(optimizer, o.last_epoch, o.verbose)
end

function CosineAnnealingLR:get_lr()
  local t, T, eta_min, pi = self.last_epoch, self.T_max, self.eta_min, math.pi
  local out = {}
  for i, group in ipairs(self.optimizer.param_groups) do
    local base = self.base_lrs[i]
    if t == 0 then
      out[i] = group.lr
    elseif self._step_count == 1 and t > 0 then
      out[i] = eta_min + (base - eta_min) * (1 + math.cos(t * pi / T)) / 2
    elseif (t - 1 - T) % (2 * T) == 0 then
      out[i] = group.lr + (base - eta_min) * (1 - math.cos(pi / T)) / 2
    else
      out[i] = (1 + math.cos(pi * t / T)) / (1 + math.cos(pi * (t - 1) / T)) * (group.lr - eta_min) + eta_min
    end
  end
  return out
end

function CosineAnnealingLR:_closed_form_lr() return self:_cosine_lrs(self.last_epoch, self.T_max) end

torch.doc(CosineAnnealingLR, "optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max, {eta_min=0, last_epoch=-1, "
  .. "verbose=false})",
  "Anneals the learning rates along a cosine from their initial value to eta_min in T_max epochs.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.CosineAnnealingLR(opt, 4, {eta_min = 0.1})
local lrs = {}
for epoch = 1, 6 do lrs[epoch] = string.format("%.3f", sched:get_last_lr()[1]); opt:step(); sched:step() end
print(table.concat(lrs, " "))          -- down to eta_min at T_max, then back up]])
return CosineAnnealingLR
