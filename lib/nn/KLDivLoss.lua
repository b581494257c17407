-- KLDivLoss.lua — nn.KLDivLoss: the Kullback-Leibler divergence.
return require("nn._declare").loss("KLDivLoss", "kl_div",
  {{"reduction", "mean"}, {"log_target", false}},
  'target (log target - x) for log-probabilities x; reduction "batchmean" gives the true KL '
    .. "divergence per sample.")
