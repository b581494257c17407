-- ReLU.lua — nn.ReLU: max(x, 0).
return require("nn._declare").activation("ReLU", "relu", {{"inplace", false}},
  "max(x, 0) elementwise; inplace = true overwrites the input.")
