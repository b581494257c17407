-- Sigmoid.lua — nn.Sigmoid: 1 / (1 + exp(-x)).
return require("nn._declare").activation("Sigmoid", "sigmoid", {},
  "The logistic function 1 / (1 + exp(-x)), elementwise.")
