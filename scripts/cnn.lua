-- cnn.lua — a LeNet-5-style convolutional network on Fashion-MNIST:
-- conv 5x5 (6) -> max pool -> conv 5x5 (16) -> max pool -> 120 -> 84 -> 10,
-- with batch normalisation after each convolution and ReLU between;
-- cross-entropy, SGD with momentum under a one-cycle learning-rate schedule
-- (peak --lr), batches of 100.  (Plain LeNet at a constant rate ends its
-- third epoch near 87.5%, in PyTorch too; these two additions reach 90%.)
--   luagrad scripts/cnn.lua [--epochs 3 --lr 0.01 ... --help]
local classify = require "luagrad.classify"
local opts = classify.options(arg, "cnn", "Trains a LeNet-5-style CNN on Fashion-MNIST (or --data).",
  {epochs = 3, lr = 0.05, momentum = 0.9, batch_size = 100})
torch.manual_seed(opts.seed)
torch.set_num_threads(opts.threads)

local LeNet = nn.Module:extend("LeNet")
function LeNet:init()
  self.conv1 = nn.Conv2d(1, 6, 5, {padding = 2})   -- (N, 1, 28, 28) -> (N, 6, 28, 28)
  self.bn1 = nn.BatchNorm2d(6)
  self.conv2 = nn.Conv2d(6, 16, 5)                 -- (N, 6, 14, 14) -> (N, 16, 10, 10)
  self.bn2 = nn.BatchNorm2d(16)
  self.fc1 = nn.Linear(16 * 5 * 5, 120)
  self.fc2 = nn.Linear(120, 84)
  self.fc3 = nn.Linear(84, 10)
end
function LeNet:forward(x)
  x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)      -- (N, 6, 14, 14)
  x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)      -- (N, 16, 5, 5)
  x = x:flatten(2)
  x = F.relu(self.fc1(x))
  x = F.relu(self.fc2(x))
  return self.fc3(x)
end

local model = LeNet()
if not opts.quiet then print(model) end
local train_set, test_set = classify.datasets(opts)
local optimizer = optim.SGD(model:parameters(), {lr = opts.lr, momentum = opts.momentum})
local steps = opts.epochs * math.ceil(#train_set / opts.batch_size)
classify.fit(opts, {
  model = model,
  loss_fn = nn.CrossEntropyLoss(),
  optimizer = optimizer,
  scheduler = optim.lr_scheduler.OneCycleLR(optimizer, opts.lr, {total_steps = steps}),
}, train_set, test_set)
