-- train_tiny.lua — a short training run that needs nothing but the modules:
-- a 4-8-1 MLP fitted by SGD to a synthetic linear target, one line per epoch
-- with the mean loss.  tests/cli/test_install.sh runs it under the installed
-- luagrad and under a stock lua5.4 and expects the same lines, loss falling.
local torch = require "torch"
local nn = require "nn"
local optim = require "optim"
local data = require "data"

torch.manual_seed(0)
torch.set_num_threads(1)                     -- the same sums in the same order in both hosts
local x = torch.randn(64, 4)
local y = x:matmul(torch.tensor({{1.0}, {-2.0}, {0.5}, {3.0}})) + 0.1
local loader = data.DataLoader(data.TensorDataset(x, y), {batch_size = 16, shuffle = true})
local model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
local opt = optim.SGD(model:parameters(), {lr = 0.01, momentum = 0.9})
for epoch = 1, 5 do
  local total = 0
  for xb, yb in loader:iter() do
    opt:zero_grad()
    local loss = nn.functional.mse_loss(model(xb), yb)
    loss:backward()
    opt:step()
    total = total + loss:item()
  end
  print(string.format("epoch %d loss %.6f", epoch, total / #loader))
end
