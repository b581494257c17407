-- ModuleDict.lua — nn.ModuleDict({name = m, ...}): submodules by name.
-- A Lua table has no order, so the constructor registers its entries in
-- sorted key order; later assignments (dict.name = m) append.
local torch = require "torch"
local nn = require "nn"

local ModuleDict = nn.Module:extend("ModuleDict")

function ModuleDict:init(modules)
  if modules ~= nil and (type(modules) ~= "table" or nn.Module.is_module(modules)) then
    error("ModuleDict: expected a table of name = module", 3)
  end
  local names = {}
  for k in pairs(modules or {}) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(names) do self:add_module(k, modules[k]) end
end

--- The names, in registration order.
function ModuleDict:keys()
  local out = {}
  for name in self:named_children() do out[#out + 1] = name end
  return out
end
torch.doc(ModuleDict.keys, "dict:keys()", "The names, as a list in registration order.",
  [[
local heads = nn.ModuleDict({b = nn.ReLU(), a = nn.Tanh()})
print(table.concat(heads:keys(), ", "))]])

--- Iterator over (name, module): for name, m in dict:items() do ... end.
function ModuleDict:items() return self:named_children() end
torch.doc(ModuleDict.items, "dict:items()", "Iterator over (name, module) in registration order.",
  [[
local heads = nn.ModuleDict({classify = nn.Linear(4, 3), regress = nn.Linear(4, 1)})
for name, m in heads:items() do print(name, m) end]])

function ModuleDict:values() return self:children() end
torch.doc(ModuleDict.values, "dict:values()", "The modules, as a list in registration order.",
  [[
local heads = nn.ModuleDict({classify = nn.Linear(4, 3), regress = nn.Linear(4, 1)})
for _, m in ipairs(heads:values()) do print(m.out_features) end]])

function ModuleDict.__len(self) return #self:keys() end

torch.doc(ModuleDict, "nn.ModuleDict({name = m, ...})",
  "Holds submodules by name (constructor entries in sorted order): dict.name, keys(), items(), values().",
  [[
local heads = nn.ModuleDict({classify = nn.Linear(4, 3), regress = nn.Linear(4, 1)})
print(heads)
print(#heads, heads.regress)]])
return ModuleDict
