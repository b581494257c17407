-- RandomCrop.lua — a random (h, w) window of an image, optionally padded first
-- (torchvision's RandomCrop: padding by `fill`, the same size all around,
-- {left/right, top/bottom} or {left, top, right, bottom}).
local torch = require "torch"
local class = require "data.class"
local Transform = require "data.transforms.Transform"

local RandomCrop = Transform:extend("RandomCrop")
local OPTIONS = {padding = true, fill = true, pad_if_needed = true}

local function pair(v, what)
  if class.integer(v) then return {class.integer(v), class.integer(v)} end
  if type(v) == "table" and #v == 2 and class.integer(v[1]) and class.integer(v[2]) then
    return {class.integer(v[1]), class.integer(v[2])}
  end
  error("RandomCrop: " .. what .. " must be an integer or a pair of them", 4)
end

function RandomCrop:init(size, opts)
  opts = class.options(opts, "RandomCrop", OPTIONS, 3)
  self.size = pair(size, "size")
  if self.size[1] < 1 or self.size[2] < 1 then error("RandomCrop: size must be positive", 3) end
  local p = opts.padding or 0
  if class.integer(p) then p = {p, p, p, p}
  elseif type(p) == "table" and #p == 2 then p = {p[1], p[2], p[1], p[2]} end
  if type(p) ~= "table" or #p ~= 4 then error("RandomCrop: padding must be a number, a pair or 4 numbers", 3) end
  for k = 1, 4 do
    if not class.integer(p[k]) or p[k] < 0 then error("RandomCrop: padding must be integers >= 0", 3) end
  end
  self.padding = p                      -- left, top, right, bottom
  self.fill = opts.fill or 0
  if type(self.fill) ~= "number" then error("RandomCrop: fill must be a number", 3) end
  self.pad_if_needed = opts.pad_if_needed == true
end

-- x (..., H, W) with `p` = {left, top, right, bottom} of fill around it.
local function pad(x, p, fill)
  if p[1] == 0 and p[2] == 0 and p[3] == 0 and p[4] == 0 then return x end
  local shape = x.shape
  local h, w = shape[#shape - 1], shape[#shape]
  shape[#shape - 1], shape[#shape] = h + p[2] + p[4], w + p[1] + p[3]
  local out = torch.full(shape, fill, {dtype = x.dtype})
  out:narrow(-2, p[2] + 1, h):narrow(-1, p[1] + 1, w):copy_(x)
  return out
end

-- The padding, grown on the right and bottom when pad_if_needed and x is too small.
function RandomCrop:_padding_for(x)
  local p = {table.unpack(self.padding)}
  local h, w = x:size(-2) + p[2] + p[4], x:size(-1) + p[1] + p[3]
  if self.pad_if_needed then
    if h < self.size[1] then p[2], p[4] = p[2] + self.size[1] - h, p[4] + self.size[1] - h end
    if w < self.size[2] then p[1], p[3] = p[1] + self.size[2] - w, p[3] + self.size[2] - w end
  end
  return p
end

function RandomCrop:_crop(x)
  x = pad(x, self:_padding_for(x), self.fill)
  local h, w = x:size(-2), x:size(-1)
  local th, tw = self.size[1], self.size[2]
  if h < th or w < tw then
    error(string.format("RandomCrop: the crop %dx%d is larger than the (padded) image %dx%d", th, tw, h, w), 3)
  end
  local i = torch.randint(0, h - th + 1, {1}):item()
  local j = torch.randint(0, w - tw + 1, {1}):item()
  return x:narrow(-2, i + 1, th):narrow(-1, j + 1, tw):contiguous()
end

function RandomCrop:forward(x)
  self:check_image(x, 2, "an image of at least 2 dims")
  return self:_crop(x)
end

--- Each image of the batch cropped at its own place.
function RandomCrop:batch(x)
  self:check_image(x, 3, "a batch of images")
  local crops = {}
  for k = 1, x:size(1) do crops[k] = self:_crop(x[k]) end
  return torch.stack(crops)
end
torch.doc(RandomCrop.batch, "t:batch(x)",
  "The batched form: each image of the batch cropped at a place of its own.",
  [[
torch.manual_seed(0)
local x = torch.arange(32):view(2, 4, 4)
print(data.transforms.RandomCrop(2):batch(x))]])

function RandomCrop:extra_repr()
  local p = self.padding
  return string.format("size=(%d, %d), padding=(%d, %d, %d, %d)", self.size[1], self.size[2], p[1], p[2], p[3], p[4])
end

torch.doc(RandomCrop, "data.transforms.RandomCrop(size, {padding=0, fill=0, pad_if_needed=false})",
  "A random size (h, w or one number) window of the image, after padding it with fill.",
  [[
torch.manual_seed(0)
local crop = data.transforms.RandomCrop(28, {padding = 4})
print(crop, table.concat(crop(torch.zeros(1, 28, 28)).shape, "x"))]])
return RandomCrop
