-- Compose.lua — several transforms in a row.
local torch = require "torch"
local class = require "data.class"
local Transform = require "data.transforms.Transform"

local Compose = Transform:extend("Compose")

local function callable(f)
  local mt = getmetatable(f)
  return type(f) == "function" or (type(mt) == "table" and mt.__call ~= nil)
end

function Compose:init(transforms)
  if type(transforms) ~= "table" or getmetatable(transforms) ~= nil then
    error("Compose: expected a list of transforms, got " .. type(transforms), 3)
  end
  self.transforms = {}
  local batchable = true
  for k, t in ipairs(transforms) do
    if not callable(t) then error(string.format("Compose: item %d is a %s, not a transform", k, type(t)), 3) end
    self.transforms[k] = t
    if type(t) ~= "table" or not t.batch then batchable = false end
  end
  -- The batched form exists only when every step has one.
  if batchable then self.batch = Compose._batch_all end
end

function Compose:forward(x)
  for _, t in ipairs(self.transforms) do x = t(x) end
  return x
end

function Compose:_batch_all(x)
  for _, t in ipairs(self.transforms) do x = t:batch(x) end
  return x
end

function Compose:_repr()
  local lines = {"Compose("}
  for _, t in ipairs(self.transforms) do
    lines[#lines + 1] = "    " .. (type(t) == "function" and "<function>" or tostring(t))
  end
  lines[#lines + 1] = ")"
  return table.concat(lines, "\n")
end

torch.doc(Compose, "data.transforms.Compose({t1, t2, ...})", "Applies the transforms one after the other.",
  [[
local t = data.transforms.Compose{data.transforms.ToTensor(), data.transforms.Normalize({0.5}, {0.5})}
print(t)
print(t(torch.tensor({{0, 255}}, {dtype = "uint8"})))   -- (1, 1, 2): -1 and 1]])
return Compose
