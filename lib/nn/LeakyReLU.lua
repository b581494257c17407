-- LeakyReLU.lua — nn.LeakyReLU: x, or negative_slope * x below 0.
return require("nn._declare").activation("LeakyReLU", "leaky_relu",
  {{"negative_slope", 0.01}, {"inplace", false}},
  "x where x > 0, negative_slope * x elsewhere; inplace = true overwrites the input.")
