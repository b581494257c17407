-- nn.functional.activation — filled in with its family.
local M = {}
return M
