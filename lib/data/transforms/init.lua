-- data.transforms — image and tensor transforms, one class per file.
local torch = require "torch"

local transforms = {}
torch.doc(transforms, "data.transforms",
  "Transforms for datasets: Compose, ToTensor, Normalize, RandomHorizontalFlip, RandomCrop, Lambda.")
for _, name in ipairs({"Transform", "Compose", "ToTensor", "Normalize", "RandomHorizontalFlip", "RandomCrop",
    "Lambda"}) do
  transforms[name] = require("data.transforms." .. name)
end
return transforms
