-- train.lua — one epoch of mnist_mlp.lua's recipe on Fashion-MNIST (the
-- 784-128-128-10 MLP, SGD lr 0.01 momentum 0.9, batches of 100, shuffled,
-- standardised inputs), data loading included.  Prints "mlp_epoch <seconds>"
-- (best of two); train.py does the same epoch in PyTorch.
local here = arg[0]:match "^(.*)/[^/]*$" or "."
local best = dofile(here .. "/timing.lua").best

torch.manual_seed(0)
local T = data.transforms
local train_set = data.datasets.FashionMNIST{train = true,
  transform = T.Compose{T.ToTensor(), T.Normalize({0.2860}, {0.3530})}}
local loader = data.DataLoader(train_set, {batch_size = 100, shuffle = true})
local model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
  nn.Linear(128, 10))
local optimizer = optim.SGD(model:parameters(), {lr = 0.01, momentum = 0.9})
local loss_fn = nn.CrossEntropyLoss()

print(string.format("mlp_epoch %.9g", best(2, 1, function()
  for x, y in loader:iter() do
    optimizer:zero_grad()
    loss_fn(model(x), y):backward()
    optimizer:step()
  end
end)))
