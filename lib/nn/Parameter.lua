-- Parameter.lua — nn.Parameter(t): a tensor a module trains.
--
-- A parameter is an ordinary tensor (a leaf with requires_grad) remembered in
-- a weak set, so modules can tell it from a plain tensor field: assigning
-- self.w = nn.Parameter(t) registers w, assigning self.w = t does not.
-- Like PyTorch's, it shares storage with t and is detached from t's history.
local torch = require "torch"

local Parameter = {}
local marked = setmetatable({}, {__mode = "k"})

--- True when t was made by nn.Parameter.
function Parameter.is_parameter(t) return torch.is_tensor(t) and marked[t] == true end

local function new(_, t, requires_grad)
  if not torch.is_tensor(t) then error("nn.Parameter: expected a tensor, got " .. type(t), 2) end
  local p = t:detach()
  if requires_grad ~= false then
    if not (p.dtype == "float32" or p.dtype == "float64") then
      error("nn.Parameter: only floating tensors can require gradients, got " .. p.dtype
        .. " (pass false as the second argument)", 2)
    end
    p.requires_grad = true
  end
  marked[p] = true
  return p
end

setmetatable(Parameter, {__call = new})
torch.doc(Parameter, "nn.Parameter(t, requires_grad=true)",
  "A tensor that modules register as a parameter when assigned as a field: a leaf sharing t's storage.",
  [[
local Scale = nn.Module:extend("Scale")
function Scale:init() self.s = nn.Parameter(torch.ones(1)) end
function Scale:forward(x) return x * self.s end
local m = Scale()
for name, p in m:named_parameters() do print(name, p) end]])
torch.doc(Parameter.is_parameter, "nn.Parameter.is_parameter(t)", "True when t was made by nn.Parameter.",
  [[
local fc = nn.Linear(2, 1)
print(nn.Parameter.is_parameter(fc.weight), nn.Parameter.is_parameter(torch.ones(1)))]])

return Parameter
