-- Matrix products from Lua: every case of tests/fixtures/linalg.lua (the same
-- calls in PyTorch, on transposed, narrowed, expanded and batched operands),
-- then by-hand cases and the messages a user reads.
local T = require "testing"
local F = require "fixture"

F.run(F.load "linalg")

T.test("matmul by hand, as function and method", function()
  local a = torch.tensor({{1, 2}, {3, 4}})
  local b = torch.tensor({{5, 6}, {7, 8}})
  T.allclose(torch.matmul(a, b):totable(), {{19, 22}, {43, 50}})
  T.allclose(a:matmul(b):totable(), {{19, 22}, {43, 50}})
  T.allclose(a:mm(b:t()):totable(), {{17, 23}, {39, 53}})
  T.eq(a:matmul(b).dtype, "int64")
  T.eq(torch.matmul(torch.tensor({1, 2}), torch.tensor({3, 4})):item(), 11)
  T.eq(torch.dot(torch.tensor({1.5, 2}), torch.tensor({2.0, 4.0})):item(), 11)
end)

T.test("1-D operands lose their added dim; batches broadcast", function()
  local x = torch.ones(3)
  T.allclose(torch.ones(2, 3):matmul(x):size(), {2})
  T.allclose(x:matmul(torch.ones(3, 4)):size(), {4})
  T.eq(x:matmul(x):dim(), 0)
  T.allclose(torch.ones(5, 1, 2, 3):matmul(torch.ones(4, 3, 6)):size(), {5, 4, 2, 6})
  T.allclose(torch.ones(7, 2, 3):matmul(x):size(), {7, 2})
  T.allclose(x:matmul(torch.ones(7, 3, 2)):size(), {7, 2})
end)

T.test("addmm and baddbmm read beta and alpha from options", function()
  local i = torch.tensor({{1, 1}, {1, 1}}, {dtype = "float64"})
  local m = torch.tensor({{1, 2}, {3, 4}}, {dtype = "float64"})
  T.allclose(torch.addmm(i, m, m):totable(), {{8, 11}, {16, 23}})
  T.allclose(i:addmm(m, m, {beta = 0, alpha = 2}):totable(), {{14, 20}, {30, 44}})
  local nan = torch.full({2, 2}, 0 / 0, {dtype = "float64"})
  T.allclose(torch.addmm(nan, m, m, {beta = 0}):totable(), {{7, 10}, {15, 22}})
  local b = m:unsqueeze(1):expand(3, 2, 2)
  T.allclose(torch.baddbmm(torch.zeros(3, 2, 2, {dtype = "float64"}), b, b, {alpha = -1})[3]:totable(),
             {{-7, -10}, {-15, -22}})
end)

T.test("0-size products", function()
  T.allclose(torch.matmul(torch.zeros(0, 3), torch.zeros(3, 2)):size(), {0, 2})
  T.allclose(torch.matmul(torch.zeros(2, 0), torch.zeros(0, 3)):totable(), {{0, 0, 0}, {0, 0, 0}})
  T.eq(torch.dot(torch.zeros(0), torch.zeros(0)):item(), 0)
end)

T.test("matmul errors name the function and the shapes", function()
  T.errors("matmul: size mismatch, 3x4 cannot multiply 5x6", torch.matmul, torch.zeros(3, 4), torch.zeros(5, 6))
  T.errors("mm: size mismatch, 2x3 cannot multiply 2x3", function() return torch.zeros(2, 3):mm(torch.zeros(2, 3)) end)
  T.errors("matmul: expected both inputs to have the same dtype, got float32 and float64",
           torch.matmul, torch.zeros(2, 2), torch.zeros(2, 2, {dtype = "float64"}))
  T.errors("matmul: bool tensors are not supported", torch.matmul, torch.zeros(2, 2, {dtype = "bool"}),
           torch.zeros(2, 2, {dtype = "bool"}))
  T.errors("matmul: both arguments need at least 1 dim, got 0-D and 1-D", torch.matmul, torch.tensor(1.0), torch.zeros(3))
  T.errors("matmul: the batch dims of 2x3x4 and 3x4x5 cannot be broadcast", torch.matmul,
           torch.zeros(2, 3, 4), torch.zeros(3, 4, 5))
  T.errors("bmm: batch sizes differ, 2x3x4 and 3x4x5", torch.bmm, torch.zeros(2, 3, 4), torch.zeros(3, 4, 5))
  T.errors("bmm: expected 3-D batches of matrices, got 2-D and 3-D", torch.bmm, torch.zeros(3, 4), torch.zeros(3, 4, 5))
  T.errors("mv: expected a 2-D matrix and a 1-D vector, got 2-D and 2-D", torch.mv, torch.zeros(2, 2), torch.zeros(2, 2))
  T.errors("dot: size mismatch, 2 cannot multiply 3", torch.dot, torch.zeros(2), torch.zeros(3))
  T.errors("addmm: input of shape 4 cannot be broadcast to the result's shape 2x3", torch.addmm,
           torch.zeros(4), torch.zeros(2, 2), torch.zeros(2, 3))
  T.errors("Tensor expected, got number", torch.matmul, torch.zeros(2), 3)
  T.errors("option 'beta' must be a number", torch.addmm, torch.zeros(2, 2), torch.zeros(2, 2),
           torch.zeros(2, 2), {beta = "x"})
end)
