-- _declare.lua — the classes that only keep their constructor arguments and
-- call one function of nn.functional: the activations (nn.ReLU, nn.Softmax,
-- ...) and the losses (nn.MSELoss, nn.CrossEntropyLoss, ...).  Each class
-- file is one declaration:
--
--   return declare.activation("LeakyReLU", "leaky_relu",
--     {{"negative_slope", 0.01}, {"inplace", false}}, "doc", "example")
--
-- Arguments are read the PyTorch way by nn._layer.args, in PyTorch's
-- positional order or by name in a trailing options table (an unknown name
-- is an error naming the class):
-- nn.LeakyReLU(0.2, true) == nn.LeakyReLU({negative_slope = 0.2, inplace = true}).
local torch = require "torch"
local nn = require "nn"
local layer = require "nn._layer"

local declare = {}

-- A value as Python prints it in a repr: 'none', None, True, 1.0, 0.01.
local function python_text(v)
  if type(v) == "string" then return "'" .. v .. "'" end
  return layer.repr(v)
end

local function new_class(name, spec, tensors)
  local cls = nn.Module:extend(name)
  function cls:init(...)
    local values = layer.args(name, spec, ...)
    for _, s in ipairs(spec) do
      local v = values[s[1]]
      if tensors and tensors[s[1]] then
        if v ~= nil and not torch.is_tensor(v) then
          error(string.format("%s: %s must be a tensor, got %s", name, s[1], type(v)), 3)
        end
        self:register_buffer(s[1], v)
      else
        self[s[1]] = v
      end
    end
  end
  return cls
end

--- An activation: forward(x) calls F[fn](x, arg1, arg2, ...) in spec order;
-- its repr lists the arguments as PyTorch's does (inplace only when set).
function declare.activation(name, fn, spec, doc, example)
  local cls = new_class(name, spec)
  function cls:forward(x)
    local a = {}
    for i, s in ipairs(spec) do a[i] = self[s[1]] end
    return nn.functional[fn](x, table.unpack(a, 1, #spec))
  end
  function cls:extra_repr()
    local parts = {}
    for _, s in ipairs(spec) do
      local v = self[s[1]]
      if s[1] ~= "inplace" or v then parts[#parts + 1] = s[1] .. "=" .. python_text(v) end
    end
    return table.concat(parts, ", ")
  end
  local signature = {}
  for i, s in ipairs(spec) do signature[i] = s[1] .. "=" .. python_text(s[2]) end
  torch.doc(cls, string.format("nn.%s(%s)", name, table.concat(signature, ", ")), doc, example)
  return cls
end

--- A loss: forward(input, target) calls F[fn](input, target, {every argument});
-- the arguments named in `tensors` (weight, pos_weight) are buffers.
function declare.loss(name, fn, spec, doc, example, tensors)
  local cls = new_class(name, spec, tensors)
  function cls:forward(input, target)
    local opts = {}
    for _, s in ipairs(spec) do opts[s[1]] = self[s[1]] end
    return nn.functional[fn](input, target, opts)
  end
  local names = {}
  for i, s in ipairs(spec) do names[i] = s[1] .. "=" end
  torch.doc(cls, string.format("nn.%s({%s})", name, table.concat(names, ", ")), doc, example)
  return cls
end

return declare
