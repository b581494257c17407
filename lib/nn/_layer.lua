-- _layer.lua — what the pooling and normalisation classes share: reading
-- constructor arguments the PyTorch way, writing repr text the way Python
-- prints values, and the affine parameters of the normalisations.
--
-- Arguments come in PyTorch's positional order, or by name in a trailing
-- options table, or both: nn.MaxPool2d(2, 2) == nn.MaxPool2d(2, {stride = 2}).
-- An unknown name is an error naming the layer.
local torch = require "torch"
local nn = require "nn"

local L = {}

--- A table name -> value for `spec`, a list of {name, default}; errors point
-- at the caller of the layer's constructor (init runs 3 levels below it).
function L.args(layer, spec, ...)
  local given = table.pack(...)
  local n, opts = given.n, nil
  while n > 0 and given[n] == nil do n = n - 1 end
  -- A trailing table without a [1] is the options; {2, 2} is a size.
  if n > 0 and type(given[n]) == "table" and not torch.is_tensor(given[n]) and given[n][1] == nil then
    opts, n = given[n], n - 1
  end
  if n > #spec then
    error(string.format("%s: expected at most %d positional arguments, got %d", layer, #spec, n), 4)
  end
  local out, known = {}, {}
  for i, s in ipairs(spec) do
    known[s[1]] = true
    local v = given[i]
    if i > n or v == nil then v = s[2] end
    out[s[1]] = v
  end
  for k, v in pairs(opts or {}) do
    if not known[k] then error(string.format("%s: unknown option '%s'", layer, tostring(k)), 4) end
    out[k] = v
  end
  return out
end

--- Python's repr of a float: the shortest text that reads back the same,
-- "1e-05", "0.1", "1.0".
function L.float(v)
  if v ~= v then return "nan" end
  if v == math.huge or v == -math.huge then return v > 0 and "inf" or "-inf" end
  local s
  for p = 1, 17 do
    s = string.format("%." .. p .. "g", v)
    if tonumber(s) == v then break end
  end
  local e = tonumber(s:match "e([-+]%d+)$")
  if e and e >= -4 and e < 16 then s = string.format("%.0f", v) end
  if not s:find "[.eni]" then s = s .. ".0" end
  return s
end

--- A value as Python prints it: booleans True/False, nil None, a size
-- given as a table a tuple ("(2, 2)", "(10,)"), numbers as given.
function L.repr(v)
  if v == nil then return "None" end
  if type(v) == "boolean" then return v and "True" or "False" end
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = L.repr(x) end
    return "(" .. table.concat(parts, ", ") .. (#parts == 1 and ",)" or ")")
  end
  if math.type(v) == "float" then return L.float(v) end
  return tostring(v)
end

--- Registers the affine parameters of a normalisation: weight (ones) and
-- bias (zeros) of `shape` when enabled, else both as nil (PyTorch's None).
function L.affine(self, enabled, shape, dtype)
  if enabled then
    self.weight = nn.Parameter(torch.ones(shape, {dtype = dtype}))
    self.bias = nn.Parameter(torch.zeros(shape, {dtype = dtype}))
  else
    self:register_parameter("weight", nil)
    self:register_parameter("bias", nil)
  end
end

--- Puts them back to ones and zeros (a normalisation's reset_parameters).
function L.reset_affine(self)
  if self.weight then nn.init.ones_(self.weight) end
  if self.bias then nn.init.zeros_(self.bias) end
end

return L
