-- ELU.lua — nn.ELU: x, or alpha (exp(x) - 1) below 0.
return require("nn._declare").activation("ELU", "elu",
  {{"alpha", 1.0}, {"inplace", false}},
  "The exponential linear unit: x where x > 0, alpha * (exp(x) - 1) elsewhere.",
  [[
local act = nn.ELU()
print(act, act(torch.tensor({-1.0, 2.0})))]])
