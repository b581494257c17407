-- train.lua — one epoch of mnist_mlp.lua's recipe on Fashion-MNIST (SGD lr
-- 0.01 momentum 0.9, batches of 100, shuffled, standardised inputs), data
-- loading included, for the 784-128-128-10 MLP and for LeNet-5.  Prints
-- "mlp_epoch <seconds>" and "lenet_epoch <seconds>" (best of two); train.py
-- does the same epochs in PyTorch.
local here = arg[0]:match "^(.*)/[^/]*$" or "."
local best = dofile(here .. "/timing.lua").best

torch.manual_seed(0)
local T = data.transforms
local train_set = data.datasets.FashionMNIST{train = true,
  transform = T.Compose{T.ToTensor(), T.Normalize({0.2860}, {0.3530})}}
local loader = data.DataLoader(train_set, {batch_size = 100, shuffle = true})
local models = {
  mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, 10)),
  lenet = nn.Sequential(
    nn.Conv2d(1, 6, 5, {padding = 2}), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)),
}
local loss_fn = nn.CrossEntropyLoss()

for _, name in ipairs{"mlp", "lenet"} do
  local model = models[name]
  local optimizer = optim.SGD(model:parameters(), {lr = 0.01, momentum = 0.9})
  print(string.format("%s_epoch %.9g", name, best(2, 1, function()
    for x, y in loader:iter() do
      optimizer:zero_grad()
      loss_fn(model(x), y):backward()
      optimizer:step()
    end
  end)))
end
