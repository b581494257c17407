-- test_nn_module.lua — nn.Module and the basic layers: registration in
-- assignment order, PyTorch's dotted names and layouts, train/eval,
-- zero_grad, apply, to, state_dict round trips and their errors, a
-- PyTorch-made state_dict (0-based keys) giving PyTorch's outputs and
-- gradients, the printed architecture, positional containers, nn.init's
-- distributions (formulas worked out by hand) and F.linear's gradcheck.
local T = require "testing"
local G = require "gradtest"

torch.manual_seed(11)

local function mlp_class()
  local Net = nn.Module:extend("Net")
  function Net:init() self.fc1 = nn.Linear(784, 128); self.fc2 = nn.Linear(128, 10) end
  function Net:forward(x) return self.fc2(self.fc1(x:flatten(2)):relu()) end
  return Net
end

local function names_of(iter)
  local out = {}
  for name in iter do out[#out + 1] = name end
  return out
end

T.test("Module: fields register in assignment order with PyTorch names and layouts", function()
  local net = mlp_class()()
  T.eq(table.concat(names_of(net:named_parameters()), " "), "fc1.weight fc1.bias fc2.weight fc2.bias")
  local p = net:parameters()
  T.eq(#p, 4)
  T.eq(table.concat(p[1].shape, "x"), "128x784")   -- Linear weight is out x in
  T.eq(table.concat(p[3].shape, "x"), "10x128")
  T.truthy(rawequal(p[1], net.fc1.weight), "parameters() returns the parameter objects")
  T.truthy(p[1].is_leaf and p[1].requires_grad, "parameters are leaves requiring grad")
  T.eq(#net:children(), 2)
  T.eq(#net:modules(), 3)
  T.eq(table.concat(names_of(net:named_modules()), ","), ",fc1,fc2")
  local y = net(torch.randn(2, 1, 28, 28))
  T.eq(table.concat(y.shape, "x"), "2x10")
end)

T.test("Module: plain fields stay plain; a registered name keeps its kind", function()
  local M = nn.Module:extend("M")
  function M:init()
    self.scale = 2
    self.t = torch.ones(2)                     -- a tensor, not a parameter
    self.w = nn.Parameter(torch.ones(2))
    self:register_buffer("stat", torch.zeros(2))
  end
  local m = M()
  T.eq(#m:parameters(), 1)
  T.eq(#m:buffers(), 1)
  T.eq(m.scale, 2)
  T.errors("cannot assign a tensor as parameter 'w' (nn.Parameter or nil expected)", function() m.w = torch.ones(2) end)
  T.errors("cannot assign a number as buffer 'stat'", function() m.stat = 3 end)
  m.w = nil
  T.eq(#m:parameters(), 0)
  m.w = nn.Parameter(torch.zeros(3))
  T.eq(m:parameters()[1]:numel(), 3)
  T.errors("forward is not defined", function() m(torch.ones(1)) end)
  T.errors("the name is taken", function() m:register_buffer("scale", torch.ones(1)) end)
end)

T.test("Module: a shared parameter or module is listed once", function()
  local M = nn.Module:extend("Tied")
  function M:init()
    self.a = nn.Linear(3, 3)
    self.b = self.a
  end
  local m = M()
  T.eq(#m:parameters(), 2)
  T.eq(#m:modules(), 2)
end)

T.test("Module: train/eval reach every submodule; apply visits children first", function()
  local net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Identity()))
  T.eq(net.training, true)
  T.truthy(rawequal(net:eval(), net), "eval returns the module")
  T.eq(net[2][1].training, false)
  net:train()
  T.eq(net[2][1].training, true)
  local seen = {}
  net:apply(function(m) seen[#seen + 1] = m:_type() end)
  T.eq(table.concat(seen, " "), "Linear Identity Sequential Sequential")
end)

T.test("Module: zero_grad sets grads to nil, or zeroes them with set_to_none = false", function()
  local lin = nn.Linear(3, 2)
  lin(torch.randn(4, 3)):sum():backward()
  T.truthy(lin.weight.grad ~= nil, "grad after backward")
  lin:zero_grad({set_to_none = false})
  T.eq(lin.weight.grad:abs():sum():item(), 0)
  lin:zero_grad()
  T.eq(lin.weight.grad, nil)
end)

T.test("Module: to(dtype) converts parameters and buffers", function()
  local m = nn.Linear(3, 2)
  m:register_buffer("count", torch.zeros(1, {dtype = "int64"}))
  m:to("float64")
  T.eq(m.weight.dtype, "float64")
  T.eq(m.bias.dtype, "float64")
  T.truthy(m.weight.requires_grad and nn.Parameter.is_parameter(m.weight), "still a parameter")
  T.eq(m.count.dtype, "int64")                    -- integer buffers are left alone
  T.eq(m(torch.randn(1, 3, {dtype = "float64"})).dtype, "float64")
end)

T.test("state_dict: names, shared storage, and a round trip into a fresh model", function()
  local Net = mlp_class()
  local a, b = Net(), Net()
  local sd = a:state_dict()
  local keys = {}
  for k in pairs(sd) do keys[#keys + 1] = k end
  table.sort(keys)
  T.eq(table.concat(keys, " "), "fc1.bias fc1.weight fc2.bias fc2.weight")
  T.eq(sd["fc1.weight"].requires_grad, false)
  b:load_state_dict(sd)
  local x = torch.randn(3, 784)
  T.eq((a(x) - b(x)):abs():max():item(), 0)
  T.truthy(not rawequal(b.fc1.weight, a.fc1.weight), "load copies values, keeps b's parameters")
end)

T.test("load_state_dict: missing, unexpected and mis-shaped keys are errors naming them", function()
  local Net = mlp_class()
  local net = Net()
  local sd = net:state_dict()
  sd["fc1.bias"] = nil
  T.errors('missing key(s): "fc1.bias"', function() net:load_state_dict(sd) end)
  sd = net:state_dict()
  sd["fc3.weight"] = torch.zeros(1)
  T.errors('unexpected key(s): "fc3.weight"', function() net:load_state_dict(sd) end)
  local missing, unexpected = net:load_state_dict(sd, {strict = false})
  T.eq(#missing, 0)
  T.eq(unexpected[1], "fc3.weight")
  sd = net:state_dict()
  sd["fc2.weight"] = torch.zeros(10, 129)
  T.errors("size mismatch for fc2.weight: copying a tensor of shape 10x129 from the checkpoint, "
    .. "the shape in the model is 10x128", function() net:load_state_dict(sd, {strict = false}) end)
  T.errors("expected a table of tensors", function() net:load_state_dict(3) end)
end)

-- Builds a tensor of a fixture entry {shape, values}.
local function fixture_tensor(e)
  return torch.tensor(e.values, {dtype = "float64"}):reshape(e.shape)
end

T.test("load_state_dict: PyTorch's 0-based Sequential keys load with zero_based, giving PyTorch's results", function()
  local fx = dofile("tests/fixtures/module.lua")
  local model = nn.Sequential(nn.Linear(4, 3), nn.Identity(), nn.Linear(3, 2)):to("float64")
  local sd = {}
  for k, e in pairs(fx.state_dict) do sd[k] = fixture_tensor(e) end
  T.errors("pass {zero_based = true}", function() model:load_state_dict(sd) end)
  model:load_state_dict(sd, {zero_based = true})
  local y = model(fixture_tensor(fx.x))
  T.allclose(y:reshape(-1):totable(), fx.y.values, 1e-12)
  y:pow(2):sum():backward()
  local ours = {["0.weight"] = model[1].weight, ["0.bias"] = model[1].bias, ["2.weight"] = model[3].weight,
    ["2.bias"] = model[3].bias}
  for name, p in pairs(ours) do
    T.allclose(p.grad:reshape(-1):totable(), fx.grads[name].values, 1e-12, name)
  end
  -- And back: a 0-based state_dict PyTorch would load.
  local out = model:state_dict({zero_based = true})
  T.truthy(out["2.weight"] ~= nil and out["3.weight"] == nil, "0-based keys")
end)

T.test("tostring: the architecture reads like PyTorch's repr", function()
  local net = mlp_class()()
  T.eq(tostring(net), "Net(\n"
    .. "  (fc1): Linear(in_features=784, out_features=128, bias=True)\n"
    .. "  (fc2): Linear(in_features=128, out_features=10, bias=True)\n"
    .. ")")
  local seq = nn.Sequential(nn.Linear(2, 2, {bias = false}), nn.Sequential(nn.Flatten()))
  T.eq(tostring(seq), "Sequential(\n"
    .. "  (1): Linear(in_features=2, out_features=2, bias=False)\n"
    .. "  (2): Sequential(\n"
    .. "    (1): Flatten(start_dim=2, end_dim=-1)\n"
    .. "  )\n"
    .. ")")
end)

T.test("summary: per-module and total parameter counts", function()
  local net = nn.Sequential(nn.Linear(784, 128), nn.Linear(128, 128), nn.Linear(128, 10))
  local text = net:summary()
  -- 784*128 + 128 = 100,480; 128*128 + 128 = 16,512; 128*10 + 10 = 1,290.
  T.truthy(text:find("100,480", 1, true) and text:find("16,512", 1, true) and text:find("1,290", 1, true), text)
  T.truthy(text:find("total parameters:     118,282", 1, true), text)
  net[1].weight.requires_grad = false          -- 118,282 - 784*128
  T.truthy(net:summary():find("trainable parameters: 17,930", 1, true), "frozen weights are not trainable")
end)

T.test("Sequential/ModuleList: 1-based positions, negative from the end, insert, errors", function()
  local a, b, c = nn.Identity(), nn.Flatten(), nn.Linear(1, 1)
  local list = nn.ModuleList({a, b})
  T.eq(#list, 2)
  T.truthy(rawequal(list[1], a) and rawequal(list[-1], b), "list[1], list[-1]")
  T.eq(list[3], nil)
  list:insert(1, c)
  T.truthy(rawequal(list[1], c) and rawequal(list[2], a) and rawequal(list[3], b), "insert shifts")
  local n = 0
  for _ in ipairs(list) do n = n + 1 end
  T.eq(n, 3)
  T.errors("index 5 out of range (3 modules)", function() list[5] = nn.Identity() end)
  T.errors("element 1 must be a Module", function() list[1] = 3 end)
  T.errors("argument 2 must be a Module", function() nn.Sequential(nn.Identity(), 7) end)
  local seq = nn.Sequential(nn.Linear(3, 4), nn.Flatten(1))
  T.eq(seq(torch.ones(2, 3)):numel(), 8)
  local d = nn.ModuleDict({z = nn.Identity(), a = nn.Flatten()})
  T.eq(table.concat(d:keys(), ","), "a,z")
  T.eq(#d, 2)
end)

T.test("F.linear / Linear: values, gradcheck, bad shapes", function()
  local x = G.randn(4, 3)
  local w = G.randn(2, 3)
  local b = G.randn(2)
  local y = nn.functional.linear(x, w, b)
  -- y[i][j] = sum_k x[i][k] w[j][k] + b[j], by hand for one entry.
  local want = b[1]:item()
  for k = 1, 3 do want = want + x[2][k]:item() * w[1][k]:item() end
  T.close(y[2][1]:item(), want, 1e-12)
  T.truthy(G.gradcheck(nn.functional.linear, {x, w, b}), "2-D with bias")
  T.truthy(G.gradcheck(nn.functional.linear, {G.randn(2, 3, 3), w}), "3-D without bias")
  T.truthy(G.gradcheck(nn.functional.linear, {G.randn(3), w, b}), "1-D")
  T.errors("linear: expected input with 3 features (weight 2x3), got 4x5", nn.functional.linear,
    torch.randn(4, 5), torch.randn(2, 3))
  T.errors("Linear: unknown option 'bais'", function() nn.Linear(2, 3, {bais = false}) end)
end)

-- |values| all within bound, and their spread not far below it (a uniform's
-- max is close to its bound for thousands of draws).
local function uniform_within(t, bound)
  local m = t:abs():max():item()
  return m <= bound * (1 + 1e-6) and m > 0.95 * bound
end

T.test("nn.init: PyTorch's default Linear init and the kaiming/xavier formulas", function()
  local lin = nn.Linear(400, 300)
  T.truthy(uniform_within(lin.weight, 1 / math.sqrt(400)), "weight ~ U(-1/sqrt(in), 1/sqrt(in))")
  T.truthy(uniform_within(lin.bias, 1 / math.sqrt(400)), "bias ~ U(-1/sqrt(in), 1/sqrt(in))")
  local w = torch.empty(300, 200)
  -- relu gain sqrt(2); fan_in 200: bound = sqrt(2) * sqrt(3 / 200).
  nn.init.kaiming_uniform_(w, {nonlinearity = "relu"})
  T.truthy(uniform_within(w, math.sqrt(2) * math.sqrt(3 / 200)), "kaiming_uniform_ bound")
  nn.init.kaiming_normal_(w, {mode = "fan_out", nonlinearity = "relu"})
  T.close(w:std():item(), math.sqrt(2 / 300), 0.03, "kaiming_normal_ std (fan_out)")
  nn.init.xavier_uniform_(w, {gain = 2})
  T.truthy(uniform_within(w, 2 * math.sqrt(6 / 500)), "xavier_uniform_ bound")
  nn.init.xavier_normal_(w)
  T.close(w:std():item(), math.sqrt(2 / 500), 0.03, "xavier_normal_ std")
  local conv_w = torch.empty(6, 3, 5, 5)
  local fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(conv_w)
  T.eq(fan_in, 75)
  T.eq(fan_out, 150)
  T.close(nn.init.calculate_gain("tanh"), 5 / 3)
  T.close(nn.init.calculate_gain("leaky_relu", 0.2), math.sqrt(2 / 1.04))
  T.close(nn.init.calculate_gain("leaky_relu"), math.sqrt(2 / 1.0001))
  T.errors("unsupported nonlinearity 'swish'", nn.init.calculate_gain, "swish")
  T.errors("need a tensor of at least 2 dims", nn.init.xavier_uniform_, torch.empty(3))
  T.errors("unknown option 'gian'", nn.init.xavier_uniform_, w, {gian = 1})
  T.eq(nn.init.constant_(torch.empty(2), 0.5):sum():item(), 1)
end)

T.test("nn.init.orthogonal_: orthonormal rows or columns, scaled by gain", function()
  for _, shape in ipairs({{6, 4}, {3, 5}, {4, 2, 2}}) do
    local w = nn.init.orthogonal_(torch.empty(shape, {dtype = "float64"}), {gain = 2})
    local m = w:reshape(shape[1], -1)
    local gram = m:size(1) <= m:size(2) and m:matmul(m:t()) or m:t():matmul(m)
    local eye = torch.eye(gram:size(1), {dtype = "float64"}) * 4
    T.truthy((gram - eye):abs():max():item() < 1e-10, "orthogonal " .. table.concat(shape, "x"))
  end
end)

T.test("nn.init: no gradient is recorded and the version moves", function()
  local p = nn.Parameter(torch.empty(3, 3))
  local v = p._version
  nn.init.normal_(p)
  T.eq(p.grad_fn, nil)
  T.truthy(p._version > v, "in-place fill bumps the version")
end)
