-- mnist_mlp.lua — the seeds' multilayer perceptron on Fashion-MNIST:
-- 784-128-128-10 with ReLU, cross-entropy, SGD (lr 0.01, momentum 0.9),
-- batches of 100.  Prints one line per epoch, then the test report.
--   luagrad scripts/mnist_mlp.lua [--epochs 5 --lr 0.01 ... --help]
local classify = require "luagrad.classify"
local opts = classify.options(arg, "mnist_mlp", "Trains a 784-128-128-10 MLP on Fashion-MNIST (or --data).",
  {epochs = 5, lr = 0.01, momentum = 0.9, batch_size = 100})
torch.manual_seed(opts.seed)
torch.set_num_threads(opts.threads)

local MLP = nn.Module:extend("MLP")
function MLP:init()
  self.fc1 = nn.Linear(28 * 28, 128)
  self.fc2 = nn.Linear(128, 128)
  self.fc3 = nn.Linear(128, 10)
end
function MLP:forward(x)
  x = x:flatten(2)                      -- (N, 1, 28, 28) -> (N, 784)
  x = F.relu(self.fc1(x))
  x = F.relu(self.fc2(x))
  return self.fc3(x)                    -- logits; the loss applies log-softmax
end

local model = MLP()
if not opts.quiet then print(model) end
classify.fit(opts, {
  model = model,
  loss_fn = nn.CrossEntropyLoss(),
  optimizer = optim.SGD(model:parameters(), {lr = opts.lr, momentum = opts.momentum}),
}, classify.datasets(opts))
