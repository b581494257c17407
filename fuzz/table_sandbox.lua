-- table_sandbox.lua — how fuzz_table.c runs an input, shared with the
-- regression tests (tests/lua/test_fuzz.lua) so both see the same thing.
--
-- An input is Lua source placed as the arguments of a call, `T(<input>\n)`,
-- compiled in a fresh environment whose only names are T
-- (torch.tensor, which also prints the tensor and returns nothing, so the
-- sandbox never holds tensor methods), setmetatable, rawset and a few
-- numbers.  Returns a function of the source that gives true and the last
-- tensor made, or false and the error.
local torch = require "torch"

local made
local names = {
  T = function(...)
    made = torch.tensor(...)
    tostring(made)
  end,
  setmetatable = setmetatable, rawset = rawset,
  huge = math.huge, maxinteger = math.maxinteger, mininteger = math.mininteger,
}

return function(src)
  local env = {}
  for k, v in pairs(names) do env[k] = v end
  made = nil
  local f, err = load("T(" .. src .. "\n)", "=input", "t", env)
  if not f then return false, err end
  local ok, res = pcall(f)
  local t = made
  made = nil
  return ok, ok and t or res
end
