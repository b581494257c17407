-- test_nn_conv.lua — the convolutions from Lua: every case of
-- tests/fixtures/conv.lua (forward and the three gradients, against PyTorch on
-- the same values, through torch.*, F.* and the nn classes), gradcheck in
-- float64 for every variant (stride, padding, 'same', dilation, groups,
-- output_padding, batch of one, unbatched, no bias, odd sizes) and
-- gradgradcheck (the backward is itself differentiable), a convolution worked
-- out by hand, the classes (PyTorch's repr, layouts, default initialisation,
-- output_size) and the messages of bad input.
local T = require "testing"
local G = require "gradtest"
local FX = require "fixture"

local gradcheck, gradgradcheck, randn = G.gradcheck, G.gradgradcheck, G.randn

torch.manual_seed(3)

-- ---- against PyTorch --------------------------------------------------------------

local fx = FX.load "conv"
local function input(name) return FX.build(fx, {t = name}) end

-- y, and the gradients after y:backward(g), compared with the case's want.
local function check_case(c, y, x, w, b)
  FX.check(y, c.want.y, "output")
  y:backward(input(c.g))
  FX.check(x.grad, c.want.gx, "input gradient")
  FX.check(w.grad, c.want.gw, "weight gradient")
  if c.b then FX.check(b.grad, c.want.gb, "bias gradient") end
end

for _, c in ipairs(fx.cases) do
  T.test("vs PyTorch: " .. c.name, function()
    local x, w = input(c.x):requires_grad_(), input(c.w):requires_grad_()
    local b = c.b and input(c.b):requires_grad_()
    check_case(c, torch[c.fn](x, w, b, c.opts), x, w, b)
    -- F.* is the same function
    local x2 = input(c.x):requires_grad_()
    FX.check(F[c.fn](x2, w, b, c.opts), c.want.y, "F." .. c.fn)
  end)
  if c.layer then
    T.test("vs PyTorch, as nn." .. c.layer.name .. ": " .. c.name, function()
      local m = nn[c.layer.name](table.unpack(c.layer.args))
      local sd = {weight = input(c.w)}
      if c.b then sd.bias = input(c.b) end
      m:load_state_dict(sd)
      local x = input(c.x):requires_grad_()
      check_case(c, m(x), x, m.weight, m.bias)
    end)
  end
end

-- ---- gradcheck (float64) ----------------------------------------------------------------

