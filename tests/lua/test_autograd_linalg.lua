-- test_autograd_linalg.lua — the derivatives of the matrix products:
-- gradcheck on every form of matmul (vectors, matrices, broadcast batches,
-- transposed and strided operands), mm, bmm, mv, dot, outer, addmm and
-- baddbmm (with beta, alpha and a broadcast input), gradgradcheck on
-- matmul, mm and bmm, and gradients worked out by hand.
local T = require "testing"
local G = require "gradtest"
local gradcheck, gradgradcheck = G.gradcheck, G.gradgradcheck
local rand, backward_ones = G.randn, G.backward_ones

torch.manual_seed(5)

local matmul = function(a, b) return torch.matmul(a, b) end

-- {name, shape of a, shape of b}
local forms = {
  {"1-D x 1-D", {4}, {4}},
  {"1-D x 2-D", {3}, {3, 2}},
  {"2-D x 1-D", {2, 3}, {3}},
  {"2-D x 2-D", {2, 3}, {3, 4}},
  {"1-D x 3-D", {3}, {2, 3, 2}},
  {"3-D x 1-D", {2, 2, 3}, {3}},
  {"3-D x 2-D", {2, 2, 3}, {3, 2}},
  {"2-D x 3-D", {2, 3}, {2, 3, 2}},
  {"batched, broadcast (2,1,3,4) x (5,4,2)", {2, 1, 3, 4}, {5, 4, 2}},
  {"batched, broadcast (1,2,3) x (3,3,1)", {1, 2, 3}, {3, 3, 1}},
}

for _, f in ipairs(forms) do
  T.test("matmul " .. f[1] .. ": gradcheck", function()
    T.truthy(gradcheck(matmul, {rand(table.unpack(f[2])), rand(table.unpack(f[3]))}))
  end)
end

T.test("matmul with transposed and strided operands", function()
  -- a^T b, a b^T, a^T b^T, each operand a view of a leaf
  T.truthy(gradcheck(function(a, b) return a:t():matmul(b) end, {rand(3, 2), rand(3, 4)}))
  T.truthy(gradcheck(function(a, b) return a:matmul(b:t()) end, {rand(2, 3), rand(4, 3)}))
  T.truthy(gradcheck(function(a, b) return a:t():matmul(b:t()) end, {rand(3, 2), rand(4, 3)}))
  T.truthy(gradcheck(function(a, b) return a:transpose(2, 3):matmul(b) end, {rand(2, 3, 2), rand(3, 2)}))
  -- every other column: a strided operand BLAS reads with a leading dim
  T.truthy(gradcheck(function(a, b) return a:select(3, 2):matmul(b:narrow(1, 2, 3)) end,
    {rand(2, 3, 2), rand(4, 2)}))
  -- a 1-D strided vector
  T.truthy(gradcheck(function(a, v) return a:matmul(v:select(2, 1)) end, {rand(2, 3), rand(3, 2)}))
  -- the same tensor on both sides
  T.truthy(gradcheck(function(a) return a:matmul(a:t()) end, {rand(2, 3)}))
end)

T.test("matmul second derivatives: gradgradcheck", function()
  T.truthy(gradgradcheck(matmul, {rand(2, 3), rand(3, 2)}))
  T.truthy(gradgradcheck(matmul, {rand(3), rand(3, 2)}))
  T.truthy(gradgradcheck(matmul, {rand(2, 3), rand(3)}))
  T.truthy(gradgradcheck(matmul, {rand(3), rand(3)}))
  T.truthy(gradgradcheck(matmul, {rand(2, 1, 2, 3), rand(2, 3, 2)}))
  T.truthy(gradgradcheck(function(a, b) return a:t():matmul(b) end, {rand(3, 2), rand(3, 2)}))
  -- a nonlinear function of a product: the Hessian is not zero
  T.truthy(gradgradcheck(function(a) return a:matmul(a:t()):matmul(a) end, {rand(2, 2)}))
end)

