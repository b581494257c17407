-- Softmax.lua — nn.Softmax: exp(x) / sum(exp(x)) along dim.
return require("nn._declare").activation("Softmax", "softmax",
  {{"dim", nil}},
  "exp(x) / sum(exp(x)) along dim (1-based: nn.Softmax(2) for (N, C) scores).",
  [[
local softmax = nn.Softmax(2)
print(softmax, softmax(torch.tensor({{1.0, 2.0, 3.0}})))]])