-- {name, fn, x shape, w shape, bias size (or nil), options}
local variants = {
  {"conv2d", torch.conv2d, {2, 2, 4, 5}, {3, 2, 2, 3}, 3, {}},
  {"conv2d stride 2, padding 1, odd sizes", torch.conv2d, {1, 2, 5, 4}, {2, 2, 3, 2}, 2, {stride = 2, padding = 1}},
  {"conv2d stride {1, 3}, padding {0, 2}", torch.conv2d, {2, 1, 4, 7}, {2, 1, 2, 3}, 2, {stride = {1, 3}, padding = {0, 2}}},
  {"conv2d dilation 2", torch.conv2d, {1, 2, 5, 5}, {2, 2, 2, 2}, 2, {dilation = 2, padding = {1, 0}}},
  {"conv2d groups 2", torch.conv2d, {2, 4, 3, 3}, {4, 2, 2, 2}, 4, {groups = 2, padding = 1}},
  {"conv2d depthwise", torch.conv2d, {1, 3, 4, 4}, {3, 1, 3, 3}, 3, {groups = 3, stride = 2, padding = 1}},
  {"conv2d padding 'same', even kernel", torch.conv2d, {1, 2, 4, 5}, {2, 2, 2, 4}, 2, {padding = "same"}},
  {"conv2d batch of 1, no bias", torch.conv2d, {1, 2, 4, 4}, {3, 2, 3, 3}, nil, {padding = 1}},
  {"conv2d unbatched", torch.conv2d, {2, 4, 3}, {2, 2, 2, 2}, 2, {}},
  {"conv2d 1x1 kernel", torch.conv2d, {2, 3, 3, 2}, {2, 3, 1, 1}, 2, {}},
  {"conv2d everything", torch.conv2d, {2, 4, 5, 6}, {2, 2, 3, 2}, 2,
   {stride = {2, 3}, padding = {1, 2}, dilation = {1, 2}, groups = 2}},
  {"conv1d", torch.conv1d, {2, 2, 7}, {3, 2, 3}, 3, {stride = 2, padding = 1, dilation = 2}},
  {"conv1d 'same', groups 2, unbatched", torch.conv1d, {4, 5}, {2, 2, 4}, 2, {padding = "same", groups = 2}},
  {"conv_transpose2d", torch.conv_transpose2d, {1, 3, 3, 2}, {3, 2, 2, 3}, 2, {}},
  {"conv_transpose2d stride 2, padding 1, output_padding 1", torch.conv_transpose2d, {2, 2, 2, 3}, {2, 2, 3, 3}, 2,
   {stride = 2, padding = 1, output_padding = 1}},
  {"conv_transpose2d groups 2, dilation 2, stride {1, 2}", torch.conv_transpose2d, {1, 4, 2, 2}, {4, 1, 2, 2}, 2,
   {groups = 2, dilation = 2, stride = {1, 2}}},
  {"conv_transpose2d unbatched, no bias", torch.conv_transpose2d, {2, 2, 2}, {2, 2, 2, 2}, nil, {stride = {3, 2}}},
  {"conv_transpose1d", torch.conv_transpose1d, {2, 3, 3}, {3, 2, 3}, 2, {stride = 3, padding = 1, output_padding = 2}},
}

for _, v in ipairs(variants) do
  local name, fn, xs, ws, bn, opts = table.unpack(v)
  T.test("gradcheck: " .. name, function()
    local inputs = {randn(table.unpack(xs)), randn(table.unpack(ws))}
    if bn then inputs[3] = randn(bn) end
    T.truthy(gradcheck(function(x, w, b) return fn(x, w, b, opts) end, inputs))
  end)
end

T.test("gradgradcheck: the backward of a convolution is differentiable", function()
  local conv = function(x, w, b) return torch.conv2d(x, w, b, {stride = 2, padding = 1, groups = 2}) end
  T.truthy(gradgradcheck(conv, {randn(1, 2, 3, 4), randn(2, 1, 2, 2), randn(2)}))
  local convT = function(x, w) return torch.conv_transpose1d(x, w, nil, {stride = 2, output_padding = 1}) end
  T.truthy(gradgradcheck(convT, {randn(2, 2, 3), randn(2, 1, 2)}))
  -- a gradient penalty: d/dw of |d conv(x, w) / dx|^2
  local x, w = randn(1, 1, 4, 4), randn(2, 1, 3, 3)
  local y = torch.conv2d(x, w, nil, {padding = 1})
  local gx = torch.autograd.grad({(y * y):sum()}, {x}, {create_graph = true})[1]
  local gw = torch.autograd.grad({(gx * gx):sum()}, {w})[1]
  T.eq(table.concat(gw.shape, "x"), "2x1x3x3")
  T.truthy(gw:abs():sum():item() > 0, "the penalty's gradient is not zero")
end)

-- ---- by hand ----------------------------------------------------------------------------

