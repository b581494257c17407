-- ToTensor.lua — an image as a float32 (C, H, W) tensor in [0, 1]
-- (torchvision's ToTensor): uint8 (H, W) gains a channel dim, uint8
-- (H, W, C) is permuted to (C, H, W), and uint8 values are divided by 255.
-- A floating input keeps its values, as torchvision leaves float arrays.
local torch = require "torch"
local Transform = require "data.transforms.Transform"

local ToTensor = Transform:extend("ToTensor")

-- x with its image dims (the last 2 or 3) as (C, H, W); `lead` dims before them.
local function convert(x, lead)
  local image_dims = x:dim() - lead
  if image_dims == 2 then
    x = x:unsqueeze(lead + 1)
  else
    local order = {}
    for d = 1, lead do order[d] = d end
    order[lead + 1], order[lead + 2], order[lead + 3] = lead + 3, lead + 1, lead + 2
    x = x:permute(table.unpack(order))
  end
  if x.dtype == "uint8" then return x:float():div(255) end
  if x.dtype == "float32" or x.dtype == "float64" then return x:contiguous() end
  return x:float()
end

function ToTensor:forward(x)
  self:check_image(x, 2, "an image of shape HxW or HxWxC")
  if x:dim() > 3 then
    error("ToTensor: expected an image of shape HxW or HxWxC, got " .. Transform.shape_text(x), 2)
  end
  return convert(x, 0)
end

--- A batch (N, H, W) or (N, H, W, C) to (N, C, H, W).
function ToTensor:batch(x)
  self:check_image(x, 3, "a batch of shape NxHxW or NxHxWxC")
  if x:dim() > 4 then
    error("ToTensor: expected a batch of shape NxHxW or NxHxWxC, got " .. Transform.shape_text(x), 2)
  end
  return convert(x, 1)
end

torch.doc(ToTensor, "data.transforms.ToTensor()",
  "uint8 HxW or HxWxC images to float32 CxHxW in [0, 1].")
return ToTensor
