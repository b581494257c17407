-- BCEWithLogitsLoss.lua — nn.BCEWithLogitsLoss: binary cross entropy of logits.
return require("nn._declare").loss("BCEWithLogitsLoss", "binary_cross_entropy_with_logits",
  {{"weight", nil}, {"reduction", "mean"}, {"pos_weight", nil}},
  "Sigmoid and binary cross entropy in one stable step; pos_weight weighs the positive targets.",
  {weight = true, pos_weight = true})
