-- LogSoftmax.lua — nn.LogSoftmax: log(softmax(x)) along dim.
return require("nn._declare").activation("LogSoftmax", "log_softmax",
  {{"dim", nil}},
  "log(softmax(x)) along dim (1-based), computed stably; the input nn.NLLLoss expects.")
