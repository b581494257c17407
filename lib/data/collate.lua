-- collate.lua — data.default_collate: a list of samples into one batch, as
-- PyTorch's default_collate does.
--
-- Each sample is the packed list of what ds:get returned (table.pack), and
-- the batch has one value per position: tensors are stacked along a new
-- first dim; integers become an int64 tensor, other numbers float64, booleans
-- a bool tensor; tables are collated key by key (a list of {x=, y=} gives
-- {x = stacked, y = stacked}); strings and anything else stay a Lua list.
local torch = require "torch"

local collate = {}

local function shape_text(t)
  return #t.shape == 0 and "[]" or table.concat(t.shape, "x")
end

local function collate_values(values, where)
  local first = values[1]
  if torch.is_tensor(first) then
    for k, v in ipairs(values) do
      if not torch.is_tensor(v) or shape_text(v) ~= shape_text(first) or v.dtype ~= first.dtype then
        error(string.format("default_collate: samples 1 and %d differ at %s: %s %s and %s", k, where,
          first.dtype, shape_text(first), torch.is_tensor(v) and v.dtype .. " " .. shape_text(v) or "a " .. type(v)), 0)
      end
    end
    return torch.stack(values)
  elseif type(first) == "number" or type(first) == "boolean" then
    local integers = true
    for k, v in ipairs(values) do
      if type(v) ~= type(first) then
        error(string.format("default_collate: samples 1 and %d differ at %s: a %s and a %s", k, where, type(first),
          type(v)), 0)
      end
      if math.type(v) ~= "integer" then integers = false end
    end
    local dtype = type(first) == "boolean" and "bool" or integers and "int64" or "float64"
    return torch.tensor(values, {dtype = dtype})
  elseif type(first) == "table" and getmetatable(first) == nil then
    local out = {}
    for key in pairs(first) do
      local column = {}
      for k, v in ipairs(values) do
        if type(v) ~= "table" then
          error(string.format("default_collate: samples 1 and %d differ at %s: a table and a %s", k, where, type(v)), 0)
        end
        column[k] = v[key]
      end
      out[key] = collate_values(column, where .. "." .. tostring(key))
    end
    return out
  end
  return values
end

--- The batch of a list of samples (each a table.pack of ds:get's results):
--- one collated value per position, as multiple results.
function collate.default_collate(samples)
  if type(samples) ~= "table" or #samples == 0 then
    error("default_collate: expected a non-empty list of samples", 2)
  end
  local n = samples[1].n or #samples[1]
  local out = {}
  for pos = 1, n do
    local column = {}
    for k, s in ipairs(samples) do column[k] = s[pos] end
    out[pos] = collate_values(column, "value " .. pos)
  end
  return table.unpack(out, 1, n)
end

torch.doc(collate.default_collate, "data.default_collate(samples)",
  "Makes a batch of a list of samples (each a table.pack of what ds:get returned): tensors stacked, "
  .. "numbers and booleans as tensors, tables key by key; one result per value of a sample.",
  [[
local x, y = data.default_collate({table.pack(torch.zeros(2), 1), table.pack(torch.ones(2), 2)})
print(x, y)]])
return collate
