-- ModuleList.lua — nn.ModuleList({m1, m2, ...}): submodules held by position.
--
-- Children are registered under the names "1", "2", ... and read with Lua
-- indices: list[1], list[-1] (the last), #list, ipairs(list).  State_dict
-- names use the same numbers ("1.weight"); PyTorch's files count from 0
-- ("0.weight"), which state_dict/load_state_dict read and write with
-- {zero_based = true}.  Sequential extends this class.
local torch = require "torch"
local nn = require "nn"

local ModuleList = nn.Module:extend("ModuleList")

local base_index, base_newindex = nn.Module.__index, nn.Module.__newindex

local function position(self, i, allow_end)
  local n = #rawget(self, "_names")
  if math.type(i) ~= "integer" then return nil end
  if i < 0 then i = n + i + 1 end
  if i < 1 or i > n + (allow_end and 1 or 0) then return nil end
  return i
end

function ModuleList.__index(self, k)
  if type(k) == "number" then
    local i = position(self, k)
    return i and rawget(self, "_values")[tostring(i)]
  end
  return base_index(self, k)
end

function ModuleList.__newindex(self, k, v)
  if type(k) ~= "number" then return base_newindex(self, k, v) end
  local i = position(self, k, true)
  if not i then
    error(string.format("%s: index %s out of range (%d modules)", self:_type(), tostring(k), #self), 2)
  end
  if not nn.Module.is_module(v) then
    error(string.format("%s: element %d must be a Module, got %s", self:_type(), i, type(v)), 2)
  end
  self:add_module(tostring(i), v)
end

function ModuleList.__len(self) return #rawget(self, "_names") end

function ModuleList:_child_key_zero_based(name) return tostring(tonumber(name) - 1) end

function ModuleList:init(modules)
  if modules ~= nil and (type(modules) ~= "table" or nn.Module.is_module(modules)) then
    error(self:_type() .. ": expected a list of modules", 3)
  end
  self:extend(modules or {})
end

--- Adds m at the end; returns self.
function ModuleList:append(m)
  self[#self + 1] = m
  return self
end

--- Appends every module of a list; returns self.  Called on the class with
-- a name, it is Module:extend, making a subclass (Sequential is one).
function ModuleList:extend(modules)
  if not nn.Module.is_module(self) then return nn.Module.extend(self, modules) end
  for _, m in ipairs(modules) do self:append(m) end
  return self
end

--- Inserts m before position i (1-based), shifting the later ones.
function ModuleList:insert(i, m)
  local n = #self
  local at = position(self, i, true)
  if not at then error(string.format("%s.insert: index %s out of range (%d modules)", self:_type(), tostring(i), n), 2) end
  if not nn.Module.is_module(m) then error(self:_type() .. ".insert: expected a Module, got " .. type(m), 2) end
  local values = rawget(self, "_values")
  if at <= n then self:append(values[tostring(n)]) end
  for j = n, at + 1, -1 do values[tostring(j)] = values[tostring(j - 1)] end
  self[at] = m
  return self
end

torch.doc(ModuleList, "nn.ModuleList({m1, m2, ...})",
  "Holds submodules by position: list[i] (1-based, negative from the end), #list, ipairs, append, extend, insert.",
  [[
local layers = nn.ModuleList({nn.Linear(2, 4), nn.Linear(4, 4)})
layers:append(nn.Linear(4, 1))
print(#layers, layers[-1])
for i, layer in ipairs(layers) do print(i, layer.out_features) end]])
torch.doc(ModuleList.append, "list:append(m)", "Adds a module at the end; returns the list.",
  [[
local layers = nn.ModuleList()
layers:append(nn.ReLU()):append(nn.Tanh())
print(layers)]])
torch.doc(ModuleList.extend, "list:extend({m1, ...})", "Appends every module of a Lua list; returns the list.",
  [[
local layers = nn.ModuleList({nn.ReLU()})
layers:extend({nn.Linear(2, 2), nn.Tanh()})
print(#layers, layers[2])]])
torch.doc(ModuleList.insert, "list:insert(i, m)", "Inserts m at position i, shifting the later modules.",
  [[
local layers = nn.ModuleList({nn.Linear(2, 2), nn.Tanh()})
layers:insert(2, nn.ReLU())
print(layers)]])
return ModuleList
