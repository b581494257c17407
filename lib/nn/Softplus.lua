-- Softplus.lua — nn.Softplus: log(1 + exp(beta x)) / beta.
return require("nn._declare").activation("Softplus", "softplus",
  {{"beta", 1}, {"threshold", 20}},
  "log(1 + exp(beta * x)) / beta, a smooth relu; x itself where beta * x > threshold.",
  [[
local act = nn.Softplus({beta = 2})
print(act, act(torch.tensor({-1.0, 0.0, 2.0})))]])
