-- ReLU.lua — nn.ReLU: max(x, 0).
return require("nn._declare").activation("ReLU", "relu", {{"inplace", false}},
  "max(x, 0) elementwise; inplace = true overwrites the input.",
  [[
local relu = nn.ReLU()
print(relu, relu(torch.tensor({-1.0, 2.0})))]])
