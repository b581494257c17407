-- NLLLoss.lua — nn.NLLLoss: the negative log-likelihood.
return require("nn._declare").loss("NLLLoss", "nll_loss",
  {{"weight", nil}, {"ignore_index", -100}, {"reduction", "mean"}},
  "-weight[t] * x[t] for log-probabilities x (nn.LogSoftmax output) and class indices t in 1..C.",
  [[
local loss = nn.NLLLoss()
local logp = F.log_softmax(torch.tensor({{2.0, 0.5, -1.0}}), 2)
print(loss(logp, torch.tensor({1})))]],
  {weight = true})
