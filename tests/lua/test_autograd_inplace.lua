-- test_autograd_inplace.lua — PyTorch's in-place semantics across ops: a
-- chain of in-place ops on a non-leaf, in-place ops on views (the base gets
-- CopySlices), views read after their base changed (AsStridedBackward), the
-- version counter refusing a backward through a saved tensor that was
-- overwritten, and leaves that requires grad refusing in-place ops outside
-- torch.no_grad.  Checked with gradients worked by hand and with gradcheck.
local T = require "testing"
local G = require "gradtest"
local gradcheck, gradgradcheck = G.gradcheck, G.gradgradcheck
local rand, F64, backward_sum = G.rand, G.f64, G.backward_sum

torch.manual_seed(5)

-- ---- chains of in-place ops ---------------------------------------------------

T.test("x = a * 1; x:mul_(3); x:add_(b): gradients 3 to a and 1 to b", function()
  local a, b = rand(3), rand(3)
  local x = a * 1
  x:mul_(3)
  x:add_(b)
  T.eq(x.grad_fn.name, "AddBackward")
  T.allclose(x:detach():totable(), ((a * 3 + b):detach()):totable(), 1e-12)
  backward_sum(x)
  T.allclose(a.grad:totable(), {3, 3, 3})
  T.allclose(b.grad:totable(), {1, 1, 1})
end)

T.test("in-place ops whose formulas read the operands: hand values", function()
  local a, b = F64 {1, 2, 3}:requires_grad_(), F64 {4, 5, 6}:requires_grad_()
  local x = a * 1
  x:mul_(b)          -- a b
  x:mul_(x:detach():clone())    -- times c = a b, a constant
  backward_sum(x)
  -- dx/da = b c, dx/db = a c
  T.allclose(a.grad:totable(), {4 * 4, 5 * 10, 6 * 18})
  T.allclose(b.grad:totable(), {1 * 4, 2 * 10, 3 * 18})
end)

T.test("gradcheck and gradgradcheck through chains of in-place ops", function()
  local function f(a, b)
    local x = a * 1
    x:mul_(b)
    x:add_(a, {alpha = 2})
    x:sin_()
    x:div_(b)
    x:sub_(a)
    return x
  end
  T.truthy(gradcheck(f, {rand(2, 3), rand(2, 3)}))
  T.truthy(gradgradcheck(f, {rand(2, 3), rand(2, 3)}))
  -- an operand broadcast into x, and x itself as the operand
  T.truthy(gradcheck(function(a, b)
    local x = a:clone()
    x:mul_(b)
    x:add_(x)
    x:exp_()
    return x
  end, {rand(2, 3), rand(3)}))
end)

T.test("in-place op on a plain tensor with an operand that requires grad", function()
  local a = rand(3)
  local z = torch.zeros(3, {dtype = "float64"})
  T.eq(z.requires_grad, false)
  z:add_(a)
  z:mul_(a)                              -- z = a * a
  T.truthy(z.requires_grad)
  T.eq(z.grad_fn.name, "MulBackward")
  T.truthy(z.is_leaf == false)
  backward_sum(z)
  T.allclose(a.grad:totable(), (a * 2):detach():totable(), 1e-12)
end)

-- ---- in-place ops on views --------------------------------------------------------

T.test("y = a:clone(); y:narrow(1, 2, 2):mul_(2): the base gets CopySlices", function()
  local a = rand(3)
  local y = a:clone()
  y:narrow(1, 2, 2):mul_(2)
  T.eq(y.grad_fn.name, "CopySlices")
  T.allclose(y:detach():totable(), {a[1]:item(), 2 * a[2]:item(), 2 * a[3]:item()}, 1e-12)
  backward_sum(y)
  T.allclose(a.grad:totable(), {1, 2, 2})
end)

T.test("in-place on a view: an operand requiring grad gets the region's gradient", function()
  local a, b = rand(2, 3), rand(2)
  local y = a * 1
  y:select(2, 3):mul_(b)                 -- column 3 scaled by b
  y[1]:add_(5)
  local w = F64 {{1, 2, 3}, {4, 5, 6}}
  backward_sum(y * w)
  T.allclose(a.grad:totable(), {{1, 2, 3 * b[1]:item()}, {4, 5, 6 * b[2]:item()}}, 1e-12)
  T.allclose(b.grad:totable(), {3 * a[1][3]:item(), 6 * a[2][3]:item()}, 1e-12)
end)

