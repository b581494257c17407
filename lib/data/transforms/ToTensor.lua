-- ToTensor.lua — an image as a float32 (C, H, W) tensor in [0, 1]
-- (torchvision's ToTensor): uint8 (H, W) gains a channel dim, uint8
-- (H, W, C) is permuted to (C, H, W), and uint8 values are divided by 255.
-- A floating input keeps its values, as torchvision leaves float arrays.
local torch = require "torch"
local Transform = require "data.transforms.Transform"

local ToTensor = Transform:extend("ToTensor")

local FORMS = {[0] = "an image of shape HxW or HxWxC", [1] = "a batch of shape NxHxW or NxHxWxC"}

-- x with its image dims (the last 2 or 3) as (C, H, W) after `lead` dims.
local function convert(self, x, lead)
  self:check_image(x, 2 + lead, FORMS[lead])
  if x:dim() > 3 + lead then
    error("ToTensor: expected " .. FORMS[lead] .. ", got " .. Transform._shape_text(x), 3)
  end
  if x:dim() == 2 + lead then
    x = x:unsqueeze(lead + 1)
  else
    local order = {}
    for d = 1, lead do order[d] = d end
    order[lead + 1], order[lead + 2], order[lead + 3] = lead + 3, lead + 1, lead + 2
    x = x:permute(table.unpack(order))
  end
  if x.dtype == "uint8" then return x:float():div_(255) end   -- float() made a new tensor
  if x.dtype == "float32" or x.dtype == "float64" then return x:contiguous() end
  return x:float()
end

function ToTensor:forward(x) return convert(self, x, 0) end

--- A batch (N, H, W) or (N, H, W, C) to (N, C, H, W).
function ToTensor:batch(x) return convert(self, x, 1) end
torch.doc(ToTensor.batch, "t:batch(x)",
  "The batched form: a uint8 NxHxW or NxHxWxC batch to float32 NxCxHxW in [0, 1].",
  [[
local batch = torch.full({4, 28, 28}, 255, {dtype = "uint8"})
local x = data.transforms.ToTensor():batch(batch)
print(table.concat(x.shape, "x"), x.dtype, x:max())]])

torch.doc(ToTensor, "data.transforms.ToTensor()",
  "uint8 HxW or HxWxC images to float32 CxHxW in [0, 1].",
  [[
local image = torch.tensor({{0, 128, 255}}, {dtype = "uint8"})   -- 1x3, HxW
local x = data.transforms.ToTensor()(image)
print(x, x.dtype)]])
return ToTensor
