-- module_check.lua — torch.so works from a stock lua5.4: `require "torch"`
-- gives the same module luagrad preloads.  Run from the repository root:
-- lua5.4 tests/lua/module_check.lua
package.cpath = "./?.so;" .. package.cpath
package.path = "./lib/?.lua;./lib/?/init.lua;" .. package.path
local passed, failed = 0, 0
local function check(cond, what)
  if cond then passed = passed + 1 else failed = failed + 1; io.stderr:write("FAIL " .. what .. "\n") end
end

local ok, torch = pcall(require, "torch")
check(ok and type(torch) == "table", "require 'torch' from lua5.4: " .. tostring(torch))
if ok then
  check(type(torch.help) == "function", "the Lua parts of torch are loaded")
  check(torch.helptext(torch.get_num_threads):find("get_num_threads", 1, true), "help texts")
  local nn = require "nn"
  check(type(nn.functional) == "table", "require 'nn'")
end
print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0)
