-- test_autograd_ternary.lua — the derivatives of the three-operand ops: clamp
-- (number and tensor bounds), masked_fill (number or 0-dim tensor value),
-- lerp, addcmul, addcdiv and where, out of place and in place: gradcheck with
-- broadcasting, numbers as operands and non-contiguous views, gradgradcheck,
-- values derived by hand and the error cases.
local T = require "testing"
local G = require "gradtest"
local gradcheck, gradgradcheck = G.gradcheck, G.gradgradcheck
local F64, leaf, randn = G.f64, G.leaf, G.randn

-- Values in [lo, lo + 1].
local function uniform(lo, ...)
  local x = torch.rand({...}, {dtype = "float64"})
  torch.no_grad(function() x:add_(lo) end)
  return x:requires_grad_()
end

-- Runs backward of f(...):sum() and returns each leaf's .grad as a table.
local function grads(f, ...)
  local args = {...}
  for _, a in ipairs(args) do a.grad = nil end
  f(...):sum():backward()
  local out = {}
  for k, a in ipairs(args) do out[k] = a.grad and a.grad:totable() end
  return table.unpack(out, 1, #args)
end

torch.manual_seed(23)

-- ---- clamp -----------------------------------------------------------------------------

T.test("clamp with number bounds: gradcheck, gradgradcheck, both and one-sided", function()
  local x = randn(2, 3)
  T.truthy(gradcheck(function(a) return a:clamp(-0.5, 0.5) end, {x}))
  T.truthy(gradcheck(function(a) return a:clamp({min = 0.1}) end, {x}))
  T.truthy(gradcheck(function(a) return torch.clamp(a, nil, -0.1) end, {x}))
  T.truthy(gradcheck(function(a) return a:t():clamp(-0.3, 0.3) end, {x}), "transposed")
  T.truthy(gradgradcheck(function(a) return a:clamp(-0.5, 0.5) end, {x}))
  T.eq(x:clamp(0, 1).grad_fn.name, "ClampBackward")
  T.eq(x:clamp({min = 0}).grad_fn.name, "ClampMinBackward")
  T.eq(x:clamp(nil, 0).grad_fn.name, "ClampMaxBackward")
end)

T.test("clamp with tensor bounds: gradients to x and to the chosen bounds, broadcasting", function()
  local x, lo, hi = randn(2, 3), randn(3), randn(2, 1)
  T.truthy(gradcheck(function(a, l, h) return torch.clamp(a, l, h) end, {x, lo, hi}))
  T.truthy(gradcheck(function(a, l) return a:clamp(l) end, {x, lo}), "min only")
  T.truthy(gradcheck(function(a, h) return a:clamp({max = h}) end, {x, hi}), "max only")
  T.truthy(gradgradcheck(function(a, l, h) return torch.clamp(a, l, h) end, {x, lo, hi}))
  -- by hand (values from PyTorch): x inside [lo, hi] -> x; below -> lo; above -> hi;
  -- where lo > hi the result is hi, which gets the gradient
  local gx, glo, ghi = grads(function(a, l, h) return torch.clamp(a, l, h) end,
    leaf {{-1, 0.5, 2}, {0.2, 3, -4}}, leaf {0.5, 1, -1}, leaf {0, 2, 1})
  T.allclose(gx, {{0, 0, 0}, {0, 0, 0}}, 0)
  T.allclose(glo, {0, 1, 1}, 0)
  T.allclose(ghi, {2, 1, 1}, 0)
  gx, glo, ghi = grads(function(a, l, h) return torch.clamp(a, l, h) end,
    leaf {0.1, 0.5, 2}, leaf {0, 0, 0}, leaf {1, 1, 1})
  T.allclose(gx, {1, 1, 0}, 0)
  T.allclose(glo, {0, 0, 0}, 0)
  T.allclose(ghi, {0, 0, 1}, 0)
end)

T.test("clamp: the gradient passes at the bounds themselves", function()
  local gx = grads(function(a) return a:clamp(0, 1) end, leaf {0, 1, 0.5, -1, 2})
  T.allclose(gx, {1, 1, 1, 0, 0}, 0)
  -- min > max: the result is max everywhere and x gets nothing
  T.allclose((grads(function(a) return a:clamp(1, 0) end, leaf {-1, 0.5, 2})), {0, 0, 0}, 0)
end)

T.test("clamp_ in place: recorded on a non-leaf, bounds get gradients", function()
  local x, lo, hi = randn(2, 3), randn(3), randn(2, 3)
  T.truthy(gradcheck(function(a, l, h)
    local y = a * 1
    y:clamp_(l, h)
    return y
  end, {x, lo, hi}))
  T.truthy(gradcheck(function(a)
    local y = a * 1
    y:narrow(2, 2, 2):clamp_(-0.2, 0.2)      -- on a view
    return y
  end, {x}))
  local y = x * 1
  y:clamp_(-0.5, 0.5)
  T.eq(y.grad_fn.name, "ClampBackward")
end)

-- ---- masked_fill ------------------------------------------------------------------------

local mask = torch.tensor({{true, false, true}, {false, false, true}})

T.test("masked_fill: number value, 0-dim tensor value, broadcast mask", function()
  local x, v = randn(2, 3), leaf(0.7)
  T.truthy(gradcheck(function(a) return a:masked_fill(mask, 2.5) end, {x}))
  T.truthy(gradcheck(function(a, val) return a:masked_fill(mask, val) end, {x, v}))
  T.truthy(gradcheck(function(a, val) return torch.masked_fill(a, torch.tensor({true, false, true}), val) end,
    {x, v}), "broadcast mask")
  T.truthy(gradcheck(function(a, val) return a:t():masked_fill(mask:t(), val) end, {x, v}), "transposed")
  T.truthy(gradgradcheck(function(a, val) return a:masked_fill(mask, val) end, {x, v}))
  -- by hand: x keeps the gradient off the mask, value gets the sum on it
  local w = F64 {{1, 2, 3}, {4, 5, 6}}
  local gx, gv = grads(function(a, val) return a:masked_fill(mask, val) * w end, x, v)
  T.allclose(gx, {{0, 2, 0}, {4, 5, 0}}, 0)
  T.close(gv, 1 + 3 + 6, 0)
  T.eq(x:masked_fill(mask, v).grad_fn.name, "MaskedFillBackward")
end)

T.test("masked_fill_ in place, with a value that requires grad", function()
  local x, v = randn(2, 3), leaf(-1.5)
  T.truthy(gradcheck(function(a, val)
    local y = a * 1
    y:masked_fill_(mask, val)
    return y
  end, {x, v}))
  -- only the value requires grad: x is a plain tensor
  local plain = torch.randn({2, 3}, {dtype = "float64"})
  local y = plain:clone()
  y:masked_fill_(mask, v)
  T.truthy(y.requires_grad)
  y:sum():backward()
  T.close(v.grad:item(), 3, 0)
end)

-- ---- lerp -----------------------------------------------------------------------------

T.test("lerp: tensor and number weights, broadcasting, in place", function()
  local s, e, w = randn(2, 3), randn(3), randn(2, 1)
  T.truthy(gradcheck(function(a, b, c) return a:lerp(b, c) end, {s, e, w}))
  T.truthy(gradcheck(function(a, b) return torch.lerp(a, b, 0.3) end, {s, randn(2, 3)}))
  T.truthy(gradcheck(function(a, b) return a:t():lerp(b, 0.8) end, {s, randn(3, 2)}), "transposed")
  T.truthy(gradgradcheck(function(a, b, c) return a:lerp(b, c) end, {s, e, w}))
  T.truthy(gradcheck(function(a, b, c)
    local y = a * 1
    y:lerp_(b, c)
    return y
  end, {s, e, randn(2, 3)}), "lerp_")
  -- by hand: d start = 1 - w, d end = w, d w = end - start
  local gs, ge, gw = grads(function(a, b, c) return a:lerp(b, c) end, leaf {1, 2}, leaf {5, 0}, leaf {0.25, 0.5})
  T.allclose(gs, {0.75, 0.5}, 0)
  T.allclose(ge, {0.25, 0.5}, 0)
  T.allclose(gw, {4, -2}, 0)
  T.eq(s:lerp(e, w).grad_fn.name, "LerpBackward")
end)

-- ---- addcmul, addcdiv -------------------------------------------------------------------

T.test("addcmul and addcdiv: values, broadcasting, numbers, in place", function()
  local x, t1 = randn(2, 3), randn(3)
  local t2 = uniform(1, 2, 1)                  -- away from zero for addcdiv
  T.truthy(gradcheck(function(a, b, c) return a:addcmul(b, c, {value = 0.5}) end, {x, t1, t2}))
  T.truthy(gradcheck(function(a, b, c) return torch.addcdiv(a, b, c, {value = -2}) end, {x, t1, t2}))
  T.truthy(gradcheck(function(a, b) return a:addcmul(b, 3) end, {x, t1}), "a number operand")
  T.truthy(gradcheck(function(a, c) return a:addcdiv(2, c) end, {x, t2}), "a number numerator")
  T.truthy(gradcheck(function(a, b, c) return a:t():addcdiv(b, c:t()) end, {x, randn(2), uniform(1, 2, 3)}),
    "transposed")
  T.truthy(gradgradcheck(function(a, b, c) return a:addcmul(b, c, {value = 0.5}) end, {x, t1, t2}))
  T.truthy(gradgradcheck(function(a, b, c) return a:addcdiv(b, c, {value = 1.5}) end, {x, t1, t2}))
  T.truthy(gradcheck(function(a, b, c)
    local y = a * 1
    y:addcmul_(b, c, {value = 2})
    return y
  end, {x, t1, uniform(1, 2, 3)}), "addcmul_")
  T.truthy(gradcheck(function(a, b, c)
    local y = a * 1
    y:addcdiv_(b, c)
    return y
  end, {x, t1, uniform(1, 2, 3)}), "addcdiv_")
  -- by hand: x + 2 * t1 * t2 and x + 2 * t1 / t2 at t1 = 3, t2 = 4
  local gx, g1, g2 = grads(function(a, b, c) return a:addcmul(b, c, {value = 2}) end, leaf {1}, leaf {3}, leaf {4})
  T.allclose({gx[1], g1[1], g2[1]}, {1, 8, 6}, 0)
  gx, g1, g2 = grads(function(a, b, c) return a:addcdiv(b, c, {value = 2}) end, leaf {1}, leaf {3}, leaf {4})
  T.allclose({gx[1], g1[1], g2[1]}, {1, 0.5, -2 * 3 / 16}, 1e-15)
  T.eq(x:addcmul(t1, t2).grad_fn.name, "AddcmulBackward")
  T.eq(x:addcdiv(t1, t2).grad_fn.name, "AddcdivBackward")
end)

-- ---- where ---------------------------------------------------------------------------

T.test("where through the bindings: tensors, numbers, the method form", function()
  local a, b = randn(2, 3), randn(3)
  T.truthy(gradcheck(function(x, y) return torch.where(mask, x, y) end, {a, b}))
  T.truthy(gradcheck(function(x) return torch.where(mask, 2, x) end, {a}))
  T.truthy(gradcheck(function(x) return x:where(mask, -1) end, {a}))
  T.truthy(gradgradcheck(function(x, y) return torch.where(mask, x, y) end, {a, b}))
  local ga, gb = grads(function(x, y) return torch.where(mask, x, y) end, a, b)
  T.allclose(ga, {{1, 0, 1}, {0, 0, 1}}, 0)
  T.allclose(gb, {1, 2, 0}, 0)
end)

-- ---- errors -----------------------------------------------------------------------------

T.test("errors: in place on a leaf, bad values and dtypes, shapes that cannot be written", function()
  local x = randn(2, 3)
  T.errors("clamp_: a leaf tensor that requires grad cannot be modified in place",
    function() x:clamp_(0, 1) end)
  T.errors("masked_fill_: a leaf tensor that requires grad cannot be modified in place",
    function() x:masked_fill_(mask, 0) end)
  T.errors("lerp_: a leaf tensor", function() x:lerp_(x:detach(), 0.5) end)
  T.errors("addcmul_: a leaf tensor", function() x:addcmul_(x:detach(), x:detach()) end)
  T.errors("addcdiv_: a leaf tensor", function() x:addcdiv_(x:detach(), x:detach()) end)
  T.errors("masked_fill: the value must be a number or a 0-dim tensor",
    function() x:masked_fill(mask, randn(2)) end)
  T.errors("masked_fill: the mask must be a bool tensor",
    function() x:masked_fill(F64 {1, 0, 1}, 1) end)
  T.errors("lerp: expected dtype float64 for end but got float32",
    function() x:lerp(torch.randn(2, 3), 0.5) end)
  T.errors("clamp: at least one of min and max must be given", function() x:clamp() end)
  -- a recorded in-place op whose operands broadcast beyond x
  local y = x * 1
  T.errors("lerp_: the result of shape 2x2x3 cannot be written into a tensor of shape 2x3",
    function() y:lerp_(randn(2, 1, 3), 0.5) end)
end)
