-- BCEWithLogitsLoss.lua — nn.BCEWithLogitsLoss: binary cross entropy of logits.
return require("nn._declare").loss("BCEWithLogitsLoss", "binary_cross_entropy_with_logits",
  {{"weight", nil}, {"reduction", "mean"}, {"pos_weight", nil}},
  "Sigmoid and binary cross entropy in one stable step; pos_weight weighs the positive targets.",
  [[
local loss = nn.BCEWithLogitsLoss({pos_weight = torch.tensor({2.0})})
print(loss(torch.tensor({2.0, -1.0}), torch.tensor({1.0, 0.0})))]],
  {weight = true, pos_weight = true})