T.test("a convolution worked out by hand, and cross-correlation order", function()
  -- x = 1..9 as 3x3, w = [[1, 0], [0, -1]]: y[i][j] = x[i][j] - x[i+1][j+1] = -4 everywhere
  local x = torch.arange(1, 10):double():view(1, 1, 3, 3)
  local w = torch.tensor({{{{1, 0}, {0, -1}}}}, {dtype = "float64"})
  T.allclose(torch.conv2d(x, w):totable(), {{{{-4, -4}, {-4, -4}}}})
  -- padding 1 and a bias of 10: the corners see one element each
  local y = torch.conv2d(x, w, torch.tensor({10.0}, {dtype = "float64"}), {padding = 1})
  T.eq(table.concat(y.shape, "x"), "1x1x4x4")
  T.allclose(y[1][1][1]:totable(), {9, 8, 7, 10})
  T.allclose(y[1][1][4]:totable(), {10, 17, 18, 19})
  -- stride 2 over 1..16 (4x4) with a 1x1 weight of 2 picks every other element
  local z = torch.conv2d(torch.arange(1, 17):float():view(1, 1, 4, 4), torch.full({1, 1, 1, 1}, 2.0), nil, {stride = 2})
  T.allclose(z:totable(), {{{{2, 6}, {18, 22}}}})
  -- 'valid' is no padding; conv_transpose of a one-hot input places the kernel
  T.allclose(torch.conv2d(x, w, nil, {padding = "valid"}):totable(), torch.conv2d(x, w):totable())
  local hot = torch.zeros(1, 1, 2, 2, {dtype = "float64"})
  hot[1][1][2][1] = 1
  T.allclose(torch.conv_transpose2d(hot, w):totable(), {{{{0, 0, 0}, {1, 0, 0}, {0, -1, 0}}}})
end)

T.test("float32 and float64 agree; results keep the input's dtype", function()
  local x, w, b = torch.randn(2, 3, 6, 5), torch.randn(4, 3, 3, 3), torch.randn(4)
  local y = torch.conv2d(x, w, b, {padding = 1, stride = 2})
  local yd = torch.conv2d(x:double(), w:double(), b:double(), {padding = 1, stride = 2})
  T.eq(y.dtype, "float32")
  T.eq(yd.dtype, "float64")
  T.truthy((y:double() - yd):abs():max():item() < 1e-4)
end)

T.test("one thread and several give the same results", function()
  local threads = torch.get_num_threads()
  local x, w = torch.randn(5, 3, 6, 6, {dtype = "float64"}), torch.randn(4, 3, 3, 3, {dtype = "float64"})
  local function run()
    local xl, wl = x:clone():requires_grad_(), w:clone():requires_grad_()
    local y = torch.conv2d(xl, wl, nil, {padding = 1})
    y:backward(torch.ones_like(y))
    return y, xl.grad, wl.grad
  end
  torch.set_num_threads(1)
  local y1, gx1, gw1 = run()
  torch.set_num_threads(3)
  local y3, gx3, gw3 = run()
  torch.set_num_threads(threads)
  T.truthy((y1 - y3):abs():max():item() < 1e-12)
  T.truthy((gx1 - gx3):abs():max():item() < 1e-12)
  T.truthy((gw1 - gw3):abs():max():item() < 1e-12)
end)

-- ---- the classes -----------------------------------------------------------------------

