-- GELU.lua — nn.GELU: x Phi(x).
return require("nn._declare").activation("GELU", "gelu", {{"approximate", "none"}},
  "The Gaussian error linear unit x * Phi(x); approximate = \"tanh\" uses the tanh formula.",
  [[
local act = nn.GELU("tanh")
print(act, act(torch.tensor({-1.0, 2.0})))]])
