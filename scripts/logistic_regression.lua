-- logistic_regression.lua — a sigmoid classifier on two generated Gaussian
-- clouds: p(y = 1 | x) = sigmoid(w . x + b), trained with binary cross-entropy
-- and SGD; prints the learned boundary beside the true one and the accuracy.
--   luagrad scripts/logistic_regression.lua [--epochs N --lr X --seed N --quiet]
local cli = require "luagrad.cli"
local opts = cli.parse(arg, {
  usage = "luagrad scripts/logistic_regression.lua [options]",
  about = "Fits a logistic-regression classifier to 200 generated 2-D points.",
  {"epochs", 500, "full-batch gradient steps"},
  {"lr", 0.5, "learning rate"},
  {"seed", 0, "random seed"},
  {"quiet", false, "print only the result"},
})
torch.manual_seed(opts.seed)

-- Labels come from a known boundary w . x + b = 0 with w = (1.5, -2), b = 0.5,
-- sampled through the sigmoid so the classes overlap a little.
local true_w, true_b = torch.tensor({{1.5, -2.0}}), 0.5
local x = torch.randn(200, 2)
local p = torch.sigmoid(x:matmul(true_w:t()) * 4 + true_b * 4)
local y = torch.rand(200, 1):lt(p):float()   -- 1 with probability p

local model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
local loss_fn = nn.BCELoss()
local optimizer = optim.SGD(model:parameters(), {lr = opts.lr})

for epoch = 1, opts.epochs do
  optimizer:zero_grad()
  local loss = loss_fn(model(x), y)
  loss:backward()
  optimizer:step()
  if not opts.quiet and (epoch % 100 == 0 or epoch == 1) then
    print(string.format("epoch %4d  loss %.4f", epoch, loss:item()))
  end
end

-- The boundary is defined up to scale: compare directions, normalised by |w|.
local w, b = model[1].weight:detach(), model[1].bias:item()
local norm, true_norm = w:norm():item(), true_w:norm():item()
print(string.format("learned boundary: (%.3f, %.3f) . x + %.3f = 0   (normalised by |w|)",
  w[1][1]:item() / norm, w[1][2]:item() / norm, b / norm))
print(string.format("true boundary:    (%.3f, %.3f) . x + %.3f = 0",
  1.5 / true_norm, -2.0 / true_norm, true_b / true_norm))
local predicted = model(x):detach():gt(0.5)
print(string.format("training accuracy: %.2f%%", predicted:eq(y:bool()):float():mean():item() * 100))
