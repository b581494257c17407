-- LogSoftmax.lua — nn.LogSoftmax: log(softmax(x)) along dim.
return require("nn._declare").activation("LogSoftmax", "log_softmax",
  {{"dim", nil}},
  "log(softmax(x)) along dim (1-based), computed stably; the input nn.NLLLoss expects.",
  [[
local log_softmax = nn.LogSoftmax(2)
print(log_softmax, log_softmax(torch.tensor({{1.0, 2.0, 3.0}})))]])
