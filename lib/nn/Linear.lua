-- Linear.lua — nn.Linear(in, out, {bias=true}): y = x W^T + b.
local torch = require "torch"
local nn = require "nn"

local Linear = nn.Module:extend("Linear")

function Linear:init(in_features, out_features, opts)
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "bias" and k ~= "dtype" then error("Linear: unknown option '" .. tostring(k) .. "'", 3) end
  end
  if math.type(in_features) ~= "integer" or math.type(out_features) ~= "integer"
    or in_features < 0 or out_features < 0 then
    error("Linear: in_features and out_features must be non-negative integers", 3)
  end
  self.in_features, self.out_features = in_features, out_features
  self.weight = nn.Parameter(torch.empty(out_features, in_features, {dtype = opts.dtype}))
  if opts.bias == false then
    self:register_parameter("bias", nil)
  else
    self.bias = nn.Parameter(torch.empty(out_features, {dtype = opts.dtype}))
  end
  self:reset_parameters()
end

--- PyTorch's default: W ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform_ with a = sqrt(5)), b the same.
function Linear:reset_parameters()
  nn.init.kaiming_uniform_(self.weight, {a = math.sqrt(5)})
  if self.bias and self.in_features > 0 then
    local bound = 1 / math.sqrt(self.in_features)
    nn.init.uniform_(self.bias, -bound, bound)
  end
end
torch.doc(Linear.reset_parameters, "linear:reset_parameters()",
  "Draws weight and bias again as the constructor does (PyTorch's default initialisation).",
  [[
torch.manual_seed(0)
local fc = nn.Linear(2, 1)
nn.init.zeros_(fc.weight)
fc:reset_parameters()
print(fc.weight)]])

function Linear:forward(x) return nn.functional.linear(x, self.weight, self.bias) end

function Linear:extra_repr()
  return string.format("in_features=%d, out_features=%d, bias=%s", self.in_features, self.out_features,
    self.bias and "True" or "False")
end

torch.doc(Linear, "nn.Linear(in_features, out_features, {bias=true, dtype=})",
  "Applies y = x W^T + b; W is out x in as in PyTorch, initialised from U(-1/sqrt(in), 1/sqrt(in)).",
  [[
torch.manual_seed(0)
local fc = nn.Linear(3, 2)
print(fc)
print(fc(torch.ones(4, 3)))           -- (N 4, out 2)
print(table.concat(fc.weight.shape, "x"), table.concat(fc.bias.shape, "x"))]])
return Linear
