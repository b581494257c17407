-- 05_softmax_cross_entropy.lua — the gradient of cross-entropy after a
-- softmax is softmax(z) - onehot(y).
--   luagrad scripts/teach/05_softmax_cross_entropy.lua [--step]
local lesson = require("luagrad.lesson").new(arg, "Lesson 5: softmax + cross-entropy")

lesson:say([[
Logits z (one row per example) become probabilities s = softmax(z), s_k = exp(z_k) / sum_j exp(z_j).
Cross-entropy for the true class y: L = -log s_y = -z_y + log sum_j exp(z_j).]])

lesson:heading("The derivative")
lesson:say([[
  dL/dz_k = -[k = y] + exp(z_k) / sum_j exp(z_j) = s_k - onehot(y)_k
The gradient is the predicted distribution minus the true one.  Averaged over a
batch of N rows, each row's gradient is divided by N.]])
local z = torch.tensor({{2.0, 1.0, 0.1}, {0.5, 2.5, -1.0}}, {dtype = "float64", requires_grad = true})
local y = torch.tensor({1, 3}, {dtype = "int64"})            -- classes counted from 1
local L = F.cross_entropy(z, y)
lesson:show("z", z:detach())
lesson:show("y", y)
lesson:show("L (mean over the batch)", L)
L:backward()
local s = z:detach():softmax(2)
local onehot = torch.zeros(2, 3, {dtype = "float64"})
onehot[1][1] = 1
onehot[2][3] = 1
lesson:show("softmax(z)", s)
lesson:compare("dL/dz", (s - onehot) / 2, z.grad)
lesson:finish()
