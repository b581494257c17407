-- test_autograd_join.lua — the derivatives of joining, splitting,
-- repeating and reordering: cat, stack, split, chunk, unbind, repeat,
-- tile, flip, roll, tril/triu (and their in-place forms), diag and
-- diagonal; gradcheck on leaves and non-contiguous views, gradgradcheck
-- on a few, and gradients worked out by hand.
local T = require "testing"
local G = require "gradtest"
local gradcheck, gradgradcheck = G.gradcheck, G.gradgradcheck
local rand, backward_ones = G.randn, G.backward_ones

torch.manual_seed(3)

T.test("cat: gradcheck along each dim, views, varargs", function()
  for _, d in ipairs({1, 2, -1}) do
    T.truthy(gradcheck(function(a, b) return torch.cat({a, b}, d) end, {rand(2, 3), rand(2, 3)}), "dim " .. d)
  end
  T.truthy(gradcheck(function(a, b, c) return torch.cat({a:t(), b, c:select(3, 1)}, 1) end,
    {rand(3, 2), rand(1, 3), rand(2, 3, 2)}), "non-contiguous inputs")
  T.truthy(gradcheck(function(a, b) return torch.cat(a, b, 2) end, {rand(2, 1), rand(2, 3)}), "varargs")
  T.truthy(gradgradcheck(function(a, b) return torch.cat({a * a, b}, 2) end, {rand(2, 2), rand(2, 1)}))
end)

