-- RNN.lua — nn.RNN(input_size, hidden_size, {nonlinearity='tanh', num_layers=, ...}):
-- h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), stacked and
-- optionally bidirectional; the shared machinery is in _RNNBase.lua.
local torch = require "torch"
local RNNBase = require "nn._RNNBase"

local RNN = RNNBase:extend("RNN")

local MODES = {tanh = "RNN_TANH", relu = "RNN_RELU"}

function RNN:init(input_size, hidden_size, a, b)
  local opts = type(a) == "table" and a or b or {}
  local nonlinearity = opts.nonlinearity or "tanh"
  if not MODES[nonlinearity] then
    error("RNN: unknown nonlinearity '" .. tostring(nonlinearity) .. "' (use 'tanh' or 'relu')", 3)
  end
  self.nonlinearity = nonlinearity
  self:_setup(MODES[nonlinearity], input_size, hidden_size, a, b, {nonlinearity = true})
end

torch.doc(RNN, "nn.RNN(input_size, hidden_size, {nonlinearity='tanh', num_layers=1, bias=true, batch_first=false, "
  .. "dropout=0, bidirectional=false})",
  "An Elman RNN: forward(input, h_0) with input (L, N, input_size) (batch_first: (N, L, ...); unbatched "
    .. "(L, input_size)) returns output (L, N, D * hidden_size) and h_n (D * num_layers, N, hidden_size). "
    .. "Parameters weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ... as in PyTorch.",
  [[
torch.manual_seed(0)
local rnn = nn.RNN(3, 5, {num_layers = 2})
local out, h = rnn(torch.randn(7, 4, 3))                       -- (L, N, input_size)
print(rnn)
print(table.concat(out.shape, "x"), table.concat(h.shape, "x"))]])
return RNN
