-- data.datasets — ready-made datasets, one class per file.
local torch = require "torch"

local datasets = {}
torch.doc(datasets, "data.datasets", "Ready-made datasets: MNIST, FashionMNIST, CSV.")
for _, name in ipairs({"MNIST", "FashionMNIST", "CSV"}) do
  datasets[name] = require("data.datasets." .. name)
end
return datasets
