-- recurrent.lua — forward + backward of the recurrent and embedding layers
-- and one training-mode dropout: a 2-layer LSTM and GRU (input 64, hidden
-- 128) over 20 steps of a batch of 32, an Embedding(10000, 64) lookup of
-- 32 x 50 indices, and F.dropout on 1M elements.  Prints "<name> <seconds>"
-- (best of several rounds); recurrent.py does the same work in PyTorch.
local here = arg[0]:match "^(.*)/[^/]*$" or "."
local timing = dofile(here .. "/timing.lua")
local best, report = timing.best, timing.report

torch.manual_seed(0)
local xs = torch.randn(20, 32, 64)
local function step(model)
  return function()
    model:zero_grad()
    model(xs):sum():backward()
  end
end
report("lstm_step", best(5, 5, step(nn.LSTM(64, 128, 2))))
report("gru_step", best(5, 5, step(nn.GRU(64, 128, 2))))

local emb = nn.Embedding(10000, 64)
local idx = torch.randint(1, 10001, {32, 50})
report("embedding_step", best(5, 50, function()
  emb:zero_grad()
  emb(idx):sum():backward()
end))

local x = torch.randn(1000, 1000)
report("dropout_1M", best(5, 20, function() return F.dropout(x, 0.5) end))
