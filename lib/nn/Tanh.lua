-- Tanh.lua — nn.Tanh: the hyperbolic tangent.
return require("nn._declare").activation("Tanh", "tanh", {},
  "The hyperbolic tangent, elementwise.",
  [[
local act = nn.Tanh()
print(act, act(torch.tensor({-1.0, 0.0, 2.0})))]])
