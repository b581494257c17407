-- SiLU.lua — nn.SiLU: x sigmoid(x).
return require("nn._declare").activation("SiLU", "silu", {{"inplace", false}},
  "x * sigmoid(x) (swish) elementwise.")
