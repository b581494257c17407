-- Sequential.lua — nn.Sequential(m1, m2, ...): runs its modules in order,
-- each one's output the next one's input.  Positional like ModuleList.
local torch = require "torch"
local nn = require "nn"

local Sequential = nn.ModuleList:extend("Sequential")

function Sequential:init(...)
  local modules = table.pack(...)
  for i = 1, modules.n do
    if not nn.Module.is_module(modules[i]) then
      error(string.format("Sequential: argument %d must be a Module, got %s", i, type(modules[i])), 3)
    end
    self:append(modules[i])
  end
end

function Sequential:forward(x)
  for i = 1, #self do x = self[i](x) end
  return x
end

torch.doc(Sequential, "nn.Sequential(m1, m2, ...)",
  "Runs the modules in order; indexed from 1 like ModuleList (state_dict keys \"1.weight\", ...).",
  [[
torch.manual_seed(0)
local model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
print(model)
print(model(torch.randn(3, 4)))
local keys = {}
for name in pairs(model:state_dict()) do keys[#keys + 1] = name end
table.sort(keys)
print(table.concat(keys, " "))]])
return Sequential
