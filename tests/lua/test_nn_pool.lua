-- test_nn_pool.lua — pooling: torch.max_pool1d/2d, avg_pool2d and the
-- adaptive pools, their nn.functional forms and classes.
--
-- Against PyTorch (tests/fixtures/poolnorm.lua): outputs, the 1-based
-- positions of the maxima (ties included) and the input gradients of
-- sum(out * gy), for strides, padding, dilation, ceil_mode,
-- count_include_pad, divisor_override, unbatched inputs and a batch of 1.
-- Against finite differences: gradcheck and gradgradcheck in float64 for
-- every op and option.  Then the classes (PyTorch's positional arguments,
-- reprs, return_indices) and the messages of bad input.
local T = require "testing"
local G = require "gradtest"
local C = require "poolnorm_cases"
local F = nn.functional

C.register({max_pool1d = true, max_pool2d = true, avg_pool2d = true, adaptive_avg_pool2d = true,
  adaptive_max_pool2d = true}, " (PyTorch)")

-- ---- gradients against finite differences -------------------------------------------

torch.manual_seed(11)
local gradcheck, gradgradcheck, randn = G.gradcheck, G.gradgradcheck, G.randn

T.test("max_pool2d: gradcheck over kernel, stride, padding, dilation, ceil_mode", function()
  local x = randn(2, 2, 5, 6)
  for _, o in ipairs({
    {2, {}}, {3, {stride = 1, padding = 1}}, {{2, 3}, {stride = {2, 1}, dilation = {1, 2}}},
    {3, {stride = 2, padding = 1, ceil_mode = true}}, {2, {dilation = 2, ceil_mode = true}},
  }) do
    T.truthy(gradcheck(function(t) return torch.max_pool2d(t, o[1], o[2]) end, {x}))
  end
  T.truthy(gradcheck(function(t) return F.max_pool2d(t, 2, {ceil_mode = true}) end, {randn(3, 5, 5)}))
end)

T.test("max_pool1d: gradcheck", function()
  local x = randn(2, 3, 9)
  T.truthy(gradcheck(function(t) return torch.max_pool1d(t, 3, {stride = 2, padding = 1}) end, {x}))
  T.truthy(gradcheck(function(t) return F.max_pool1d(t, 2, {dilation = 3, ceil_mode = true}) end, {x}))
  T.truthy(gradcheck(function(t) return F.max_pool1d(t, 4) end, {randn(2, 9)}))
end)

T.test("avg_pool2d: gradcheck with padding in and out of the divisor, ceil_mode, divisor_override", function()
  local x = randn(2, 2, 5, 6)
  for _, o in ipairs({
    {2, {}}, {3, {stride = 2, padding = 1}}, {3, {stride = 2, padding = 1, count_include_pad = false}},
    {3, {stride = 2, padding = 1, ceil_mode = true}},
    {3, {stride = 2, padding = 1, ceil_mode = true, count_include_pad = false}},
    {{3, 2}, {stride = 1, divisor_override = 4}},
  }) do
    T.truthy(gradcheck(function(t) return torch.avg_pool2d(t, o[1], o[2]) end, {x}))
  end
end)

T.test("adaptive pools: gradcheck, to smaller, equal, larger and uneven sizes", function()
  local x = randn(1, 2, 7, 5)
  for _, size in ipairs({1, {3, 2}, {7, 5}, {4, 4}, {9, 6}}) do
    T.truthy(gradcheck(function(t) return torch.adaptive_avg_pool2d(t, size) end, {x}))
    T.truthy(gradcheck(function(t) return torch.adaptive_max_pool2d(t, size) end, {x}))
  end
end)

T.test("pools: gradgradcheck (the gradients are recorded ops)", function()
  local x = randn(1, 2, 5, 5)
  T.truthy(gradgradcheck(function(t) return torch.max_pool2d(t, 3, {stride = 2, padding = 1}) end, {x}))
  T.truthy(gradgradcheck(function(t) return torch.avg_pool2d(t, 3, {stride = 2, padding = 1, ceil_mode = true}) end, {x}))
  T.truthy(gradgradcheck(function(t) return torch.adaptive_avg_pool2d(t, {3, 2}) end, {x}))
  T.truthy(gradgradcheck(function(t) return torch.adaptive_max_pool2d(t, 2) end, {x}))
  T.truthy(gradgradcheck(function(t) return torch.max_pool1d(t, 2) end, {randn(2, 2, 6)}))
  -- a nonlinear function of a pool: second derivatives that are not zero
  T.truthy(gradgradcheck(function(t) return torch.avg_pool2d(t * t, 2) end, {randn(1, 1, 4, 4)}))
end)

