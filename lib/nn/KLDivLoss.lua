-- KLDivLoss.lua — nn.KLDivLoss: the Kullback-Leibler divergence.
return require("nn._declare").loss("KLDivLoss", "kl_div",
  {{"reduction", "mean"}, {"log_target", false}},
  'target (log target - x) for log-probabilities x; reduction "batchmean" gives the true KL '
    .. "divergence per sample.",
  [[
local loss = nn.KLDivLoss({reduction = "batchmean"})
local logp = F.log_softmax(torch.tensor({{1.0, 2.0, 3.0}}), 2)
print(loss(logp, torch.tensor({{0.2, 0.3, 0.5}})))]])
