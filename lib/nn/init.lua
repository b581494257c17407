-- nn — neural-network modules, layers and losses, one class per file
-- (lib/nn/<Class>.lua); nn.functional (F) holds the functional forms, one
-- file per family (lib/nn/functional/<family>.lua).
--
-- The table is registered in package.loaded before the classes load, so a
-- class file's `require "nn"` finds nn.Module and its siblings.
local torch = require "torch"

local nn = {}
package.loaded.nn = nn
torch.doc(nn, "nn", "Neural-network modules, layers and losses (nn.functional holds the functional forms).")

nn.functional = require "nn.functional"
nn.init = require "nn.initializers"

local classes = {
  -- the base class, parameters and containers
  "Parameter", "Module", "ModuleList", "Sequential", "ModuleDict",
  -- linear layers and reshaping
  "Identity", "Linear", "Flatten", "Unflatten",
  -- convolution
  "Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d",
  -- pooling
  "MaxPool1d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
  -- normalisation
  "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm",
  -- activations
  "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Softplus", "Hardtanh",
  -- losses
  "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
  "KLDivLoss",
  -- dropout, embedding, recurrent
  "Dropout", "Dropout2d", "Embedding", "Bilinear", "RNN", "LSTM", "GRU",
  -- data-parallel training over processes
  "DistributedDataParallel",
}
for _, name in ipairs(classes) do nn[name] = require("nn." .. name) end
nn.utils = require "nn.utils"

return nn