T.test("mm, bmm, mv, dot: gradcheck, and gradgradcheck for mm and bmm", function()
  T.truthy(gradcheck(torch.mm, {rand(2, 3), rand(3, 2)}))
  T.truthy(gradcheck(function(a, b) return torch.mm(a:t(), b) end, {rand(3, 2), rand(3, 2)}))
  T.truthy(gradcheck(torch.bmm, {rand(2, 2, 3), rand(2, 3, 2)}))
  T.truthy(gradcheck(function(a, b) return torch.bmm(a:transpose(2, 3), b) end, {rand(2, 3, 2), rand(2, 3, 2)}))
  T.truthy(gradcheck(torch.mv, {rand(2, 3), rand(3)}))
  T.truthy(gradcheck(function(a, v) return torch.mv(a:t(), v) end, {rand(3, 2), rand(3)}))
  T.truthy(gradcheck(torch.dot, {rand(4), rand(4)}))
  T.truthy(gradcheck(function(a, b) return torch.dot(a:select(2, 1), b) end, {rand(4, 2), rand(4)}))
  T.truthy(gradgradcheck(torch.mm, {rand(2, 3), rand(3, 2)}))
  T.truthy(gradgradcheck(torch.bmm, {rand(2, 2, 3), rand(2, 3, 2)}))
  T.truthy(gradgradcheck(torch.mv, {rand(2, 3), rand(3)}))
  T.truthy(gradgradcheck(torch.dot, {rand(3), rand(3)}))
end)

T.test("a gradient for one operand only", function()
  local a, b = rand(2, 3), torch.randn(3, 2, {dtype = "float64"})
  backward_ones(a:matmul(b))
  -- dA = ones(2, 2) B^T: each row is the row sums of B
  local want = b:sum(2):totable()
  T.allclose(a.grad:totable(), {{want[1], want[2], want[3]}, {want[1], want[2], want[3]}}, 1e-12)
  T.eq(b.grad, nil)
end)

T.test("hand-derived: d(u . v) and d(A x)", function()
  local u = torch.tensor({1, 2, 3}, {dtype = "float64", requires_grad = true})
  local v = torch.tensor({4, 5, 6}, {dtype = "float64", requires_grad = true})
  u:dot(v):backward()
  T.allclose(u.grad:totable(), {4, 5, 6})
  T.allclose(v.grad:totable(), {1, 2, 3})
  local A = torch.tensor({{1, 2}, {3, 4}}, {dtype = "float64", requires_grad = true})
  local x = torch.tensor({5, 6}, {dtype = "float64", requires_grad = true})
  A:mv(x):backward(torch.tensor({1, 10}, {dtype = "float64"}))
  -- dA = g x^T, dx = A^T g
  T.allclose(A.grad:totable(), {{5, 6}, {50, 60}})
  T.allclose(x.grad:totable(), {31, 42})
end)

T.test("outer: gradcheck, gradgradcheck, mixed dtypes", function()
  T.truthy(gradcheck(torch.outer, {rand(3), rand(2)}))
  T.truthy(gradcheck(function(a, b) return torch.outer(a:select(2, 2), b) end, {rand(3, 2), rand(4)}))
  T.truthy(gradgradcheck(torch.outer, {rand(2), rand(3)}))
  local a = torch.tensor({1.5, 2}, {requires_grad = true})                    -- float32
  local b = torch.tensor({3, 4, 5}, {dtype = "float64", requires_grad = true})
  local c = torch.outer(a, b)
  T.eq(c.dtype, "float64")
  T.eq(c.grad_fn.name, "OuterBackward")
  backward_ones(c)
  T.eq(a.grad.dtype, "float32")
  T.allclose(a.grad:totable(), {12, 12})
  T.allclose(b.grad:totable(), {3.5, 3.5, 3.5})
end)

