-- SmoothL1Loss.lua — nn.SmoothL1Loss: quadratic below beta, linear above.
return require("nn._declare").loss("SmoothL1Loss", "smooth_l1_loss",
  {{"reduction", "mean"}, {"beta", 1.0}},
  "0.5 (x - y)^2 / beta where |x - y| < beta, else |x - y| - 0.5 beta, reduced.",
  [[
local loss = nn.SmoothL1Loss({beta = 0.5})
print(loss(torch.tensor({0.2, 3.0}), torch.zeros(2)))]])
