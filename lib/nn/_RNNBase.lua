-- _RNNBase.lua — what nn.RNN, nn.LSTM and nn.GRU share: the options, the
-- parameters with PyTorch's names and layouts (weight_ih_l0, weight_hh_l0,
-- bias_ih_l0, bias_hh_l0, then the _reverse ones, layer by layer; gates
-- stacked in PyTorch's order, so (4H x in) for LSTM, (3H x in) for GRU), the
-- default initialisation U(-1/sqrt(H), 1/sqrt(H)), the repr, and forward,
-- which hands everything to F.rnn (lib/nn/functional/recurrent.lua).
-- LSTM.lua and GRU.lua are one call of RNNBase.define; RNN.lua adds its
-- nonlinearity option.
local torch = require "torch"
local nn = require "nn"

local RNNBase = nn.Module:extend("_RNNBase")

local OPTIONS = {num_layers = true, bias = true, batch_first = true, dropout = true, bidirectional = true,
  dtype = true}

local GATES = {RNN_TANH = 1, RNN_RELU = 1, LSTM = 4, GRU = 3}

-- Options from PyTorch's positional num_layers or a table (or both:
-- (input_size, hidden_size, 2, {bidirectional = true})).
local function options(name, a, b, extra)
  local opts = {}
  if type(a) == "number" then
    opts.num_layers = a
    a = b
  end
  for k, v in pairs(a or {}) do
    if not OPTIONS[k] and not (extra and extra[k]) then
      error(name .. ": unknown option '" .. tostring(k) .. "'", 4)
    end
    opts[k] = v
  end
  return opts
end

local function positive(name, what, v)
  if math.type(v) ~= "integer" or v < 1 then
    error(string.format("%s: %s must be a positive integer, got %s", name, what, tostring(v)), 4)
  end
end

--- Called by the subclasses' init: mode is RNN_TANH, RNN_RELU, LSTM or GRU.
function RNNBase:_setup(mode, input_size, hidden_size, a, b, extra)
  local name = self:_type()
  local opts = options(name, a, b, extra)
  positive(name, "input_size", input_size)
  positive(name, "hidden_size", hidden_size)
  local layers = opts.num_layers or 1
  positive(name, "num_layers", layers)
  local p = opts.dropout or 0
  if type(p) ~= "number" or not (p >= 0 and p <= 1) then
    error(string.format("%s: dropout must be a number in [0, 1], got %s", name, tostring(p)), 3)
  end
  self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, layers
  self.bias, self.batch_first = opts.bias ~= false, opts.batch_first == true
  self.dropout, self.bidirectional = p, opts.bidirectional == true
  local gates, dirs = GATES[mode] * hidden_size, self.bidirectional and 2 or 1
  self._flat_weights_names = {}
  for layer = 0, layers - 1 do
    for d = 1, dirs do
      local suffix = "_l" .. layer .. (d == 2 and "_reverse" or "")
      local in_size = layer == 0 and input_size or hidden_size * dirs
      local shapes = {{"weight_ih", gates, in_size}, {"weight_hh", gates, hidden_size}}
      if self.bias then
        shapes[3], shapes[4] = {"bias_ih", gates}, {"bias_hh", gates}
      end
      for _, s in ipairs(shapes) do
        local pname = s[1] .. suffix
        self[pname] = nn.Parameter(torch.empty(s[2], s[3], {dtype = opts.dtype}))
        self._flat_weights_names[#self._flat_weights_names + 1] = pname
      end
    end
  end
  self:reset_parameters()
end

--- PyTorch's default: every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
function RNNBase:reset_parameters()
  local stdv = 1 / math.sqrt(self.hidden_size)
  for _, w in ipairs(self:all_weights()) do nn.init.uniform_(w, -stdv, stdv) end
end

--- The parameters in PyTorch's _flat_weights order (per layer and direction: w_ih, w_hh, b_ih, b_hh).
function RNNBase:all_weights()
  local out = {}
  for i, pname in ipairs(self._flat_weights_names) do out[i] = self[pname] end
  return out
end

--- Kept for PyTorch scripts: the weights are always usable as they are.
function RNNBase:flatten_parameters() end

function RNNBase:forward(input, hx)
  return nn.functional.rnn(input, hx, self:all_weights(), {mode = self.mode, num_layers = self.num_layers,
    bias = self.bias, dropout = self.dropout, training = self.training, bidirectional = self.bidirectional,
    batch_first = self.batch_first})
end

function RNNBase:extra_repr()
  local s = string.format("%d, %d", self.input_size, self.hidden_size)
  if self.num_layers ~= 1 then s = s .. ", num_layers=" .. self.num_layers end
  if not self.bias then s = s .. ", bias=False" end
  if self.batch_first then s = s .. ", batch_first=True" end
  if self.dropout ~= 0 then s = s .. ", dropout=" .. tostring(self.dropout) end
  if self.bidirectional then s = s .. ", bidirectional=True" end
  return s
end

--- A subclass `name` running cell `mode`, with its help text.
function RNNBase.define(name, mode, signature, doc, example)
  local cls = RNNBase:extend(name)
  function cls:init(input_size, hidden_size, a, b) self:_setup(mode, input_size, hidden_size, a, b) end
  torch.doc(cls, signature, doc, example)
  return cls
end

return RNNBase
