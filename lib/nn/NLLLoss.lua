-- NLLLoss.lua — nn.NLLLoss: the negative log-likelihood.
return require("nn._declare").loss("NLLLoss", "nll_loss",
  {{"weight", nil}, {"ignore_index", -100}, {"reduction", "mean"}},
  "-weight[t] * x[t] for log-probabilities x (nn.LogSoftmax output) and class indices t in 1..C.",
  {weight = true})
