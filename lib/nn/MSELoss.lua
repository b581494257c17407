-- MSELoss.lua — nn.MSELoss: the mean squared error.
return require("nn._declare").loss("MSELoss", "mse_loss",
  {{"reduction", "mean"}},
  "The squared error (x - y)^2 between input and target, reduced (\"mean\", \"sum\" or \"none\").")
