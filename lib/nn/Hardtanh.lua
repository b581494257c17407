-- Hardtanh.lua — nn.Hardtanh: x clamped to [min_val, max_val].
return require("nn._declare").activation("Hardtanh", "hardtanh",
  {{"min_val", -1.0}, {"max_val", 1.0}, {"inplace", false}},
  "x clamped to [min_val, max_val] elementwise.",
  [[
local act = nn.Hardtanh(-0.5, 0.5)
print(act, act(torch.tensor({-1.0, 0.25, 2.0})))]])
