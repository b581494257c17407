-- LambdaLR.lua — optim.lr_scheduler.LambdaLR(optimizer, lr_lambda): each
-- group's learning rate is its initial rate times lr_lambda(epoch); lr_lambda
-- is a function, or a list of functions, one per parameter group.  The
-- functions are not part of state_dict (PyTorch saves only callable objects'
-- fields, which Lua functions do not have).
local torch = require "torch"
local LRScheduler = require "optim.lr_scheduler.LRScheduler"

local LambdaLR = LRScheduler:extend("LambdaLR")

function LambdaLR:init(optimizer, lr_lambda, opts)
  local o = self:_options(opts, {last_epoch = -1, verbose = false})
  self:_set_optimizer(optimizer)
  local n = #optimizer.param_groups
  if type(lr_lambda) == "function" then
    self.lr_lambdas = {}
    for i = 1, n do self.lr_lambdas[i] = lr_lambda end
  elseif type(lr_lambda) == "table" then
    if #lr_lambda ~= n then self:_fail("Expected %d lr_lambdas, but got %d", n, #lr_lambda) end
    for i, f in ipairs(lr_lambda) do
      if type(f) ~= "function" then self:_fail("lr_lambda %d is a %s, not a function", i, type(f)) end
    end
    self.lr_lambdas = {table.unpack(lr_lambda)}
  else
    self:_fail("lr_lambda must be a function or a list of functions, got %s", type(lr_lambda))
  end
  self:_start(optimizer, o.last_epoch, o.verbose)
end

function LambdaLR:get_lr()
  local out = {}
  for i, base in ipairs(self.base_lrs) do out[i] = base * self.lr_lambdas[i](self.last_epoch) end
  return out
end

torch.doc(LambdaLR, "optim.lr_scheduler.LambdaLR(optimizer, lr_lambda, {last_epoch=-1, verbose=false})",
  "Sets each learning rate to its initial value times lr_lambda(epoch) (one function, or one per group).",
  [[
local opt = optim.SGD({torch.zeros(1, {requires_grad = true})}, {lr = 1})
local sched = optim.lr_scheduler.LambdaLR(opt, function(epoch) return 1 / (epoch + 1) end)
local lrs = {}
for epoch = 1, 4 do lrs[epoch] = string.format("%.3f", sched:get_last_lr()[1]); opt:step(); sched:step() end
print(table.concat(lrs, " "))]])
return LambdaLR