T.test("cat: skipped empty inputs, inputs without grad, mixed dtypes", function()
  local a, e = rand(2, 2), torch.zeros(0, {dtype = "float64", requires_grad = true})
  local c = torch.zeros(1, 2, {dtype = "float64"})
  local y = torch.cat({a, e, c})
  T.eq(y.grad_fn.name, "CatBackward")
  backward_ones(y)
  T.allclose(a.grad:totable(), {{1, 1}, {1, 1}})
  T.eq(#e.grad:size(), 1)
  T.eq(e.grad:numel(), 0)
  local f = torch.tensor({{1.5, 2}}, {requires_grad = true})       -- float32
  local z = torch.cat({f, rand(1, 2)})
  T.eq(z.dtype, "float64")
  z:backward(torch.tensor({{1, 2}, {3, 4}}, {dtype = "float64"}))
  T.eq(f.grad.dtype, "float32")
  T.allclose(f.grad:totable(), {{1, 2}})
end)

T.test("stack: gradcheck at every position, and gradgradcheck", function()
  for _, d in ipairs({1, 2, 3, -1}) do
    T.truthy(gradcheck(function(a, b) return torch.stack({a, b:t()}, d) end, {rand(2, 3), rand(3, 2)}), "dim " .. d)
  end
  local y = torch.stack({rand(2), rand(2)})
  T.eq(y.grad_fn.name, "StackBackward")
  T.truthy(gradgradcheck(function(a, b) return torch.stack({a * b, b}, 2) end, {rand(2, 2), rand(2, 2)}))
end)

T.test("split and chunk: one SplitBackward node; unused pieces get zeros", function()
  T.truthy(gradcheck(function(a) return torch.split(a, 2, 2) end, {rand(2, 5)}))
  T.truthy(gradcheck(function(a) return torch.split(a:t(), {1, 3, 1}) end, {rand(2, 5)}))
  T.truthy(gradcheck(function(a) return torch.chunk(a, 3, 2) end, {rand(2, 7)}))
  T.truthy(gradcheck(function(a) return a:permute(3, 1, 2):chunk(2) end, {rand(2, 1, 4)}))
  T.truthy(gradgradcheck(function(a) local p = torch.chunk(a, 2) return {p[1] * p[2], p[2]} end, {rand(4, 2)}))
  local x = rand(6)
  local p = torch.split(x, 2)
  T.truthy(rawequal(p[1].grad_fn, p[3].grad_fn), "one node for every piece")
  T.eq(p[1].grad_fn.name, "SplitBackward")
  backward_ones(p[2] * 3)
  T.allclose(x.grad:totable(), {0, 0, 3, 3, 0, 0})
end)

T.test("unbind: UnbindBackward; gradcheck and an unused slice", function()
  T.truthy(gradcheck(function(a) return torch.unbind(a) end, {rand(3, 2)}))
  T.truthy(gradcheck(function(a) return torch.unbind(a:t(), 2) end, {rand(3, 2)}))
  T.truthy(gradgradcheck(function(a) local s = torch.unbind(a) return s[1] * s[2] end, {rand(2, 3)}))
  local x = rand(3, 2)
  local s = torch.unbind(x, 2)
  T.eq(s[1].grad_fn.name, "UnbindBackward")
  backward_ones(s[2])
  T.allclose(x.grad:totable(), {{0, 1}, {0, 1}, {0, 1}})
end)

T.test("repeat and tile: gradcheck; copies sum (hand-derived)", function()
  T.truthy(gradcheck(function(a) return a:repeatTensor(2, 3) end, {rand(2, 2)}))
  T.truthy(gradcheck(function(a) return a:repeatTensor(2, 1, 2) end, {rand(2, 3)}), "a new leading dim")
  T.truthy(gradcheck(function(a) return a:t():repeatTensor(1, 1) end, {rand(2, 3)}), "no repeats")
  T.truthy(gradcheck(function(a) return a:t():repeatTensor(3, 2) end, {rand(2, 2)}), "transposed")
  T.truthy(gradcheck(function(a) return a["repeat"](a, 2) end, {rand(3)}))
  T.truthy(gradcheck(function(a) return torch.tile(a, 2) end, {rand(2, 2)}), "tile pads the counts")
  T.truthy(gradcheck(function(a) return torch.tile(a:select(2, 1), {2, 1, 2}) end, {rand(2, 2)}))
  T.truthy(gradgradcheck(function(a) return a:repeatTensor(2, 1) * a:repeatTensor(2, 1) end, {rand(2, 2)}))
  local x = rand(2, 1)
  x:repeatTensor(3, 4):backward(torch.ones(6, 4, {dtype = "float64"}))
  T.allclose(x.grad:totable(), {{12}, {12}})
  T.eq(x:repeatTensor(2, 2).grad_fn.name, "RepeatBackward")
  local z = rand(2)
  local y = z:repeatTensor(0)
  y:backward(torch.zeros(0, {dtype = "float64"}))
  T.allclose(z.grad:totable(), {0, 0}, 0, "zero repeats")
end)

T.test("flip and roll: gradcheck, values by hand", function()
  T.truthy(gradcheck(function(a) return torch.flip(a, 1) end, {rand(3, 2)}))
  T.truthy(gradcheck(function(a) return torch.flip(a:t(), {1, 2}) end, {rand(3, 2)}))
  T.truthy(gradcheck(function(a) return torch.roll(a, 1, 1) end, {rand(3, 2)}))
  T.truthy(gradcheck(function(a) return torch.roll(a:t(), {-1, 5}, {1, 2}) end, {rand(3, 2)}))
  T.truthy(gradcheck(function(a) return torch.roll(a, 4) end, {rand(3, 2)}), "flattened")
  T.truthy(gradgradcheck(function(a) return torch.roll(a, 1, 2) * torch.flip(a, 2) end, {rand(2, 3)}))
  local x = rand(4)
  torch.roll(x, 1):backward(torch.tensor({1, 2, 3, 4}, {dtype = "float64"}))
  -- y[k] = x[k - 1]: x[k] receives g[k + 1]
  T.allclose(x.grad:totable(), {2, 3, 4, 1})
  local z = rand(3)
  torch.flip(z, 1):backward(torch.tensor({1, 2, 3}, {dtype = "float64"}))
  T.allclose(z.grad:totable(), {3, 2, 1})
  T.eq(torch.flip(z, 1).grad_fn.name, "FlipBackward")
  T.eq(torch.roll(z, 1).grad_fn.name, "RollBackward")
end)

T.test("tril and triu: gradcheck with diagonals, batched, views", function()
  for _, k in ipairs({0, 1, -1}) do
    T.truthy(gradcheck(function(a) return torch.tril(a, k) end, {rand(3, 4)}), "tril " .. k)
    T.truthy(gradcheck(function(a) return torch.triu(a:t(), k) end, {rand(3, 4)}), "triu " .. k)
  end
  T.truthy(gradcheck(function(a) return a:transpose(1, 3):tril() end, {rand(3, 3, 2)}), "batched")
  T.truthy(gradgradcheck(function(a) return torch.triu(a * a) end, {rand(3, 3)}))
  local x = rand(2, 2)
  torch.tril(x):backward(torch.tensor({{1, 2}, {3, 4}}, {dtype = "float64"}))
  T.allclose(x.grad:totable(), {{1, 0}, {3, 4}})
  T.eq(torch.triu(x).grad_fn.name, "TriuBackward")
end)

T.test("tril_ and triu_ in place: recorded on non-leaves, refused on leaves", function()
  T.truthy(gradcheck(function(a) return (a * 1):tril_(1) end, {rand(3, 3)}))
  T.truthy(gradcheck(function(a) return (a + 0):triu_(-1) end, {rand(3, 3)}))
  -- in place on a view: the base's gradient passes through the triangle
  T.truthy(gradcheck(function(a)
    local b = a * 1
    b:narrow(1, 1, 2):triu_()
    return b
  end, {rand(3, 2)}))
  local x = rand(2, 2)
  local y = x * 2
  y:triu_()
  T.eq(y.grad_fn.name, "TriuBackward")
  backward_ones(y)
  T.allclose(x.grad:totable(), {{2, 2}, {0, 2}})
  T.errors("tril_: a leaf tensor that requires grad cannot be modified in place", function() x:tril_() end)
  torch.no_grad(function() x:tril_() end)
  T.eq(x:detach()[1][2]:item(), 0)
end)

T.test("diag: 1-D to 2-D and 2-D to 1-D, with offsets", function()
  for _, k in ipairs({0, 1, -2}) do
    T.truthy(gradcheck(function(v) return torch.diag(v, k) end, {rand(3)}), "vector, k = " .. k)
    T.truthy(gradcheck(function(m) return torch.diag(m, k) end, {rand(3, 4)}), "matrix, k = " .. k)
    T.truthy(gradcheck(function(m) return torch.diag(m:t(), k) end, {rand(3, 4)}), "transposed, k = " .. k)
  end
  T.truthy(gradgradcheck(function(v) return torch.diag(v * v, 1) end, {rand(2)}))
  T.truthy(gradgradcheck(function(m) return torch.diag(m * m, -1) end, {rand(3, 2)}))
  local m = rand(2, 3)
  local d = torch.diag(m, 1)
  T.eq(d.grad_fn.name, "DiagBackward")
  d:backward(torch.tensor({5, 7}, {dtype = "float64"}))
  T.allclose(m.grad:totable(), {{0, 5, 0}, {0, 0, 7}})
end)

T.test("diagonal: gradcheck over chosen dims, gradgradcheck", function()
  T.truthy(gradcheck(function(a) return torch.diagonal(a) end, {rand(3, 3)}))
  T.truthy(gradcheck(function(a) return a:diagonal(-1, 1, 3) end, {rand(3, 2, 3)}))
  T.truthy(gradcheck(function(a) return torch.diagonal(a:t(), {offset = 1}) end, {rand(4, 3)}))
  T.truthy(gradgradcheck(function(a) return torch.diagonal(a * a) end, {rand(3, 3)}))
end)

T.test("nothing is recorded without grad or under no_grad", function()
  local x = torch.randn(2, 3)
  T.eq(torch.cat({x, x}).grad_fn, nil)
  T.eq(torch.split(x, 1)[1].grad_fn, nil)
  local r = rand(2, 2)
  T.eq(torch.no_grad(function() return torch.stack({r, r}) end).requires_grad, false)
  T.eq(torch.no_grad(function() return torch.roll(r, 1) end).grad_fn, nil)
end)

T.test("errors keep their messages", function()
  T.errors("cat: shapes 2x2 and 2x3 differ", function() return torch.cat({rand(2, 2), rand(2, 3)}) end)
  T.errors("stack: expects tensors of equal shape", function() return torch.stack({rand(2), rand(3)}) end)
  T.errors("split: sizes sum to 3", function() return torch.split(rand(4), {1, 2}) end)
  T.errors("repeat", function() return rand(2, 2):repeatTensor(2) end)
  T.errors("tril: expected a tensor with at least 2 dims", function() return torch.tril(rand(3)) end)
  T.errors("diag: expected a 1-D or 2-D tensor", function() return torch.diag(rand(2, 2, 2)) end)
end)
