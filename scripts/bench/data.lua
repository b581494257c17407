-- data.lua — loading Fashion-MNIST: decoding the 60,000 training images from
-- Debian's gzip'd IDX files, and one shuffled epoch of batches of 100 through
-- ToTensor and Normalize (what a training script's loop asks for).  Prints
-- "<name> <seconds>" (best of three); data.py does the same work in PyTorch.
local clock = torch.clock

local function best(rounds, fn)
  local t = math.huge
  for _ = 1, rounds do
    local start = clock()
    fn()
    t = math.min(t, clock() - start)
  end
  return t
end

local function report(name, seconds) print(string.format("%s %.9g", name, seconds)) end

local ds
report("fmnist_decode", best(3, function() ds = data.datasets.FashionMNIST() end))

local T = data.transforms
ds.transform = T.Compose({T.ToTensor(), T.Normalize({0.5}, {0.5})})
torch.manual_seed(0)
local loader = data.DataLoader(ds, {batch_size = 100, shuffle = true})
report("fmnist_epoch", best(3, function()
  for x, y in loader:iter() do end
end))