T.test("addmm: gradcheck with beta, alpha and a broadcast input", function()
  local addmm = function(opts)
    return function(i, a, b) return torch.addmm(i, a, b, opts) end
  end
  T.truthy(gradcheck(addmm(), {rand(2, 4), rand(2, 3), rand(3, 4)}))
  T.truthy(gradcheck(addmm({beta = 0.5, alpha = -2}), {rand(2, 4), rand(2, 3), rand(3, 4)}))
  T.truthy(gradcheck(addmm({beta = 3}), {rand(4), rand(2, 3), rand(3, 4)}), "input (4)")
  T.truthy(gradcheck(addmm({alpha = 0.25}), {rand(2, 1), rand(2, 3), rand(3, 4)}), "input (2, 1)")
  T.truthy(gradcheck(function(i, a, b) return torch.addmm(i, a:t(), b:t()) end,
    {rand(2, 4), rand(3, 2), rand(4, 3)}), "transposed matrices")
  T.truthy(gradgradcheck(addmm({beta = 0.5, alpha = 2}), {rand(2, 2), rand(2, 3), rand(3, 2)}))
  local y = torch.addmm(rand(2, 2), rand(2, 3), rand(3, 2))
  T.eq(y.grad_fn.name, "AddmmBackward")
end)

T.test("addmm and baddbmm with beta = 0: input gets a zero gradient, even through NaN", function()
  local i = torch.full({2, 2}, 0 / 0, {dtype = "float64", requires_grad = true})
  local a, b = rand(2, 3), rand(3, 2)
  local y = torch.addmm(i, a, b, {beta = 0})
  backward_ones(y)
  T.allclose(i.grad:totable(), {{0, 0}, {0, 0}})
  T.allclose(a.grad:totable(), torch.ones(2, 2, {dtype = "float64"}):mm(b:detach():t()):totable(), 1e-12)
  local bi = torch.full({3}, 0 / 0, {dtype = "float64", requires_grad = true})
  backward_ones(torch.baddbmm(bi, rand(2, 2, 3), rand(2, 3, 3), {beta = 0}))
  T.allclose(bi.grad:totable(), {0, 0, 0})
end)

T.test("baddbmm: gradcheck with beta, alpha and a broadcast input", function()
  local baddbmm = function(opts)
    return function(i, a, b) return torch.baddbmm(i, a, b, opts) end
  end
  T.truthy(gradcheck(baddbmm(), {rand(2, 2, 3), rand(2, 2, 4), rand(2, 4, 3)}))
  T.truthy(gradcheck(baddbmm({beta = -1, alpha = 0.5}), {rand(2, 1), rand(2, 2, 3), rand(2, 3, 2)}))
  T.truthy(gradcheck(function(i, a, b) return torch.baddbmm(i, a:transpose(2, 3), b) end,
    {rand(2, 2, 2), rand(2, 3, 2), rand(2, 3, 2)}))
  T.truthy(gradgradcheck(baddbmm({beta = 2, alpha = 3}), {rand(2, 2, 2), rand(2, 2, 3), rand(2, 3, 2)}))
  T.eq(torch.baddbmm(rand(2, 2, 2), rand(2, 2, 3), rand(2, 3, 2)).grad_fn.name, "BaddbmmBackward")
end)

T.test("grad_fn names and methods", function()
  local a, b = rand(2, 3), rand(3, 2)
  T.eq(a:matmul(b).grad_fn.name, "MatmulBackward")
  T.eq(a:mm(b).grad_fn.name, "MmBackward")
  T.eq(a:mv(b:select(2, 1)).grad_fn.name, "MvBackward")
  T.eq(b:select(2, 1):dot(b:select(2, 2)).grad_fn.name, "DotBackward")
  T.eq(a:unsqueeze(1):bmm(b:unsqueeze(1)).grad_fn.name, "BmmBackward")
  T.eq(torch.no_grad(function() return a:matmul(b) end).grad_fn, nil)
  T.eq(a:detach():matmul(b:detach()).requires_grad, false)
end)

T.test("errors keep their messages", function()
  T.errors("matmul: size mismatch", function() return rand(2, 3):matmul(rand(2, 3)) end)
  T.errors("addmm", function() return torch.addmm(rand(2, 2), rand(2, 3), rand(2, 3)) end)
  T.errors("dtype", function() return rand(2, 2):mm(torch.ones(2, 2)) end)
end)
