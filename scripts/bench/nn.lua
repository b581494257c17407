-- nn.lua — one training step's forward + backward through the two networks of
-- the training scripts, on one batch of 100 MNIST-sized images: the
-- 784-128-128-10 MLP and a LeNet-5-style CNN, with cross-entropy.  Prints
-- "<name> <seconds per step>" (best of several rounds); nn.py does the same
-- work in PyTorch.
local here = arg[0]:match "^(.*)/[^/]*$" or "."
local timing = dofile(here .. "/timing.lua")
local best, report = timing.best, timing.report

torch.manual_seed(0)
local x = torch.rand(100, 1, 28, 28)
local y = torch.randint(1, 11, {100})

local function step(model)
  return function()
    model:zero_grad()
    F.cross_entropy(model(x), y):backward()
  end
end

local mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
  nn.Linear(128, 10))
report("mlp_step", best(5, 50, step(mlp)))

local lenet = nn.Sequential(
  nn.Conv2d(1, 6, 5, {padding = 2}), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
report("lenet_step", best(5, 10, step(lenet)))
