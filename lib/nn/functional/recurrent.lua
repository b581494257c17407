-- nn.functional.recurrent — F.rnn, the functional form of nn.RNN, nn.LSTM and
-- nn.GRU (PyTorch's torch.rnn_tanh / torch.lstm / torch.gru), written over
-- differentiable tensor ops so that autograd unrolls the time loop.
--
-- Per layer and direction, the input projection of every time step is one
-- GEMM: x (L * N, in) @ W_ih^T, with the biases folded in where the cell
-- allows (b_ih + b_hh for RNN and LSTM; GRU keeps b_hn inside r * (...)).
-- Each step then costs one addmm against W_hh^T plus the gate arithmetic,
-- in PyTorch's gate order (LSTM i, f, g, o; GRU r, z, n) and formulas
-- (aten/src/ATen/native/RNN.cpp), so weights and results match PyTorch's.
local torch = require "torch"

local M = {}

local GATES = {RNN_TANH = 1, RNN_RELU = 1, LSTM = 4, GRU = 3}
local NAMES = {RNN_TANH = "RNN", RNN_RELU = "RNN", LSTM = "LSTM", GRU = "GRU"}

-- One step of each cell: gi is the step's input projection (N, G * H), with
-- both biases in it except for GRU (b_ih only); returns h (and c).
local STEP = {}

function STEP.RNN_TANH(gi, h, _, w_hh_t) return torch.addmm(gi, h, w_hh_t):tanh() end

function STEP.RNN_RELU(gi, h, _, w_hh_t) return torch.addmm(gi, h, w_hh_t):relu() end

function STEP.LSTM(gi, h, c, w_hh_t)
  local gates = torch.addmm(gi, h, w_hh_t):chunk(4, 2)
  local i, f, g, o = gates[1]:sigmoid(), gates[2]:sigmoid(), gates[3]:tanh(), gates[4]:sigmoid()
  c = f * c + i * g
  return o * c:tanh(), c
end

function STEP.GRU(gi, h, _, w_hh_t, b_hh)
  local gh = (b_hh and torch.addmm(b_hh, h, w_hh_t) or h:mm(w_hh_t)):chunk(3, 2)
  local x = gi:chunk(3, 2)
  local r, z = (x[1] + gh[1]):sigmoid(), (x[2] + gh[2]):sigmoid()
  local n = (x[3] + r * gh[3]):tanh()
  return (h - n) * z + n
end

local function shape_text(t) return t:dim() == 0 and "[]" or table.concat(t.shape, "x") end

local function check_state(name, what, t, want)
  if not torch.is_tensor(t) or shape_text(t) ~= table.concat(want, "x") then
    error(string.format("%s: expected %s of shape %s, got %s", name, what, table.concat(want, "x"),
      torch.is_tensor(t) and shape_text(t) or type(t)), 4)
  end
end

local OPTIONS = {mode = true, num_layers = true, bias = true, dropout = true, training = true,
  bidirectional = true, batch_first = true}

-- One direction of one layer over the whole sequence x (L, N, in): the
-- outputs (L, N, H) stacked in time order, and the final h (and c).
local function run_direction(mode, x, h, c, w, reverse)
  local L, N = x:size(1), x:size(2)
  local w_ih, w_hh, b_ih, b_hh = w[1], w[2], w[3], w[4]
  local bias = b_ih
  if b_ih and mode ~= "GRU" then bias = b_ih + b_hh end
  local flat = x:reshape(L * N, x:size(3))
  local gi = bias and torch.addmm(bias, flat, w_ih:t()) or flat:mm(w_ih:t())
  gi = gi:view(L, N, w_ih:size(1))
  local w_hh_t, step, outs = w_hh:t(), STEP[mode], {}
  for k = 1, L do
    local t = reverse and L - k + 1 or k
    h, c = step(gi[t], h, c, w_hh_t, b_hh)
    outs[t] = h
  end
  return torch.stack(outs, 1), h, c
end

--- A multi-layer, optionally bidirectional RNN, LSTM or GRU over a whole sequence.
function M.rnn(input, hx, params, opts)
  opts = opts or {}
  for k in pairs(opts) do
    if not OPTIONS[k] then error("rnn: unknown option '" .. tostring(k) .. "'", 2) end
  end
  local mode = opts.mode or "RNN_TANH"
  local gates, name = GATES[mode], NAMES[mode]
  if not gates then
    error("rnn: mode must be RNN_TANH, RNN_RELU, LSTM or GRU, got " .. tostring(mode), 2)
  end
  local layers, dirs = opts.num_layers or 1, opts.bidirectional and 2 or 1
  local per = opts.bias == false and 2 or 4
  if type(params) ~= "table" or #params ~= layers * dirs * per then
    error(string.format("%s: expected %d weight tensors (num_layers=%d, %s, bias=%s), got %s", name,
      layers * dirs * per, layers, dirs == 2 and "bidirectional" or "one direction", tostring(per == 4),
      type(params) == "table" and #params or type(params)), 2)
  end
  local hidden, in_size = params[2]:size(2), params[1]:size(2)
  if not torch.is_tensor(input) or (input:dim() ~= 2 and input:dim() ~= 3) or input:size(-1) ~= in_size then
    error(string.format("%s: expected input of shape (L, N, %d)%s or unbatched (L, %d), got %s", name, in_size,
      opts.batch_first and " (batch_first: (N, L, " .. in_size .. "))" or "", in_size,
      torch.is_tensor(input) and shape_text(input) or type(input)), 2)
  end
  local batched = input:dim() == 3
  local x = batched and input or input:unsqueeze(2)
  if batched and opts.batch_first then x = x:transpose(1, 2) end
  local N = x:size(2)
  local want = batched and {layers * dirs, N, hidden} or {layers * dirs, hidden}
  local h0, c0
  if mode == "LSTM" and hx ~= nil then
    if type(hx) ~= "table" or torch.is_tensor(hx) then error("LSTM: hx must be a pair {h_0, c_0}", 2) end
    check_state(name, "h_0", hx[1], want)
    check_state(name, "c_0", hx[2], want)
    h0, c0 = hx[1], hx[2]
  elseif hx ~= nil then
    check_state(name, "h_0", hx, want)
    h0 = hx
  end
  if batched then
    h0 = h0 or torch.zeros(layers * dirs, N, hidden, {dtype = x.dtype})
  else
    h0 = h0 and h0:unsqueeze(2) or torch.zeros(layers * dirs, 1, hidden, {dtype = x.dtype})
    c0 = c0 and c0:unsqueeze(2)
  end
  if mode == "LSTM" then c0 = c0 or torch.zeros(layers * dirs, N, hidden, {dtype = x.dtype}) end

  local p, h_n, c_n = opts.dropout or 0, {}, {}
  for layer = 1, layers do
    local outs = {}
    for d = 1, dirs do
      local k = (layer - 1) * dirs + d
      local w = {table.unpack(params, (k - 1) * per + 1, k * per)}
      outs[d], h_n[k], c_n[k] = run_direction(mode, x, h0[k], c0 and c0[k], w, d == 2)
    end
    x = dirs == 2 and torch.cat(outs, 3) or outs[1]
    if layer < layers and p > 0 and opts.training ~= false then x = torch.dropout(x, p, true) end
  end

  local output, hn = x, torch.stack(h_n, 1)
  local cn = mode == "LSTM" and torch.stack(c_n, 1) or nil
  if not batched then
    output, hn, cn = output:squeeze(2), hn:squeeze(2), cn and cn:squeeze(2)
  elseif opts.batch_first then
    output = output:transpose(1, 2)
  end
  if mode == "LSTM" then return output, {hn, cn} end
  return output, hn
end
torch.doc(M.rnn, "F.rnn(input, hx, params, {mode=, num_layers=1, bias=true, dropout=0, training=true, "
  .. "bidirectional=false, batch_first=false})",
  "The functional form of nn.RNN/LSTM/GRU: mode 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'; params is the "
    .. "flat list w_ih, w_hh, b_ih, b_hh per layer and direction (PyTorch's order and layouts); hx is "
    .. "h_0 (LSTM: {h_0, c_0}) or nil for zeros.  Returns output and h_n (LSTM: output, {h_n, c_n}).")

return M
