-- ReduceLROnPlateau.lua — optim.lr_scheduler.ReduceLROnPlateau(optimizer,
-- {mode = "min", factor = 0.1, patience = 10, ...}): step(metric) watches a
-- quantity (a validation loss, say) and multiplies the learning rates by
-- factor once it has not improved for more than `patience` epochs, then
-- waits `cooldown` epochs before watching again.  An improvement beats the
-- best value by `threshold`, relative (rel) or absolute (abs).
local torch = require "torch"
local LRScheduler = require "optim.lr_scheduler.LRScheduler"

local ReduceLROnPlateau = LRScheduler:extend("ReduceLROnPlateau")

function ReduceLROnPlateau:init(optimizer, opts)
  local o = self:_options(opts, {mode = "min", factor = 0.1, patience = 10, threshold = 1e-4, threshold_mode = "rel",
    cooldown = 0, min_lr = 0, eps = 1e-8, verbose = false}, nil, {min_lr = true})
  if o.factor >= 1 then self:_fail("Factor should be < 1.0, got %s", o.factor) end
  self:_set_optimizer(optimizer)
  local n = #optimizer.param_groups
  if type(o.min_lr) == "table" then
    if #o.min_lr ~= n then self:_fail("expected %d min_lrs, got %d", n, #o.min_lr) end
    self.min_lrs = {table.unpack(o.min_lr)}
  else
    self.min_lrs = {}
    for i = 1, n do self.min_lrs[i] = o.min_lr end
  end
  if o.mode ~= "min" and o.mode ~= "max" then self:_fail("mode %s is unknown!", o.mode) end
  if o.threshold_mode ~= "rel" and o.threshold_mode ~= "abs" then
    self:_fail("threshold mode %s is unknown!", o.threshold_mode)
  end
  self.factor, self.patience, self.cooldown, self.verbose = o.factor, o.patience, o.cooldown, o.verbose
  self.mode, self.threshold, self.threshold_mode, self.eps = o.mode, o.threshold, o.threshold_mode, o.eps
  self.last_epoch = 0
  self.best = self.mode == "min" and math.huge or -math.huge
  self.cooldown_counter, self.num_bad_epochs = 0, 0
  self._last_lr = self:_group_lrs()
end

function ReduceLROnPlateau:is_better(a, best)
  if self.mode == "min" and self.threshold_mode == "rel" then return a < best * (1 - self.threshold) end
  if self.mode == "min" then return a < best - self.threshold end
  if self.threshold_mode == "rel" then return a > best * (self.threshold + 1) end
  return a > best + self.threshold
end
torch.doc(ReduceLROnPlateau.is_better, "sched:is_better(a, best)",
  "Whether the metric a improves on best by more than the threshold, in the schedule's mode.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.ReduceLROnPlateau(opt, {threshold = 0.1})
print(sched:is_better(0.95, 1.0), sched:is_better(0.85, 1.0))   -- needs 10% better]])

function ReduceLROnPlateau:_reduce_lr(epoch)
  for i, group in ipairs(self.optimizer.param_groups) do
    local old = group.lr
    local new = math.max(old * self.factor, self.min_lrs[i])
    if old - new > self.eps then
      group.lr = new
      if self.verbose then
        print(string.format("Epoch %s: reducing learning rate of group %d to %.4e.", epoch, i, new))
      end
    end
  end
end

--- Records `metrics` (a number or a one-element tensor) for this epoch and
-- lowers the learning rates when it has stopped improving.
function ReduceLROnPlateau:step(metrics, epoch)
  local current = torch.is_tensor(metrics) and metrics:item() or metrics
  if type(current) ~= "number" then self:_fail("step needs the metric (a number or a one-element tensor)") end
  epoch = epoch or self.last_epoch + 1
  self.last_epoch = epoch
  if self:is_better(current, self.best) then
    self.best = current
    self.num_bad_epochs = 0
  else
    self.num_bad_epochs = self.num_bad_epochs + 1
  end
  if self.cooldown_counter > 0 then
    self.cooldown_counter = self.cooldown_counter - 1
    self.num_bad_epochs = 0
  end
  if self.num_bad_epochs > self.patience then
    self:_reduce_lr(epoch)
    self.cooldown_counter = self.cooldown
    self.num_bad_epochs = 0
  end
  self._last_lr = self:_group_lrs()
end
torch.doc(ReduceLROnPlateau.step, "sched:step(metric)",
  "Records this epoch's metric (a number or a one-element tensor, e.g. the validation loss) and lowers "
    .. "the rates after patience epochs without improvement.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.ReduceLROnPlateau(opt, {patience = 0})
sched:step(torch.tensor(0.5))
sched:step(0.6)                        -- worse: the rate drops at once (patience 0)
print(sched:get_last_lr()[1])]])

torch.doc(ReduceLROnPlateau, "optim.lr_scheduler.ReduceLROnPlateau(optimizer, {mode='min', factor=0.1, patience=10, "
  .. "threshold=1e-4, threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8, verbose=false})",
  "Multiplies the learning rates by factor when step(metric) has seen no improvement for patience epochs.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.ReduceLROnPlateau(opt, {patience = 1, factor = 0.5})
for epoch, val_loss in ipairs({1.0, 0.8, 0.8, 0.8, 0.8, 0.8}) do
  sched:step(val_loss)
  print(epoch, val_loss, opt.param_groups[1].lr)
end]])
return ReduceLROnPlateau
