-- Normalize.lua — (x - mean[c]) / std[c] for each channel c of a (C, H, W)
-- float image (torchvision's Normalize).
local torch = require "torch"
local Transform = require "data.transforms.Transform"

local Normalize = Transform:extend("Normalize")

local function numbers(v, what)
  local list = type(v) == "number" and {v} or v
  if type(list) ~= "table" or #list == 0 then
    error("Normalize: " .. what .. " must be a number or a list of numbers per channel", 4)
  end
  for _, x in ipairs(list) do
    if type(x) ~= "number" then error("Normalize: " .. what .. " must hold numbers", 4) end
  end
  return list
end

function Normalize:init(mean, std)
  self.mean, self.std = numbers(mean, "mean"), numbers(std, "std")
  if #self.mean ~= #self.std then
    error(string.format("Normalize: %d means but %d stds", #self.mean, #self.std), 3)
  end
  self.stats = {}   -- mean and std as (C, 1, 1) tensors, by dtype
  for _, s in ipairs(self.std) do
    if s == 0 then error("Normalize: std is zero, which would divide by zero", 3) end
  end
end

-- x normalised along its channel dim `cdim` (counted from the end: -3).
function Normalize:_apply(x, min_dims)
  self:check_image(x, min_dims, min_dims == 3 and "a CxHxW image" or "an NxCxHxW batch")
  if x.dtype ~= "float32" and x.dtype ~= "float64" then
    error(string.format("Normalize: expected a floating tensor (use ToTensor first), got %s %s", x.dtype,
      Transform._shape_text(x)), 3)
  end
  local c = x:size(-3)
  if #self.mean ~= 1 and #self.mean ~= c then
    error(string.format("Normalize: %d means and stds for an image of %d channels (%s)", #self.mean, c,
      Transform._shape_text(x)), 3)
  end
  local stats = self.stats[x.dtype]
  if not stats then
    local shape = {#self.mean, 1, 1}
    stats = {torch.tensor(self.mean, {dtype = x.dtype}):view(shape), torch.tensor(self.std, {dtype = x.dtype}):view(shape)}
    self.stats[x.dtype] = stats
  end
  return x:sub(stats[1]):div_(stats[2])   -- sub made a new tensor
end

function Normalize:forward(x) return self:_apply(x, 3) end
function Normalize:batch(x) return self:_apply(x, 4) end
torch.doc(Normalize.batch, "t:batch(x)",
  "The batched form: normalises each channel of an NxCxHxW batch.",
  [[
local x = torch.ones(2, 1, 2, 2)
print(data.transforms.Normalize({0.5}, {0.5}):batch(x):sum())]])

local function tuple(list)
  local parts = {}
  for i, v in ipairs(list) do parts[i] = tostring(v) end
  return "[" .. table.concat(parts, ", ") .. "]"
end

function Normalize:extra_repr()
  return "mean=" .. tuple(self.mean) .. ", std=" .. tuple(self.std)
end

torch.doc(Normalize, "data.transforms.Normalize(mean, std)",
  "(x - mean) / std per channel of a float CxHxW image; mean and std are numbers or lists per channel.",
  [[
local t = data.transforms.Normalize({0.5, 0.5}, {0.5, 0.25})
print(t, t(torch.ones(2, 1, 2)))]])
return Normalize
