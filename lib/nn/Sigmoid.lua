-- Sigmoid.lua — nn.Sigmoid: 1 / (1 + exp(-x)).
return require("nn._declare").activation("Sigmoid", "sigmoid", {},
  "The logistic function 1 / (1 + exp(-x)), elementwise.",
  [[
local act = nn.Sigmoid()
print(act, act(torch.tensor({-1.0, 0.0, 2.0})))]])
