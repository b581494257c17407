-- 04_mlp_by_hand.lua — a two-layer MLP's backward pass written out with
-- matrices, layer by layer, next to the engine's gradients.  Column
-- convention, as in the seed's notes: x is (inputs, N), z = W x + b.
--   luagrad scripts/teach/04_mlp_by_hand.lua [--step]
local lesson = require("luagrad.lesson").new(arg, "Lesson 4: a two-layer MLP by hand")
torch.manual_seed(2)

lesson:say([[
Forward, for a batch of N columns:
  z1 = W1 x + b1      a1 = relu(z1)      z2 = W2 a1 + b2      L = (1/N) sum (z2 - y)^2
Shapes: x (3, N), W1 (4, 3), b1 (4, 1), W2 (1, 4), b2 (1, 1), y (1, N).]])
local N = 5
local function leaf(...) return torch.randn({...}, {dtype = "float64"}):requires_grad_() end
local x, y = torch.randn(3, N, {dtype = "float64"}), torch.randn(1, N, {dtype = "float64"})
local W1, b1, W2, b2 = leaf(4, 3), leaf(4, 1), leaf(1, 4), leaf(1, 1)
local z1 = W1:matmul(x) + b1
local a1 = z1:relu()
local z2 = W2:matmul(a1) + b2
local L = ((z2 - y) ^ 2):mean()
lesson:show("L", L)
L:backward()

lesson:heading("Layer 2, from the loss")
lesson:say([[
  dL/dz2 = 2 (z2 - y) / N
  dL/dW2 = dL/dz2 . a1^T        dL/db2 = dL/dz2 summed over the batch]])
local g_z2 = (z2 - y):detach() * 2 / N
local a1v = a1:detach()
lesson:compare("dL/dW2", g_z2:matmul(a1v:t()), W2.grad)
lesson:compare("dL/db2", g_z2:sum(2, {keepdim = true}), b2.grad)

lesson:heading("Layer 1, through W2 and the ReLU")
lesson:say([[
  dL/da1 = W2^T . dL/dz2
  dL/dz1 = dL/da1 * relu'(z1)     (relu'(z) is 1 where z > 0, else 0)
  dL/dW1 = dL/dz1 . x^T          dL/db1 = dL/dz1 summed over the batch]])
local g_a1 = W2:detach():t():matmul(g_z2)
local g_z1 = g_a1 * z1:detach():gt(0):double()
lesson:compare("dL/dW1", g_z1:matmul(x:t()), W1.grad)
lesson:compare("dL/db1", g_z1:sum(2, {keepdim = true}), b1.grad)
lesson:finish()
