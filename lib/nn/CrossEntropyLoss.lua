-- CrossEntropyLoss.lua — nn.CrossEntropyLoss: log-softmax and NLL in one.
return require("nn._declare").loss("CrossEntropyLoss", "cross_entropy",
  {{"weight", nil}, {"ignore_index", -100}, {"reduction", "mean"}, {"label_smoothing", 0.0}},
  "The cross entropy of logits (N, C) or (N, C, d1, ...) against class indices 1..C or class "
    .. "probabilities (F.cross_entropy); weight (C) is a buffer.",
  [[
local loss = nn.CrossEntropyLoss()
local logits = torch.tensor({{2.0, 0.5, -1.0}, {0.1, 0.2, 3.0}})
local target = torch.tensor({1, 3})                  -- class indices, 1-based
print(loss(logits, target))
print(nn.CrossEntropyLoss({label_smoothing = 0.1})(logits, target))]],
  {weight = true})
