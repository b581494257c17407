-- test_autograd_elementwise.lua — the derivatives of the elementwise ops,
-- checked against finite differences (gradcheck) and to second order
-- (gradgradcheck), with broadcasting, numbers as operands and
-- non-contiguous views; plus the in-place forms and a few values by hand.
local T = require "testing"
local G = require "gradtest"
local gradcheck, gradgradcheck = G.gradcheck, G.gradgradcheck
local rand, positive = G.rand, G.positive

torch.manual_seed(7)

local unary = {"neg", "abs", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tan",
  "tanh", "erf", "sigmoid", "relu", "gelu", "silu", "reciprocal"}

for _, op in ipairs(unary) do
  T.test("unary " .. op .. ": gradcheck and gradgradcheck", function()
    local x = positive(2, 3)
    T.truthy(gradcheck(function(a) return a[op](a) end, {x}))
    -- on a transposed view
    T.truthy(gradcheck(function(a) return a:t()[op](a:t()) end, {x}))
    T.truthy(gradgradcheck(function(a) return a[op](a) end, {x}))
  end)
end

T.test("gelu with the tanh approximation", function()
  local x = rand(5)
  T.truthy(gradcheck(function(a) return a:gelu({approximate = "tanh"}) end, {x}))
  T.truthy(gradgradcheck(function(a) return a:gelu({approximate = "tanh"}) end, {x}))
end)

T.test("rounding ops and sign have zero gradients", function()
  for _, op in ipairs({"floor", "ceil", "round", "trunc", "sign"}) do
    local x = rand(3)
    local y = x[op](x) * 1
    y:backward(torch.ones(3, {dtype = "float64"}))
    T.allclose(x.grad:totable(), {0, 0, 0}, 0, op)
  end
end)

local binary = {
  add = function(a, b) return a + b end,
  sub = function(a, b) return a - b end,
  mul = function(a, b) return a * b end,
  div = function(a, b) return a / b end,
  pow = function(a, b) return a ^ b end,
  atan2 = function(a, b) return torch.atan2(a, b) end,
  maximum = function(a, b) return torch.maximum(a, b) end,
  minimum = function(a, b) return torch.minimum(a, b) end,
  fmod = function(a, b) return torch.fmod(a, b) end,
  remainder = function(a, b) return torch.remainder(a, b) end,
  add_alpha = function(a, b) return torch.add(a, b, {alpha = 2.5}) end,
  sub_alpha = function(a, b) return torch.sub(a, b, {alpha = -0.5}) end,
}

for name, f in pairs(binary) do
  T.test("binary " .. name .. ": same shapes, broadcasting, views, numbers", function()
    local a, b = positive(2, 3), positive(2, 3)
    if name == "fmod" or name == "remainder" then
      -- keep a / b away from integers, where the result jumps
      torch.no_grad(function() b:mul_(0.3):add_(2); a:mul_(0.5) end)
    end
    T.truthy(gradcheck(f, {a, b}))
    local row, col = positive(3), positive(2, 1)
    if name == "fmod" or name == "remainder" then torch.no_grad(function() row:add_(2); col:mul_(0.5) end) end
    T.truthy(gradcheck(f, {col, row}), "broadcast (2,1) with (3)")
    T.truthy(gradcheck(function(x, y) return f(x:t(), y) end, {positive(3, 2), b}), "transposed operand")
    T.truthy(gradcheck(function(x) return f(x, 1.75) end, {a}), "number on the right")
    T.truthy(gradcheck(function(y) return f(2.5, y) end, {b}), "number on the left")
  end)
end

for _, name in ipairs({"add", "sub", "mul", "div", "pow", "atan2", "maximum", "minimum"}) do
  T.test("binary " .. name .. ": second derivatives", function()
    T.truthy(gradgradcheck(binary[name], {positive(2, 2), positive(2)}))
  end)
end

T.test("hand-derived: pow at zero, maximum on ties", function()
  -- d(x^2)/dx at 0 is 0; d(2^y)/dy = 2^y log 2
  local x = torch.tensor({0, 3}, {dtype = "float64"}):requires_grad_()
  local p = x ^ 2
  p:backward(torch.ones(2, {dtype = "float64"}))
  T.allclose(x.grad:totable(), {0, 6})
  local y = torch.tensor({0, 1}, {dtype = "float64"}):requires_grad_()
  local q = torch.pow(2, y)
  q:backward(torch.ones(2, {dtype = "float64"}))
  T.allclose(y.grad:totable(), {math.log(2), 2 * math.log(2)}, 1e-12)
  -- 0^y for y > 0 has derivative 0 in y (not NaN)
  local z = torch.tensor({0}, {dtype = "float64"}):requires_grad_()
  local e = torch.tensor({2}, {dtype = "float64"}):requires_grad_()
  local r = z ^ e
  r:backward(torch.ones(1, {dtype = "float64"}))
  T.allclose(e.grad:totable(), {0})
  -- maximum splits the gradient on ties
  local a = torch.tensor({1, 2, 3}, {dtype = "float64"}):requires_grad_()
  local b = torch.tensor({3, 2, 1}, {dtype = "float64"}):requires_grad_()
  local m = torch.maximum(a, b)
  m:backward(torch.ones(3, {dtype = "float64"}))
  T.allclose(a.grad:totable(), {0, 0.5, 1})
  T.allclose(b.grad:totable(), {1, 0.5, 0})
end)

T.test("relu passes the gradient only where the input is positive", function()
  local x = torch.tensor({-1, 0, 2}, {dtype = "float64"}):requires_grad_()
  local y = x:relu()
  y:backward(torch.ones(3, {dtype = "float64"}))
  T.allclose(x.grad:totable(), {0, 0, 1})
end)

T.test("in-place elementwise ops record history", function()
  local a, b = positive(2, 3), positive(3)
  T.truthy(gradcheck(function(x, y)
    local h = x * 1
    h:mul_(y)
    h:add_(x, {alpha = 2})
    h:exp_()
    h:div_(2)
    return h
  end, {a, b}))
  T.truthy(gradgradcheck(function(x, y)
    local h = x * 1
    h:mul_(y)
    h:tanh_()
    return h
  end, {a, b}))
  local h = a * 1
  h:sigmoid_()
  T.eq(tostring(h.grad_fn), "SigmoidBackward")
end)

T.test("mixed dtypes: the gradient takes the input's dtype", function()
  local a = torch.tensor({1, 2}, {dtype = "float64"}):requires_grad_()
  local b = torch.tensor({3, 4}, {dtype = "float32"}):requires_grad_()
  local y = a * b                                        -- float64
  y:backward(torch.ones(2, {dtype = "float64"}))
  T.eq(a.grad.dtype, "float64")
  T.eq(b.grad.dtype, "float32")
  T.allclose(b.grad:totable(), {1, 2})
end)
