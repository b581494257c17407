-- LeakyReLU.lua — nn.LeakyReLU: x, or negative_slope * x below 0.
return require("nn._declare").activation("LeakyReLU", "leaky_relu",
  {{"negative_slope", 0.01}, {"inplace", false}},
  "x where x > 0, negative_slope * x elsewhere; inplace = true overwrites the input.",
  [[
local act = nn.LeakyReLU(0.1)
print(act, act(torch.tensor({-1.0, 2.0})))]])
