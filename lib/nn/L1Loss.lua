-- L1Loss.lua — nn.L1Loss: the mean absolute error.
return require("nn._declare").loss("L1Loss", "l1_loss",
  {{"reduction", "mean"}},
  "The absolute error |x - y| between input and target, reduced.")