T.test("pools take strided (non-contiguous) inputs", function()
  local base = torch.randn(2, 3, 6, 5)
  local view = base:transpose(3, 4)
  local copy = view:contiguous()
  T.allclose(torch.max_pool2d(view, 2):totable(), torch.max_pool2d(copy, 2):totable(), 0)
  T.allclose(torch.avg_pool2d(view, 3, {padding = 1}):totable(), torch.avg_pool2d(copy, 3, {padding = 1}):totable(), 1e-6)
  T.truthy(gradcheck(function(t) return torch.max_pool2d(t:transpose(3, 4), 2) end, {randn(1, 2, 4, 6)}))
end)

-- ---- by hand ------------------------------------------------------------------------

T.test("max_pool2d by hand: values, 1-based positions, gradient routed to the max", function()
  local x = torch.arange(16):float():reshape(1, 1, 4, 4):requires_grad_()
  local y, idx = torch.max_pool2d(x, 2, {return_indices = true})
  T.allclose(y:totable(), {{{{5, 7}, {13, 15}}}})
  T.allclose(idx:totable(), {{{{6, 8}, {14, 16}}}})
  T.eq(idx.dtype, "int64")
  T.eq(y.grad_fn.name, "MaxPool2dBackward")
  y:sum():backward()
  T.allclose(x.grad:view(-1):totable(), {0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1})
  -- the positions index the flattened plane, as x:view(1, 1, -1):gather(3, ...) shows
  T.allclose(x:detach():view(1, 1, -1):gather(3, idx:view(1, 1, -1)):view(-1):totable(), {5, 7, 13, 15})
end)

T.test("avg_pool2d by hand: padding in and out of the divisor", function()
  local x = torch.ones(1, 1, 2, 2)
  T.allclose(torch.avg_pool2d(x, 3, {stride = 1, padding = 1}):totable(), {{{{4 / 9, 4 / 9}, {4 / 9, 4 / 9}}}}, 1e-6)
  T.allclose(torch.avg_pool2d(x, 3, {stride = 1, padding = 1, count_include_pad = false}):totable(),
    {{{{1, 1}, {1, 1}}}})
  T.allclose(torch.avg_pool2d(x, 2, {divisor_override = 2}):totable(), {{{{2}}}})
end)

T.test("a NaN wins its window, as in PyTorch", function()
  local x = torch.tensor({{{1, 0 / 0, 3, 4}}})
  local y, idx = torch.max_pool1d(x, 2, {return_indices = true})
  T.truthy(y[1][1][1]:item() ~= y[1][1][1]:item())
  T.allclose(idx:totable(), {{{2, 4}}})
end)

T.test("float64 in, float64 out; the grad_fn names", function()
  local x = torch.randn(1, 2, 4, 4, {dtype = "float64"}):requires_grad_()
  T.eq(torch.avg_pool2d(x, 2).dtype, "float64")
  T.eq(torch.avg_pool2d(x, 2).grad_fn.name, "AvgPool2dBackward")
  T.eq(torch.adaptive_avg_pool2d(x, 1).grad_fn.name, "AdaptiveAvgPool2dBackward")
  T.eq(torch.adaptive_max_pool2d(x, 1).grad_fn.name, "AdaptiveMaxPool2dBackward")
  T.eq(torch.max_pool1d(x:view(1, 2, 16), 2).grad_fn.name, "MaxPool1dBackward")
end)

-- ---- classes ------------------------------------------------------------------------

