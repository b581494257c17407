-- optim — optimizers and learning-rate schedules.  Filled in by the optim issue.
local torch = require "torch"

local optim = {}
torch.doc(optim, "optim", "Optimizers (SGD, Adam, ...) and learning-rate schedules.")
return optim
