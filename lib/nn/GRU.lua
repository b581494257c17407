-- GRU.lua — nn.GRU(input_size, hidden_size, {num_layers=, ...}): gates r, z, n
-- stacked in PyTorch's order in weight_ih_l* (3H x in) and weight_hh_l*
-- (3H x H); forward returns output, h_n.  Shared machinery: _RNNBase.lua.
return require("nn._RNNBase").define("GRU", "GRU",
  "nn.GRU(input_size, hidden_size, {num_layers=1, bias=true, batch_first=false, dropout=0, bidirectional=false})",
  "A gated recurrent unit RNN: forward(input, h_0) with input (L, N, input_size) (batch_first: (N, L, ...); "
    .. "unbatched (L, input_size)) returns output (L, N, D * hidden_size) and h_n (D * num_layers, N, "
    .. "hidden_size).  Gate order r, z, n as in PyTorch.",
  [[
torch.manual_seed(0)
local gru = nn.GRU(3, 5, {bidirectional = true})
local out, h = gru(torch.randn(7, 4, 3))
print(gru)
print(table.concat(out.shape, "x"), table.concat(h.shape, "x"))   -- 2 directions]])
