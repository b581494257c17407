-- RandomHorizontalFlip.lua — mirrors an image left to right with probability p.
local torch = require "torch"
local Transform = require "data.transforms.Transform"

local RandomHorizontalFlip = Transform:extend("RandomHorizontalFlip")

function RandomHorizontalFlip:init(p)
  p = p == nil and 0.5 or p
  if type(p) ~= "number" or not (p >= 0 and p <= 1) then
    error("RandomHorizontalFlip: p must be a probability in [0, 1], got " .. tostring(p), 3)
  end
  self.p = p
end

function RandomHorizontalFlip:forward(x)
  self:check_image(x, 2, "an image of at least 2 dims")
  if torch.rand(1, {dtype = "float64"}):item() < self.p then return x:flip(-1) end
  return x
end

--- Each image of the batch flipped or not, independently.
function RandomHorizontalFlip:batch(x)
  self:check_image(x, 3, "a batch of images")
  local shape = {x:size(1)}
  for d = 2, x:dim() do shape[d] = 1 end
  local flip = torch.rand(x:size(1), {dtype = "float64"}):lt(self.p):view(shape)
  return torch.where(flip, x:flip(-1), x)
end
torch.doc(RandomHorizontalFlip.batch, "t:batch(x)",
  "The batched form: each image of the batch flipped or not on its own draw.",
  [[
torch.manual_seed(0)
local x = torch.tensor({{{1, 2}}, {{3, 4}}, {{5, 6}}})   -- three 1x2 images
print(data.transforms.RandomHorizontalFlip():batch(x))]])

function RandomHorizontalFlip:extra_repr() return "p=" .. tostring(self.p) end

torch.doc(RandomHorizontalFlip, "data.transforms.RandomHorizontalFlip(p=0.5)",
  "Mirrors the image along its last dim (width) with probability p.",
  [[
local flip = data.transforms.RandomHorizontalFlip(1.0)   -- always
print(flip, flip(torch.tensor({{1, 2, 3}})))]])
return RandomHorizontalFlip
