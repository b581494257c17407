-- nn.functional.dropout — filled in with its family.
local M = {}
return M
