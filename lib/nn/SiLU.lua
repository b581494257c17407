-- SiLU.lua — nn.SiLU: x sigmoid(x).
return require("nn._declare").activation("SiLU", "silu", {{"inplace", false}},
  "x * sigmoid(x) (swish) elementwise.",
  [[
local act = nn.SiLU()
print(act, act(torch.tensor({-1.0, 2.0})))]])
