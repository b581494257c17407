-- L1Loss.lua — nn.L1Loss: the mean absolute error.
return require("nn._declare").loss("L1Loss", "l1_loss",
  {{"reduction", "mean"}},
  "The absolute error |x - y| between input and target, reduced.",
  [[
local loss = nn.L1Loss({reduction = "sum"})
print(loss(torch.tensor({1.0, -2.0}), torch.tensor({0.0, 0.0})))]])
