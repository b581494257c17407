-- globals.lua — the names every luagrad script and REPL session starts with:
-- torch, nn, optim, data, F (= nn.functional), dist (= torch.distributed)
-- and help.  `require "torch"` and friends return the same tables, so
-- scripts may use either style.
torch = require "torch"
nn = require "nn"
optim = require "optim"
data = require "data"
F = nn.functional
dist = require "dist"
help = torch.help
