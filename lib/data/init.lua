-- data — datasets, samplers, the DataLoader and transforms (PyTorch's
-- torch.utils.data and a little of torchvision), one class per file.
local torch = require "torch"

local data = {}
package.loaded.data = data
torch.doc(data, "data", "Datasets, samplers, the DataLoader and transforms.")

for _, name in ipairs({"Dataset", "TensorDataset", "Subset", "ConcatDataset", "Generator", "Sampler",
    "DataLoader"}) do
  data[name] = require("data." .. name)
end
for _, name in ipairs({"SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
    "DistributedSampler"}) do
  data[name] = require("data.samplers." .. name)
end
data.random_split = require "data.random_split"
data.default_collate = require("data.collate").default_collate
data.datasets = require "data.datasets"
data.transforms = require "data.transforms"

return data
