-- Softplus.lua — nn.Softplus: log(1 + exp(beta x)) / beta.
return require("nn._declare").activation("Softplus", "softplus",
  {{"beta", 1}, {"threshold", 20}},
  "log(1 + exp(beta * x)) / beta, a smooth relu; x itself where beta * x > threshold.")
