-- args.lua — the argument checks the Lua-written parts of torch share: an
-- options table with known names only, and a tensor's shape in messages.
local torch = require "torch"

local args = {}

--- opts (nil means {}) after checking it is a table of names in `allowed`;
--- errors name fn and point `level` frames up (default: fn's caller).
function args.options(fn, opts, allowed, level)
  level = (level or 2) + 1
  if opts == nil then return {} end
  if type(opts) ~= "table" or torch.is_tensor(opts) then
    error(string.format("%s: options must be a table, got %s", fn, torch.is_tensor(opts) and "a tensor" or type(opts)), level)
  end
  for k in pairs(opts) do
    if not allowed[k] then error(string.format("%s: unknown option '%s'", fn, tostring(k)), level) end
  end
  return opts
end

--- "2x3" for a tensor's shape ("a scalar" for 0 dimensions).
function args.shape(t)
  return t:dim() == 0 and "a scalar" or table.concat(t.shape, "x")
end

return args
