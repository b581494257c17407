-- nn.functional.sparse — filled in with its family.
local M = {}
return M
