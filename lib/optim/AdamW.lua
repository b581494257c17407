-- AdamW.lua — optim.AdamW, as torch.optim.AdamW: Adam with decoupled weight
-- decay, p = p * (1 - lr * weight_decay) before the Adam step, instead of an
-- L2 term in the gradient.  The update is Adam's (lib/optim/Adam.lua) with
-- its own fused kernel (torch._adamw_step); the options are Adam's, with
-- weight_decay 1e-2 by default.
local torch = require "torch"
local Adam = require "optim.Adam"

local spec = {}
for i, s in ipairs(Adam._spec) do spec[i] = s[1] == "weight_decay" and {"weight_decay", 1e-2, ">=0"} or s end

local AdamW = Adam:extend("AdamW", spec)
AdamW._kernel = torch._adamw_step

torch.doc(AdamW, "optim.AdamW(params, {lr=1e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=1e-2, "
  .. "amsgrad=false, maximize=false})", "Adam with decoupled weight decay (p shrinks by lr * weight_decay).",
  [[
local w = torch.ones(2, {requires_grad = true})
local opt = optim.AdamW({w}, {lr = 0.1, weight_decay = 0.5})
w.grad = torch.zeros(2)           -- no gradient: only the decoupled decay acts
opt:step()
print(w)                          -- w * (1 - lr * weight_decay)]])
return AdamW