T.test("nn.Conv2d: PyTorch's layout, repr and default initialisation", function()
  local m = nn.Conv2d(1, 6, 5)
  T.eq(tostring(m), "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))")
  T.eq(table.concat(m.weight.shape, "x"), "6x1x5x5")
  T.eq(table.concat(m.bias.shape, "x"), "6")
  -- kaiming_uniform_(a = sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = 1 * 5 * 5
  local big = nn.Conv2d(16, 32, 3)
  local bound = 1 / math.sqrt(16 * 9)
  T.truthy(big.weight:abs():max():item() <= bound, "weights within the bound")
  T.truthy(big.weight:abs():max():item() > 0.9 * bound, "weights fill the range")
  T.truthy(big.bias:abs():max():item() <= bound, "bias within the bound")
  local names = {}
  for k in pairs(m:state_dict()) do names[#names + 1] = k end
  table.sort(names)
  T.eq(table.concat(names, " "), "bias weight")
  T.eq(tostring(nn.Conv2d(4, 8, {3, 5}, {stride = {2, 1}, padding = {1, 2}, dilation = 2, groups = 2, bias = false})),
    "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 1), padding=(1, 2), dilation=(2, 2), groups=2, bias=False)")
  T.eq(tostring(nn.Conv2d(3, 3, 3, {padding = "same"})), "Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1), padding=same)")
  T.eq(nn.Conv2d(2, 2, 3, {dtype = "float64"}).weight.dtype, "float64")
  local y = nn.Conv2d(1, 6, 5, {padding = 2})(torch.randn(2, 1, 28, 28))
  T.eq(table.concat(y.shape, "x"), "2x6x28x28")
  T.eq(y.grad_fn.name, "ConvolutionBackward")
end)

T.test("nn.Conv1d, nn.ConvTranspose1d, nn.ConvTranspose2d: layouts and repr", function()
  T.eq(tostring(nn.Conv1d(4, 8, 3, {padding = "same"})), "Conv1d(4, 8, kernel_size=(3,), stride=(1,), padding=same)")
  T.eq(table.concat(nn.Conv1d(4, 8, 3, {groups = 2}).weight.shape, "x"), "8x2x3")
  local t = nn.ConvTranspose2d(4, 6, {3, 2}, {stride = 2, output_padding = 1, groups = 2})
  T.eq(tostring(t), "ConvTranspose2d(4, 6, kernel_size=(3, 2), stride=(2, 2), output_padding=(1, 1), groups=2)")
  T.eq(table.concat(t.weight.shape, "x"), "4x3x3x2")    -- in x out/groups x kH x kW
  T.eq(table.concat(t.bias.shape, "x"), "6")
  T.eq(table.concat(t(torch.randn(1, 4, 3, 3)).shape, "x"), "1x6x8x7")
  local t1 = nn.ConvTranspose1d(2, 3, 4, {stride = 2, bias = false})
  T.eq(tostring(t1), "ConvTranspose1d(2, 3, kernel_size=(4,), stride=(2,), bias=False)")
  T.eq(table.concat(t1(torch.randn(2, 5)).shape, "x"), "3x12")
end)

T.test("ConvTranspose2d output_size picks among the sizes a stride allows", function()
  local down = nn.Conv2d(8, 16, 3, {stride = 2, padding = 1})
  local up = nn.ConvTranspose2d(16, 8, 3, {stride = 2, padding = 1})
  local x = torch.randn(1, 8, 12, 11)
  local h = down(x)
  T.eq(table.concat(h.shape, "x"), "1x16x6x6")
  T.eq(table.concat(up(h).shape, "x"), "1x8x11x11")
  T.eq(table.concat(up(h, x.shape).shape, "x"), "1x8x12x11")
  T.eq(table.concat(up(h, {12, 12}).shape, "x"), "1x8x12x12")
  T.errors("ConvTranspose2d: requested an output size of 13 in dim 1, but valid sizes range from 11 to 12",
    function() return up(h, {13, 12}) end)
  T.errors("Conv2d: output_size is only for transposed convolutions", function() return down(x, {6, 6}) end)
end)

-- ---- errors ----------------------------------------------------------------------------

T.test("bad input names the function and the shapes", function()
  local x = torch.randn(100, 1, 28, 28)
  T.errors("conv2d: expected input with 3 channels (weight 6x3x5x5), got 100x1x28x28",
    torch.conv2d, x, torch.randn(6, 3, 5, 5))
  T.errors("conv2d: expected input with 3 channels (weight 6x3x5x5), got 100x1x28x28",
    function() return nn.Conv2d(3, 6, 5)(x) end)
  T.errors("conv2d: expected a 3-D (unbatched) or 4-D (batched) input, got a 2-D input of size 28x28",
    torch.conv2d, torch.randn(28, 28), torch.randn(6, 1, 5, 5))
  T.errors("conv2d: expected a 4-D weight, got a 3-D weight of size 6x5x5", torch.conv2d, x, torch.randn(6, 5, 5))
  T.errors("conv2d: the kernel (5x5, spanning 5x5 with dilation) is larger than the padded input (3x3; input of size 1x1x3x3)",
    torch.conv2d, torch.randn(1, 1, 3, 3), torch.randn(2, 1, 5, 5))
  T.errors("conv2d: the kernel (3x3, spanning 5x5 with dilation) is larger than the padded input (4x4",
    torch.conv2d, torch.randn(1, 1, 4, 4), torch.randn(2, 1, 3, 3), nil, {dilation = 2})
  T.errors("conv1d: expected a 2-D (unbatched) or 3-D (batched) input, got a 4-D input",
    torch.conv1d, x, torch.randn(2, 1, 3))
  T.errors("conv2d: expected input with 4 channels (weight 6x2x3x3, groups 2), got 1x3x8x8",
    torch.conv2d, torch.randn(1, 3, 8, 8), torch.randn(6, 2, 3, 3), nil, {groups = 2})
  T.errors("conv2d: the weight's 6 output channels (weight 6x1x3x3) are not divisible by groups 4",
    torch.conv2d, torch.randn(1, 4, 8, 8), torch.randn(6, 1, 3, 3), nil, {groups = 4})
  T.errors("conv2d: expected a 1-D bias of 6 elements, got one of size 5",
    torch.conv2d, x, torch.randn(6, 1, 5, 5), torch.randn(5))
  T.errors("conv2d: the input (float32) and the weight (float64) must have the same dtype",
    torch.conv2d, x, torch.randn(6, 1, 5, 5, {dtype = "float64"}))
  T.errors("conv2d: expected a float32 or float64 input, got int64",
    torch.conv2d, torch.zeros(1, 1, 4, 4, {dtype = "int64"}), torch.zeros(1, 1, 2, 2, {dtype = "int64"}))
  T.errors("conv_transpose2d: expected input with 6 channels (weight 6x3x5x5), got 100x1x28x28",
    torch.conv_transpose2d, x, torch.randn(6, 3, 5, 5))
  T.errors("conv_transpose2d: output_padding must be smaller than either stride (2x2) or dilation (1x1), got 2x0",
    torch.conv_transpose2d, x, torch.randn(1, 2, 3, 3), nil, {stride = 2, output_padding = {2, 0}})
  T.errors("bad argument #2 to 'torch.conv2d' (Tensor expected, got no value)", torch.conv2d, x)
end)

T.test("bad options name the function", function()
  local x, w = torch.randn(1, 1, 6, 6), torch.randn(2, 1, 3, 3)
  T.errors("conv2d: unknown option 'paddng' (use stride, padding, dilation, groups)",
    torch.conv2d, x, w, nil, {paddng = 1})
  T.errors("conv2d: unknown option 'output_padding'", torch.conv2d, x, w, nil, {output_padding = 1})
  T.errors("conv2d: padding='same' is not supported for strided convolutions",
    torch.conv2d, x, w, nil, {padding = "same", stride = 2})
  T.errors("conv2d: padding must be a number, a table, 'valid' or 'same', got 'full'",
    torch.conv2d, x, w, nil, {padding = "full"})
  T.errors("conv_transpose2d: padding must be a number, a table, got 'same'",
    torch.conv_transpose2d, x, torch.randn(1, 2, 3, 3), nil, {padding = "same"})
  T.errors("conv2d: stride must be a number or a table of 2 numbers, got table",
    torch.conv2d, x, w, nil, {stride = {1, 2, 3}})
  T.errors("conv2d: stride must be positive, got 0x1", torch.conv2d, x, w, nil, {stride = {0, 1}})
  T.errors("conv2d: padding must be non-negative, got -1x-1", torch.conv2d, x, w, nil, {padding = -1})
  T.errors("conv2d: dilation must be an integer, got 1.5", torch.conv2d, x, w, nil, {dilation = 1.5})
  T.errors("conv2d: groups must be a positive number, got 0", torch.conv2d, x, w, nil, {groups = 0})
  T.errors("conv2d: expected an options table as argument 4, got number", torch.conv2d, x, w, nil, 1)
  T.errors("conv1d: stride must be a number or a table of 1 number, got table",
    torch.conv1d, torch.randn(1, 1, 6), torch.randn(1, 1, 3), nil, {stride = {1, 1}})
end)

T.test("bad layer arguments name the class", function()
  T.errors("Conv2d: padding_mode 'reflect' is not supported (only 'zeros')",
    function() return nn.Conv2d(1, 2, 3, {padding_mode = "reflect"}) end)
  T.errors("Conv2d: unknown option 'paddng'", function() return nn.Conv2d(1, 2, 3, {paddng = 1}) end)
  T.errors("Conv2d: in_channels (3) must be divisible by groups (2)", function() return nn.Conv2d(3, 4, 3, {groups = 2}) end)
  T.errors("Conv1d: out_channels (3) must be divisible by groups (2)", function() return nn.Conv1d(2, 3, 3, {groups = 2}) end)
  T.errors("Conv2d: in_channels must be a positive integer, got 0", function() return nn.Conv2d(0, 2, 3) end)
  T.errors("Conv2d: kernel_size must be an integer >= 1 or a table of 2 of them", function() return nn.Conv2d(1, 2) end)
  T.errors("Conv2d: padding='same' is not supported for strided convolutions",
    function() return nn.Conv2d(1, 2, 3, {padding = "same", stride = 2}) end)
  T.errors("ConvTranspose2d: padding must be an integer or a table of 2, got 'same'",
    function() return nn.ConvTranspose2d(1, 2, 3, {padding = "same"}) end)
  T.errors("Conv2d: unknown option 'output_padding'", function() return nn.Conv2d(1, 2, 3, {output_padding = 1}) end)
end)

T.test("help texts", function()
  for _, name in ipairs {"conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"} do
    T.truthy(torch.helptext(torch[name]):find("torch." .. name, 1, true), "torch." .. name)
    T.truthy(torch.helptext(F[name]):find("F." .. name, 1, true), "F." .. name)
  end
  for _, name in ipairs {"Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"} do
    T.truthy(torch.helptext(nn[name]):find("nn." .. name, 1, true), "nn." .. name)
  end
end)

T.test("every convolution node has a derivative formula with one letter per input", function()
  local D = require "torch.describe"
  local x, w, b = randn(1, 2, 4, 4), randn(2, 2, 3, 3), randn(2)
  local y = torch.conv2d(x, w, b)
  local gx = torch.autograd.grad({y:sum()}, {x}, {create_graph = true})[1]
  local gw = torch.autograd.grad({torch.conv2d(x, w):sum()}, {w}, {create_graph = true})[1]
  for _, t in ipairs {y, torch.conv2d(x, w), torch.conv_transpose2d(x, w:transpose(1, 2):contiguous()),
    torch.conv_transpose2d(x, w, b), gx, gw} do
    local info = torch.autograd._node(t.grad_fn)
    local f = D.parse_formula(info.formula, #info.inputs)
    T.truthy(f, info.name .. " has a formula that parses: " .. tostring(info.formula))
    T.eq(#f.vars, #info.inputs, info.name .. ": letters for " .. info.formula)
    for i, input in ipairs(info.inputs) do
      if input.node then T.truthy(f.clauses[i], info.name .. ": a clause for input " .. i) end
    end
  end
  local story = tostring(torch.autograd.explain(y:sum()))
  T.truthy(story:find("conv_weight_grad(g, x)", 1, true), story)
end)

-- Regression: the weight gradient summed per-thread shares in whatever order
-- the threads took samples, so two identical training runs drifted apart.
T.test("conv2d weight gradient is the same bit for bit run to run (2 threads)", function()
  local threads = torch.get_num_threads()
  torch.set_num_threads(2)
  torch.manual_seed(3)
  local x, g = torch.randn(64, 6, 14, 14), torch.randn(64, 16, 10, 10)
  local w = torch.randn(16, 6, 5, 5):requires_grad_()
  local function grad() w.grad = nil; F.conv2d(x, w):backward(g); return w.grad:clone() end
  local first = grad()
  for _ = 1, 10 do T.eq((grad() - first):abs():max():item(), 0) end
  torch.set_num_threads(threads)
end)