T.test("gradcheck through in-place ops on views (narrow, select, transpose, nested)", function()
  T.truthy(gradcheck(function(a, b)
    local y = a:clone()
    y:narrow(2, 2, 2):mul_(b)
    y[1]:sin_()
    y:t()[3]:add_(b[1])
    y:narrow(1, 2, 1):narrow(2, 1, 2):exp_()
    return y
  end, {rand(2, 3), rand(2, 2)}))
  -- (No gradgradcheck here: CopySlices' backward is not recorded yet, so
  -- second derivatives stop at an in-place op on a view.)
end)

T.test("a view read after its base was modified in place: AsStridedBackward", function()
  local a = rand(3)
  local y = a:clone()
  local v = y:narrow(1, 1, 2)
  T.eq(v.grad_fn.name, "NarrowBackward")
  y:mul_(2)
  T.eq(v.grad_fn.name, "AsStridedBackward")
  T.allclose(v:detach():totable(), {2 * a[1]:item(), 2 * a[2]:item()}, 1e-12)
  backward_sum(v)
  T.allclose(a.grad:totable(), {2, 2, 0})
end)

T.test("two views of one base: writing one shows in the other's gradient", function()
  local a = rand(3, 2)
  local y = a:clone()
  local row1, top = y[1], y[{{1, 2}}]
  row1:mul_(3)
  T.eq(y.grad_fn.name, "CopySlices")
  backward_sum(top)
  T.allclose(a.grad:totable(), {{3, 3}, {1, 1}, {0, 0}})
  a.grad = nil
  backward_sum(row1)                     -- the written view itself: 3 a[1]
  T.allclose(a.grad:totable(), {{3, 3}, {0, 0}, {0, 0}})
end)

-- ---- the version counter ----------------------------------------------------------

T.test("a saved output modified in place makes backward fail", function()
  local a = rand(3)
  local y = a:exp()                      -- ExpBackward saves its output
  y:add_(1)
  T.errors("modified by an in-place operation", function() backward_sum(y) end)
  local z = a:exp()
  z:add_(1)
  T.errors("ExpBackward", function() backward_sum(z) end)
end)

T.test("a saved input modified in place makes backward fail; an unsaved one does not", function()
  local a = rand(3)
  local x = a * 1
  local sq = x * x                       -- MulBackward saves x
  x:add_(1)
  T.errors("modified by an in-place operation", function() backward_sum(sq) end)
  local u = a * 1
  local twice = u * 2                    -- only the constant is saved
  u:add_(1)
  backward_sum(twice)
  T.allclose(a.grad:totable(), {2, 2, 2})
end)

T.test("writing a saved tensor through a view also counts", function()
  local a = rand(2, 2)
  local y = a:sin()
  local x = a * 1
  local s = x:sin()                      -- saves x
  x[1][2] = 0
  T.errors("modified by an in-place operation", function() backward_sum(s) end)
  backward_sum(y)
  T.allclose(a.grad:totable(), a:detach():cos():totable(), 1e-12)
end)

-- ---- leaves -------------------------------------------------------------------------

T.test("in-place on a leaf that requires grad is an error, fine under no_grad", function()
  local a = rand(3)
  T.errors("mul_: a leaf tensor that requires grad cannot be modified in place",
    function() a:mul_(2) end)
  T.errors("a view of a leaf tensor that requires grad", function() a:narrow(1, 1, 2):zero_() end)
  T.errors("a leaf tensor that requires grad", function() a:copy_(F64 {1, 2, 3}) end)
  torch.no_grad(function()
    a:mul_(0)
    a:narrow(1, 1, 2):add_(1)
  end)
  T.allclose(a:detach():totable(), {1, 1, 0})
  T.truthy(a.is_leaf)
  T.truthy(a.requires_grad)
  local y = a * F64 {5, 6, 7}
  backward_sum(y)
  T.allclose(a.grad:totable(), {5, 6, 7})
end)

T.test("a leaf that does not require grad may be modified; detach() shares the counter", function()
  local a = rand(3)
  local c = torch.ones(3, {dtype = "float64"})
  c:mul_(2)
  T.eq(c.requires_grad, false)
  local y = a:exp()
  local d = y:detach()
  d:zero_()                              -- the same storage: y's saved output changed
  T.errors("modified by an in-place operation", function() backward_sum(y) end)
end)
