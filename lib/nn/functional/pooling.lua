-- nn.functional.pooling — filled in with its family.
local M = {}
return M