T.test("pool classes: PyTorch's reprs, positional arguments and options", function()
  T.eq(tostring(nn.MaxPool2d(2, 2)), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)")
  T.eq(tostring(nn.MaxPool2d({3, 2}, {stride = 1, padding = 1, ceil_mode = true})),
    "MaxPool2d(kernel_size=(3, 2), stride=1, padding=1, dilation=1, ceil_mode=True)")
  T.eq(tostring(nn.MaxPool1d(3)), "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)")
  T.eq(tostring(nn.AvgPool2d(3, 2, 1)), "AvgPool2d(kernel_size=3, stride=2, padding=1)")
  T.eq(tostring(nn.AdaptiveAvgPool2d({5, 7})), "AdaptiveAvgPool2d(output_size=(5, 7))")
  T.eq(tostring(nn.AdaptiveAvgPool2d(1)), "AdaptiveAvgPool2d(output_size=1)")
  T.eq(tostring(nn.AdaptiveMaxPool2d(2, true)), "AdaptiveMaxPool2d(output_size=2)")
  T.eq(#nn.MaxPool2d(2):parameters(), 0)
end)

T.test("pool classes compute their functional forms", function()
  local x = torch.randn(2, 3, 7, 6)
  local same = function(a, b) T.allclose(a:totable(), b:totable(), 0) end
  same(nn.MaxPool2d(3, 2, 1, 1, false, true)(x), F.max_pool2d(x, 3, {stride = 2, padding = 1, ceil_mode = true}))
  same(nn.AvgPool2d(3, {stride = 2, count_include_pad = false, padding = 1})(x),
    F.avg_pool2d(x, 3, {stride = 2, padding = 1, count_include_pad = false}))
  same(nn.AdaptiveAvgPool2d({2, 3})(x), F.adaptive_avg_pool2d(x, {2, 3}))
  same(nn.AdaptiveMaxPool2d(3)(x), F.adaptive_max_pool2d(x, 3))
  same(nn.MaxPool1d(2)(x:view(2, 3, 42)), F.max_pool1d(x:view(2, 3, 42), 2))
  local y, idx = nn.MaxPool2d(2, {return_indices = true})(x)
  local y2, idx2 = nn.AdaptiveMaxPool2d(3, {return_indices = true})(x)
  same(y, F.max_pool2d(x, 2))
  T.eq(idx.dtype, "int64")
  same(y2, F.adaptive_max_pool2d(x, 3))
  T.eq(idx2:max():item() <= 42, true)
end)

T.test("pool errors name the function and the shapes", function()
  local x = torch.randn(1, 3, 4, 4)
  T.errors("max_pool2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got 4x4",
    torch.max_pool2d, torch.randn(4, 4), 2)
  T.errors("max_pool2d: the kernel is larger than the padded input: input 1x3x4x4 with kernel_size 5x5",
    torch.max_pool2d, x, 5)
  T.errors("avg_pool2d: padding must be between 0 and half the kernel size, got padding 2x2 with kernel_size 3x3",
    F.avg_pool2d, x, 3, {padding = 2})
  T.errors("max_pool2d: unknown option 'paddng'", F.max_pool2d, x, 2, {paddng = 1})
  T.errors("avg_pool2d: unknown option 'dilation'", F.avg_pool2d, x, 2, {dilation = 2})
  T.errors("max_pool2d: kernel_size must be an integer or a table of integers, got 1.5", torch.max_pool2d, x, 1.5)
  T.errors("max_pool2d: kernel_size must be a number or a table of 2 numbers, got a table of 3",
    torch.max_pool2d, x, {1, 2, 3})
  T.errors("max_pool2d: stride must be positive", torch.max_pool2d, x, 2, {stride = 0})
  T.errors("max_pool1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got 1x3x4x4", F.max_pool1d, x, 2)
  T.errors("max_pool2d: needs a floating point input, got int64", torch.max_pool2d, torch.ones(1, 2, 2, {dtype = "int64"}), 2)
  T.errors("adaptive_avg_pool2d: output_size must be positive and at most 2^31, got 0x2", torch.adaptive_avg_pool2d, x, {0, 2})
  T.errors("avg_pool2d: divisor_override must be a positive integer, got 0", torch.avg_pool2d, x, 2, {divisor_override = 0})
  T.errors("MaxPool2d: kernel_size is required", nn.MaxPool2d)
  T.errors("MaxPool2d: unknown option 'strides'", nn.MaxPool2d, 2, {strides = 1})
  T.errors("max_pool2d: the kernel is larger than the padded input", nn.MaxPool2d(3), torch.randn(1, 1, 2, 2))
end)

T.test("an empty batch pools to an empty batch, forward and backward", function()
  local x = torch.randn(0, 2, 4, 4, {requires_grad = true})
  local y, idx = torch.max_pool2d(x, 2, {return_indices = true})
  T.eq(table.concat(y.shape, "x"), "0x2x2x2")
  T.eq(table.concat(idx.shape, "x"), "0x2x2x2")
  local total = y:sum() + torch.avg_pool2d(x, 2):sum() + torch.adaptive_max_pool2d(x, 3):sum()
  total:backward()
  T.eq(table.concat(x.grad.shape, "x"), "0x2x4x4")
end)

T.test("sizes past 2^31 are refused before any arithmetic overflows", function()
  local x = torch.randn(1, 1, 4, 4)
  T.errors("max_pool2d: kernel_size must be positive and at most 2^31", torch.max_pool2d, x, math.maxinteger)
  T.errors("max_pool2d: dilation must be positive and at most 2^31", torch.max_pool2d, x, 2, {dilation = math.maxinteger})
  T.errors("max_pool2d: stride must be positive and at most 2^31", torch.max_pool2d, x, 2, {stride = math.maxinteger})
  T.errors("adaptive_avg_pool2d: output_size must be positive and at most 2^31, got 1x9223372036854775807",
    torch.adaptive_avg_pool2d, x, {1, math.maxinteger})
  T.errors("max_pool2d: padding must be non-negative", torch.max_pool2d, x, 2, {padding = -1})
end)
