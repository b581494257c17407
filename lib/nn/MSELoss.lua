-- MSELoss.lua — nn.MSELoss: the mean squared error.
return require("nn._declare").loss("MSELoss", "mse_loss",
  {{"reduction", "mean"}},
  "The squared error (x - y)^2 between input and target, reduced (\"mean\", \"sum\" or \"none\").",
  [[
local loss = nn.MSELoss()
print(loss(torch.tensor({1.0, 2.0}), torch.tensor({0.0, 0.0})))]])
