-- BCELoss.lua — nn.BCELoss: binary cross entropy of probabilities.
return require("nn._declare").loss("BCELoss", "binary_cross_entropy",
  {{"weight", nil}, {"reduction", "mean"}},
  "-(y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1], logs clamped at -100.",
  [[
local loss = nn.BCELoss()
print(loss(torch.tensor({0.9, 0.2}), torch.tensor({1.0, 0.0})))]], {weight = true})
