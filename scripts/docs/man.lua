local M = {}
function M.page() return "" end
return M
