-- nn.functional.recurrent — filled in with its family.
local M = {}
return M
