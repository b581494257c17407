-- LSTM.lua — nn.LSTM(input_size, hidden_size, {num_layers=, ...}): gates i, f,
-- g, o stacked in PyTorch's order in weight_ih_l* (4H x in) and weight_hh_l*
-- (4H x H); forward returns output, {h_n, c_n}.  Shared machinery: _RNNBase.lua.
return require("nn._RNNBase").define("LSTM", "LSTM",
  "nn.LSTM(input_size, hidden_size, {num_layers=1, bias=true, batch_first=false, dropout=0, bidirectional=false})",
  "A long short-term memory RNN: forward(input, {h_0, c_0}) with input (L, N, input_size) (batch_first: "
    .. "(N, L, ...); unbatched (L, input_size)) returns output (L, N, D * hidden_size) and {h_n, c_n}, each "
    .. "(D * num_layers, N, hidden_size).  Gate order i, f, g, o as in PyTorch.",
  [[
torch.manual_seed(0)
local lstm = nn.LSTM(3, 5, {batch_first = true})
local out, state = lstm(torch.randn(4, 7, 3))                  -- (N, L, input_size)
print(lstm)
print(table.concat(out.shape, "x"), table.concat(state[1].shape, "x"), table.concat(state[2].shape, "x"))]])
