-- HuberLoss.lua — nn.HuberLoss: quadratic below delta, linear above.
return require("nn._declare").loss("HuberLoss", "huber_loss",
  {{"reduction", "mean"}, {"delta", 1.0}},
  "0.5 (x - y)^2 where |x - y| < delta, else delta (|x - y| - 0.5 delta), reduced.",
  [[
local loss = nn.HuberLoss({delta = 2})
print(loss(torch.tensor({0.2, 3.0}), torch.zeros(2)))]])
