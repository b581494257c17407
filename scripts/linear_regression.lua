-- linear_regression.lua — fit y = w x + b to noisy points generated from a
-- known line, with nn.Linear, MSE and SGD, and print the learned parameters
-- beside the true ones.
--   luagrad scripts/linear_regression.lua [--epochs N --lr X --seed N --quiet]
local cli = require "luagrad.cli"
local opts = cli.parse(arg, {
  usage = "luagrad scripts/linear_regression.lua [options]",
  about = "Fits y = w x + b by gradient descent on 100 noisy points.",
  {"epochs", 200, "full-batch gradient steps"},
  {"lr", 0.1, "learning rate"},
  {"seed", 0, "random seed"},
  {"quiet", false, "print only the result"},
})
torch.manual_seed(opts.seed)

-- The data: x in [-1, 1], y = 2 x + 0.5 plus a little noise.
local true_w, true_b = 2.0, 0.5
local x = torch.rand(100, 1) * 2 - 1
local y = x * true_w + true_b + torch.randn(100, 1) * 0.1

local model = nn.Linear(1, 1)
local loss_fn = nn.MSELoss()
local optimizer = optim.SGD(model:parameters(), {lr = opts.lr})

for epoch = 1, opts.epochs do
  optimizer:zero_grad()
  local loss = loss_fn(model(x), y)
  loss:backward()
  optimizer:step()
  if not opts.quiet and (epoch % 50 == 0 or epoch == 1) then
    print(string.format("epoch %4d  loss %.6f", epoch, loss:item()))
  end
end

print(string.format("learned w = %.4f  (true %.4f)", model.weight:item(), true_w))
print(string.format("learned b = %.4f  (true %.4f)", model.bias:item(), true_b))
