-- CosineAnnealingWarmRestarts.lua — optim.lr_scheduler.CosineAnnealingWarmRestarts(
-- optimizer, T_0, {T_mult = 1, eta_min = 0}): cosine annealing from the
-- initial rates to eta_min, restarted every T_i epochs, where T_i starts at
-- T_0 and is multiplied by T_mult at each restart (SGDR).  step(epoch)
-- accepts fractional epochs, e.g. epoch + batch / batches.
local torch = require "torch"
local LRScheduler = require "optim.lr_scheduler.LRScheduler"

local CosineAnnealingWarmRestarts = LRScheduler:extend("CosineAnnealingWarmRestarts")

function CosineAnnealingWarmRestarts:init(optimizer, T_0, opts)
  local o = self:_options(opts, {T_mult = 1, eta_min = 0, last_epoch = -1, verbose = false})
  if math.type(T_0) ~= "integer" or T_0 <= 0 then
    self:_fail("Expected positive integer T_0, but got %s", tostring(T_0))
  end
  if math.type(o.T_mult) ~= "integer" or o.T_mult < 1 then
    self:_fail("Expected integer T_mult >= 1, but got %s", tostring(o.T_mult))
  end
  self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, o.T_mult, o.eta_min
  self.T_cur = o.last_epoch
  self:_start(optimizer, o.last_epoch, o.verbose)
end

function CosineAnnealingWarmRestarts:get_lr() return self:_cosine_lrs(self.T_cur, self.T_i) end

function CosineAnnealingWarmRestarts:step(epoch)
  if epoch == nil and self.last_epoch < 0 then epoch = 0 end
  if epoch == nil then
    epoch = self.last_epoch + 1
    self.T_cur = self.T_cur + 1
    if self.T_cur >= self.T_i then
      self.T_cur = self.T_cur - self.T_i
      self.T_i = self.T_i * self.T_mult
    end
  elseif epoch < 0 then
    self:_fail("Expected non-negative epoch, but got %s", tostring(epoch))
  elseif epoch >= self.T_0 then
    if self.T_mult == 1 then
      self.T_cur = epoch % self.T_0
    else
      -- log(x) / log(T_mult) as Python's math.log(x, base) computes it (Lua's
      -- log2 for base 2 rounds differently).
      local n = math.floor(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1) / math.log(self.T_mult))
      self.T_cur = epoch - self.T_0 * (self.T_mult ^ n - 1) / (self.T_mult - 1)
      self.T_i = self.T_0 * self.T_mult ^ n
    end
  else
    self.T_i = self.T_0
    self.T_cur = epoch
  end
  self.last_epoch = math.floor(epoch)
  self._step_count = self._step_count + 1
  self:_set_lrs(self:get_lr())
end

torch.doc(CosineAnnealingWarmRestarts, "optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0, {T_mult=1, "
  .. "eta_min=0, last_epoch=-1, verbose=false})",
  "Cosine annealing restarted every T_i epochs (T_0, then times T_mult); step(epoch) takes fractional epochs.",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 3)
local lrs = {}
for epoch = 1, 7 do lrs[epoch] = string.format("%.3f", sched:get_last_lr()[1]); opt:step(); sched:step() end
print(table.concat(lrs, " "))          -- restarts every 3 epochs]])
return CosineAnnealingWarmRestarts
