-- test_nn_recurrent.lua — nn.RNN, nn.LSTM, nn.GRU and F.rnn: outputs, final
-- states and gradients against PyTorch on the same weights and inputs
-- (tests/fixtures/gen_recurrent.py; float64 and float32), PyTorch's parameter
-- names and layouts, gradcheck in float64 through every cell, dropout
-- between layers, state_dict round trips, the default initialisation, the
-- printed form, and the errors for bad input.
local T = require "testing"
local G = require "gradtest"
local S = require "seeded"

local F = nn.functional
local fx = S.fixture
local CLASS = {RNN_TANH = "RNN", RNN_RELU = "RNN", LSTM = "LSTM", GRU = "GRU"}

torch.manual_seed(7)

local value, check_values = S.value, S.check_values

local function shape_of(t) return table.concat(t.shape, "x") end

local function build(c, dtype)
  local opts = {dtype = dtype}
  for k, v in pairs(c.options) do opts[k] = v end
  if c.mode == "RNN_RELU" then opts.nonlinearity = "relu" end
  local sizes = c.sizes or fx.sizes
  local m = nn[CLASS[c.mode]](sizes.input_size, sizes.hidden_size, opts)
  local i = 0
  for _, p in m:named_parameters() do
    torch.no_grad(function() p:copy_(value(p.shape, 100 + i, dtype)) end)
    i = i + 1
  end
  return m
end

