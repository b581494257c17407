-- nn.functional.conv — filled in with its family.
local M = {}
return M
