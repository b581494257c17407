-- mlp_regression.lua — the seed's small regression: X = randn(100, 10),
-- y = randn(100, 1), an MLP 10-5-1 with ReLU, MSE loss, 1000 SGD steps.
-- (Random targets: the point is watching the loss fall as the net memorises.)
--   luagrad scripts/mlp_regression.lua [--steps N --lr X --seed N --quiet]
local cli = require "luagrad.cli"
local opts = cli.parse(arg, {
  usage = "luagrad scripts/mlp_regression.lua [options]",
  about = "Fits an MLP 10-5-1 to random data with MSE and SGD.",
  {"steps", 1000, "gradient steps"},
  {"lr", 0.01, "learning rate"},
  {"seed", 0, "random seed"},
  {"quiet", false, "print only the result"},
})
torch.manual_seed(opts.seed)

local X = torch.randn(100, 10)
local y = torch.randn(100, 1)

local model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
local loss_fn = nn.MSELoss()
local optimizer = optim.SGD(model:parameters(), {lr = opts.lr})

local first
for step = 1, opts.steps do
  optimizer:zero_grad()
  local loss = loss_fn(model(X), y)
  loss:backward()
  optimizer:step()
  first = first or loss:item()
  if not opts.quiet and (step % 100 == 0 or step == 1) then
    print(string.format("step %5d  loss %.6f", step, loss:item()))
  end
end

local final = loss_fn(model(X), y):item()
print(string.format("loss: %.6f -> %.6f after %d steps", first, final, opts.steps))
