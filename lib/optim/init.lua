-- optim — optimizers and learning-rate schedules, with PyTorch's names,
-- defaults and update rules: one class per file (lib/optim/<Name>.lua) on
-- the base class optim.Optimizer, the schedules in optim.lr_scheduler.
--
--   local opt = optim.Adam(model:parameters(), {lr = 1e-3})
--   opt:zero_grad(); loss:backward(); opt:step()
--
-- The per-element arithmetic of each update runs in one fused C pass over
-- each parameter (torch._adam_step and friends, vm/bind_optim.c).
local torch = require "torch"

local optim = {}
package.loaded.optim = optim
torch.doc(optim, "optim", "Optimizers (SGD, Adam, ...) and learning-rate schedules (optim.lr_scheduler).")

optim.Optimizer = require "optim.Optimizer"
for _, name in ipairs {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "LBFGS"} do
  optim[name] = require("optim." .. name)
end
optim.lr_scheduler = require "optim.lr_scheduler"

return optim