for _, c in ipairs(fx.rnn) do
  for _, dtype in ipairs({"float64", "float32"}) do
    local tol = dtype == "float64" and 1e-7 or 2e-5
    T.test(c.name .. " (" .. dtype .. "): forward and backward as PyTorch", function()
      local m = build(c, dtype)
      local names = {}
      for name in m:named_parameters() do names[#names + 1] = name end
      T.eq(table.concat(names, " "), table.concat(c.names, " "), "parameter names")
      local x = value(c.input_shape, 10, dtype):requires_grad_()
      local hx, h0, c0
      if c.hx_shape then
        h0 = value(c.hx_shape, 11, dtype):requires_grad_()
        if c.mode == "LSTM" then
          c0 = value(c.hx_shape, 12, dtype):requires_grad_()
          hx = {h0, c0}
        else
          hx = h0
        end
      end
      local out, state = m(x, hx)
      local hn, cn = state, nil
      if c.mode == "LSTM" then hn, cn = state[1], state[2] end
      T.eq(shape_of(out), table.concat(c.output.shape, "x"), "output shape")
      check_values(out, c.output.values, tol, "output")
      check_values(hn, c.h_n, tol, "h_n")
      local loss = (out * value(out.shape, 1, dtype)):sum() + (hn * value(hn.shape, 2, dtype)):sum()
      if cn then
        check_values(cn, c.c_n, tol, "c_n")
        loss = loss + (cn * value(cn.shape, 3, dtype)):sum()
      end
      loss:backward()
      check_values(x.grad, c.x_grad, tol, "input grad")
      if h0 then check_values(h0.grad, c.h0_grad, tol, "h_0 grad") end
      if c0 then check_values(c0.grad, c.c0_grad, tol, "c_0 grad") end
      for i, want in ipairs(c.param_grads or {}) do
        local g = m:parameters()[i].grad
        for k, seed in ipairs({200, 300}) do
          T.close((g * value(g.shape, seed + i - 1, dtype)):sum():item(), want[k], tol,
            c.names[i] .. " grad projection " .. k)
        end
      end
    end)
  end
end

-- Small sizes for finite differences: L = 3, N = 2, in = 2, H = 2.
local function flat_params(mode, layers, dirs, bias)
  local g = ({RNN_TANH = 1, RNN_RELU = 1, LSTM = 4, GRU = 3})[mode] * 2
  local params = {}
  for layer = 1, layers do
    for _ = 1, dirs do
      local in_size = layer == 1 and 2 or 2 * dirs
      params[#params + 1] = G.randn(g, in_size)
      params[#params + 1] = G.randn(g, 2)
      if bias then
        params[#params + 1] = G.randn(g)
        params[#params + 1] = G.randn(g)
      end
    end
  end
  return params
end

for _, mode in ipairs({"RNN_TANH", "RNN_RELU", "LSTM", "GRU"}) do
  T.test("F.rnn " .. mode .. ": gradcheck (2 layers, bidirectional) in every input, state and weight", function()
    local params = flat_params(mode, 2, 2, true)
    local x, h0, c0 = G.randn(3, 2, 2), G.randn(4, 2, 2), G.randn(4, 2, 2)
    local n = #params
    local fn = function(...)
      local args = {...}
      local hx = mode == "LSTM" and {args[n + 2], args[n + 3]} or args[n + 2]
      local out, state = F.rnn(args[n + 1], hx, {table.unpack(args, 1, n)},
        {mode = mode, num_layers = 2, bidirectional = true})
      if mode == "LSTM" then return {out, state[1], state[2]} end
      return {out, state}
    end
    local inputs = {table.unpack(params)}
    inputs[n + 1], inputs[n + 2], inputs[n + 3] = x, h0, c0
    T.truthy(G.gradcheck(fn, inputs))
  end)
end

T.test("F.rnn GRU without bias, batch_first and unbatched: gradcheck", function()
  local params = flat_params("GRU", 1, 1, false)
  T.truthy(G.gradcheck(function(x, a, b)
    return F.rnn(x, nil, {a, b}, {mode = "GRU", bias = false, batch_first = true})
  end, {G.randn(2, 3, 2), params[1], params[2]}))
  T.truthy(G.gradcheck(function(x, a, b) return F.rnn(x, nil, {a, b}, {mode = "GRU", bias = false}) end,
    {G.randn(3, 2), params[1], params[2]}))
end)

-- ---- torch._rnn_layer: the fused time loop of one layer and direction ------------------

-- The layer's arguments for mode, in torch._rnn_layer's order: gi (L, N, G*H),
-- h_0, c_0 (LSTM), W_hh, b_hh (GRU); and those present as a list.
local GATES = {RNN_TANH = 1, RNN_RELU = 1, LSTM = 4, GRU = 3}
local function layer_args(mode, L, N, H, make)
  local G = GATES[mode] * H
  local args = {make(L, N, G), make(N, H), mode == "LSTM" and make(N, H) or nil, make(G, H),
    mode == "GRU" and make(G) or nil}
  local present = {}
  for i = 1, 5 do if args[i] then present[#present + 1] = args[i] end end
  return args, present
end

-- The layer as a function of the present arguments, returning its outputs
-- (out, h_n and for LSTM c_n) as a list.
local function layer_fn(mode, reverse, args)
  return function(...)
    local given, k, full = {...}, 0, {}
    for i = 1, 5 do
      if args[i] then
        k = k + 1
        full[i] = given[k]
      end
    end
    return {torch._rnn_layer(mode, full[1], full[2], full[3], full[4], full[5], reverse)}
  end
end

-- sum over the outputs of sum(output * seed): one root for a backward.
local function weighted(outs, seeds)
  local loss = 0
  for k, y in ipairs(outs) do loss = loss + (y * seeds[k]):sum() end
  return loss
end

-- The same recurrence written with ordinary recorded ops, as F.rnn was
-- before the fused kernel: an independent reference for it.
local function composed_layer(mode, reverse, gi, h, c, w, b)
  local L, H = gi:size(1), w:size(2)
  local outs, wt = {}, w:t()
  for k = 1, L do
    local t = reverse and L - k + 1 or k
    if mode == "LSTM" then
      local gates = torch.addmm(gi[t], h, wt)
      local i, f = gates:narrow(2, 1, H):sigmoid(), gates:narrow(2, H + 1, H):sigmoid()
      local g, o = gates:narrow(2, 2 * H + 1, H):tanh(), gates:narrow(2, 3 * H + 1, H):sigmoid()
      c = f * c + i * g
      h = o * c:tanh()
    elseif mode == "GRU" then
      local gh = b and torch.addmm(b, h, wt) or h:mm(wt)
      local r = (gi[t]:narrow(2, 1, H) + gh:narrow(2, 1, H)):sigmoid()
      local z = (gi[t]:narrow(2, H + 1, H) + gh:narrow(2, H + 1, H)):sigmoid()
      local n = (gi[t]:narrow(2, 2 * H + 1, H) + r * gh:narrow(2, 2 * H + 1, H)):tanh()
      h = n + z * (h - n)
    else
      local pre = torch.addmm(gi[t], h, wt)
      h = mode == "RNN_TANH" and pre:tanh() or pre:relu()
    end
    outs[t] = h
  end
  return {torch.stack(outs, 1), h, c}
end

for _, mode in ipairs({"RNN_TANH", "RNN_RELU", "LSTM", "GRU"}) do
  T.test("torch._rnn_layer " .. mode .. ": gradcheck in every input, both directions", function()
    for _, reverse in ipairs({false, true}) do
      local args, present = layer_args(mode, 3, 2, 3, G.randn)
      T.truthy(G.gradcheck(layer_fn(mode, reverse, args), present))
    end
    if mode == "GRU" then   -- without b_hh
      local args = layer_args(mode, 3, 2, 3, G.randn)
      args[5] = nil
      T.truthy(G.gradcheck(layer_fn(mode, true, args), {args[1], args[2], args[4]}))
    end
  end)

  T.test("torch._rnn_layer " .. mode .. ": gradgradcheck (create_graph runs the layer again recorded)",
    function()
      local args, present = layer_args(mode, 2, 2, 2, G.randn)
      T.truthy(G.gradgradcheck(layer_fn(mode, true, args), present))
    end)

  T.test("torch._rnn_layer " .. mode .. ": the fused kernels as the composed recurrence, float32 and "
    .. "float64, and the recorded (create_graph) backward as the fused one", function()
    torch.manual_seed(11)
    for _, dtype in ipairs({"float64", "float32"}) do
      local tol = dtype == "float64" and 1e-12 or 2e-5
      local function make(...) return torch.randn({...}, {dtype = dtype}):mul(0.5):requires_grad_() end
      for _, reverse in ipairs({false, true}) do
        -- H = 37: whole vectors and a remainder in the cells' loops; W_hh at
        -- the default init's scale, so that float32 rounding does not grow
        -- through saturated steps
        local args, inputs = layer_args(mode, 7, 5, 37, make)
        torch.no_grad(function() args[4]:mul_(1 / math.sqrt(37)) end)
        local fused = {torch._rnn_layer(mode, args[1], args[2], args[3], args[4], args[5], reverse)}
        local ref = composed_layer(mode, reverse, table.unpack(args, 1, 5))
        local seeds = {}
        for k, y in ipairs(fused) do
          T.allclose(y:detach():reshape(-1):totable(), ref[k]:detach():reshape(-1):totable(), tol, "output " .. k)
          seeds[k] = torch.randn(y.shape, {dtype = dtype})
        end
        local loss = weighted(fused, seeds)
        local g = torch.autograd.grad({loss}, inputs, {retain_graph = true})
        local want = torch.autograd.grad({weighted(ref, seeds)}, inputs)
        local recorded = torch.autograd.grad({loss}, inputs, {create_graph = true})
        T.truthy(recorded[1].grad_fn ~= nil, "the create_graph gradient is recorded")
        for k = 1, #inputs do
          local what = string.format("%s%s gradient %d", dtype, reverse and " reverse" or "", k)
          T.allclose(g[k]:reshape(-1):totable(), want[k]:reshape(-1):totable(), 10 * tol, what)
          T.allclose(recorded[k]:detach():reshape(-1):totable(), g[k]:reshape(-1):totable(), 10 * tol,
            "recorded " .. what)
        end
      end
    end
  end)
end

T.test("torch._rnn_layer: one node per layer; retain_graph runs it twice, a second backward fails", function()
  local args = layer_args("LSTM", 4, 3, 5, G.randn)
  local out, h, c = torch._rnn_layer("LSTM", args[1], args[2], args[3], args[4], nil, false)
  local w = args[4]
  T.eq(out.grad_fn.name, "LstmBackward")
  T.truthy(h.grad_fn.name == "LstmBackward" and c.grad_fn.name == "LstmBackward")
  T.eq((out[4] - h):abs():max():item(), 0, "h_n is the last step")
  local loss = out:sum() + c:sum()
  loss:backward(nil, {retain_graph = true})
  local first = w.grad:clone()
  loss:backward()
  T.allclose(w.grad:view(-1):totable(), (first * 2):view(-1):totable(), 1e-12)
  T.errors("backward through the graph a second time", function() loss:backward() end)
  -- nothing requires grad: no node
  local y = torch._rnn_layer("GRU", torch.randn(2, 1, 6), torch.zeros(1, 2), nil, torch.randn(6, 2), nil, false)
  T.eq(y.grad_fn, nil)
end)

T.test("torch._rnn_layer: errors name the cell and the shapes", function()
  local gi, h0, w = torch.randn(3, 2, 8), torch.zeros(2, 2), torch.randn(8, 2)
  T.errors("LSTM: a cell state goes with LSTM only", torch._rnn_layer, "LSTM", gi, h0, nil, w, nil, false)
  T.errors("GRU: weight_hh 8x2 does not fit gates of shape 3x2x8 (G*H x H with G = 3, H >= 1)",
    torch._rnn_layer, "GRU", gi, h0, nil, w, nil, false)
  T.errors("RNN: expected states of shape (2, 8), got 2x2", torch._rnn_layer, "RNN_TANH", gi, h0, nil,
    torch.randn(8, 8), nil, false)
  T.errors("expected floating gates of shape (L, N, G*H) with L >= 1, got float32 0x2x8", torch._rnn_layer,
    "LSTM", torch.randn(0, 2, 8), h0, h0, w, nil, false)
  T.errors("expected the states and weights in the input's dtype float32, got float64", torch._rnn_layer,
    "RNN_RELU", torch.randn(3, 2, 2), h0:double(), nil, torch.randn(2, 2), nil, false)
  T.errors("invalid option 'LSTMX'", torch._rnn_layer, "LSTMX", gi, h0, nil, w, nil, false)
end)

T.test("LSTM: a state_dict moves to another LSTM and gives the same output", function()
  local a = nn.LSTM(3, 4, 2, {bidirectional = true})
  local b = nn.LSTM(3, 4, 2, {bidirectional = true})
  local sd = a:state_dict()
  T.eq(table.concat(sd.weight_ih_l1_reverse.shape, "x"), "16x8", "layer 2 reads both directions")
  b:load_state_dict(sd)
  local x = torch.randn(5, 2, 3)
  local ya = a(x)
  local yb = b(x)
  T.eq((ya - yb):abs():max():item(), 0)
  T.errors("size", function() nn.LSTM(3, 5, 2, {bidirectional = true}):load_state_dict(sd) end)
end)

T.test("RNN, LSTM, GRU: default initialisation U(-1/sqrt(H), 1/sqrt(H)) for every parameter", function()
  for _, cls in ipairs({nn.RNN, nn.LSTM, nn.GRU}) do
    local m = cls(10, 16, {num_layers = 2})
    for _, p in ipairs(m:parameters()) do
      T.truthy(p:abs():max():item() <= 0.25, "within the bound")
      if p:numel() >= 64 then T.truthy(p:abs():max():item() > 0.2, "spread over the range") end
    end
  end
end)

T.test("dropout between layers: only in training, only between layers", function()
  local m = nn.GRU(3, 4, {num_layers = 2, dropout = 1})
  local ref = nn.GRU(3, 4, {num_layers = 2})
  ref:load_state_dict(m:state_dict())
  local x = torch.randn(4, 2, 3)
  m:eval()
  T.eq((m(x) - ref(x)):abs():max():item(), 0, "eval: no dropout")
  m:train()
  -- p = 1 zeroes the second layer's input: its output no longer depends on x.
  local y1 = m(x)
  local y2 = m(torch.randn(4, 2, 3))
  T.eq((y1 - y2):abs():max():item(), 0, "training: the second layer sees zeros")
  T.truthy((y1 - ref(x)):abs():max():item() > 0)
  -- dropout on a single layer changes nothing (PyTorch warns; nothing to drop between)
  local one = nn.LSTM(3, 4, {dropout = 0.5})
  local o1 = one(x)
  local o2 = one(x)
  T.eq((o1 - o2):abs():max():item(), 0)
end)

T.test("RNN, LSTM, GRU: shapes for batch_first, unbatched, bidirectional and num_layers", function()
  local lstm = nn.LSTM(3, 5, {num_layers = 3, batch_first = true, bidirectional = true})
  local out, state = lstm(torch.randn(2, 7, 3))
  T.eq(shape_of(out), "2x7x10")
  T.eq(shape_of(state[1]), "6x2x5")
  T.eq(shape_of(state[2]), "6x2x5")
  local gru = nn.GRU(3, 5)
  local o, h = gru(torch.randn(7, 3))
  T.eq(shape_of(o), "7x5")
  T.eq(shape_of(h), "1x5")
  local rnn = nn.RNN(3, 5, 2, {nonlinearity = "relu"})
  o, h = rnn(torch.randn(1, 1, 3), torch.zeros(2, 1, 5))
  T.eq(shape_of(o), "1x1x5")
  T.eq(shape_of(h), "2x1x5")
  T.truthy(o:min():item() >= 0, "relu outputs are non-negative")
  -- the last output of the forward direction is h_n
  local bi = nn.RNN(2, 3, {bidirectional = true})
  o, h = bi(torch.randn(4, 1, 2))
  T.eq((o[4]:narrow(2, 1, 3) - h[1]):abs():max():item(), 0)
  T.eq((o[1]:narrow(2, 4, 3) - h[2]):abs():max():item(), 0, "the reverse direction ends at t = 1")
end)

T.test("RNN, LSTM, GRU: printed as PyTorch prints them", function()
  T.eq(tostring(nn.LSTM(3, 4, 2, {bidirectional = true})), "LSTM(3, 4, num_layers=2, bidirectional=True)")
  T.eq(tostring(nn.GRU(3, 4, {num_layers = 2, batch_first = true, dropout = 0.5, bidirectional = true})),
    "GRU(3, 4, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True)")
  T.eq(tostring(nn.RNN(3, 4, {nonlinearity = "relu", bias = false})), "RNN(3, 4, bias=False)")
  T.eq(#nn.RNN(3, 4, {bias = false}):parameters(), 2)
end)

T.test("RNN, LSTM, GRU: errors name the layer and the shapes", function()
  local lstm = nn.LSTM(3, 4, 2)
  T.errors("LSTM: expected input of shape (L, N, 3) or unbatched (L, 3), got 5x2x6", lstm, torch.randn(5, 2, 6))
  T.errors("LSTM: expected input of shape (L, N, 3)", lstm, torch.randn(3))
  T.errors("LSTM: expected h_0 of shape 2x2x4, got 1x2x4", lstm, torch.randn(5, 2, 3),
    {torch.zeros(1, 2, 4), torch.zeros(2, 2, 4)})
  T.errors("LSTM: expected c_0 of shape 2x2x4, got 2x4", lstm, torch.randn(5, 2, 3),
    {torch.zeros(2, 2, 4), torch.zeros(2, 4)})
  T.errors("LSTM: hx must be a pair {h_0, c_0}", lstm, torch.randn(5, 2, 3), torch.zeros(2, 2, 4))
  T.errors("GRU: expected h_0 of shape 1x4, got 1x2x4", nn.GRU(3, 4), torch.randn(5, 3), torch.zeros(1, 2, 4))
  T.errors("(batch_first: (N, L, 3))", nn.GRU(3, 4, {batch_first = true}), torch.randn(2, 5, 4))
  T.errors("RNN: unknown nonlinearity 'sigmoid' (use 'tanh' or 'relu')", nn.RNN, 3, 4, {nonlinearity = "sigmoid"})
  T.errors("GRU: unknown option 'nonlinearity'", nn.GRU, 3, 4, {nonlinearity = "relu"})
  T.errors("LSTM: unknown option 'bidirectinal'", nn.LSTM, 3, 4, {bidirectinal = true})
  T.errors("LSTM: hidden_size must be a positive integer, got 0", nn.LSTM, 3, 0)
  T.errors("GRU: dropout must be a number in [0, 1], got 2", nn.GRU, 3, 4, {dropout = 2})
  T.errors("rnn: mode must be RNN_TANH, RNN_RELU, LSTM or GRU", F.rnn, torch.randn(2, 1, 1), nil, {}, {mode = "X"})
  T.errors("GRU: expected 8 weight tensors", F.rnn, torch.randn(2, 1, 1), nil, {}, {mode = "GRU", num_layers = 2})
end)
