-- class.lua — the class helper of the data library, shaped like nn.Module's:
-- Base:extend(name) makes a subclass, calling a class makes an instance and
-- runs its init(...).  A class is the metatable of its instances; Lua reads
-- metamethods raw from the metatable, so each class copies its parent's
-- (datasets have __len and __add, transforms __call, samplers __len).
local class = {}

local METAMETHODS = {"__call", "__tostring", "__len", "__add"}

local function construct(cls, ...)
  local self = setmetatable({}, cls)
  self:init(...)
  return self
end

-- Cls:extend(name), a subclass: one function shared by every class, so its
-- help text (given with Dataset's) is everyone's.
local function extend(base, subname)
  if type(subname) ~= "string" then error(base.__name .. ":extend: the class needs a name (a string)", 2) end
  return class.new(subname, base)
end

--- A new class named `name`, a subclass of `parent` when given.
function class.new(name, parent)
  local cls = {__name = name}
  cls.__index = cls
  if parent then
    for _, mm in ipairs(METAMETHODS) do cls[mm] = parent[mm] end
  end
  cls.__tostring = cls.__tostring or function(self) return self:_repr() end
  cls.extend = extend
  return setmetatable(cls, {__index = parent, __call = construct,
    __tostring = function() return "class " .. name end})
end

--- The class name of an instance ("TensorDataset").
function class.name(obj)
  local mt = getmetatable(obj)
  return type(mt) == "table" and rawget(mt, "__name") or type(obj)
end

--- Checks an options table against the names `allowed` (a set); returns it
--- (or {} for nil).  Errors name `fn` and the bad option.
function class.options(opts, fn, allowed, level)
  if opts == nil then return {} end
  if type(opts) ~= "table" or getmetatable(opts) ~= nil then
    error(string.format("%s: options must be a table, got %s", fn, type(opts)), (level or 2) + 1)
  end
  for k in pairs(opts) do
    if not allowed[k] then
      error(string.format("%s: unknown option '%s'", fn, tostring(k)), (level or 2) + 1)
    end
  end
  return opts
end

--- v as an integer when it is a number with an integral value, else nil.
function class.integer(v)
  return type(v) == "number" and math.tointeger(v) or nil
end

--- A positive integer argument or a Lua error naming fn and what.
function class.positive_integer(v, fn, what, level)
  local k = class.integer(v)
  if not k or k < 1 then
    error(string.format("%s: %s must be a positive integer, got %s", fn, what, tostring(v)), (level or 2) + 1)
  end
  return k
end

return class
