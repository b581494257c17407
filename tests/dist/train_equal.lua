-- train_equal.lua — the correctness test of data-parallel training: the same
-- global batch on 1 process or on N gives the same parameters.
-- usage: [mpirun -np N] luagrad tests/dist/train_equal.lua OUT.safetensors [bucket_cap_mb]
--
-- Two epochs of an MLP on a synthetic 3-class problem (480 samples, global
-- batch 32, SGD with momentum), each process on its DistributedSampler shard
-- (global batch / N samples per step) through nn.DistributedDataParallel.
-- Every process starts from weights of its own, so the run depends on DDP
-- copying rank 0's.  The script checks that all processes end with the very
-- same parameters and rank 0 saves them to OUT; tests/cli/test_dist.sh
-- compares the files of different process counts.
local out, cap = arg[1], tonumber(arg[2] or "25")
local rank, n = dist.init()
local BATCH = 32
assert(BATCH % n == 0, "the global batch must split evenly")

torch.manual_seed(0)
local x = torch.randn(480, 10)
local y = x:matmul(torch.randn(10, 3)):argmax(2)
local train_set = data.TensorDataset(x, y)
local sampler = data.DistributedSampler(train_set, {seed = 1})
local loader = data.DataLoader(train_set, {batch_size = BATCH // n, sampler = sampler})

torch.manual_seed(10 + rank)
local model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
local ddp = nn.DistributedDataParallel(model, {bucket_cap_mb = cap})
local optimizer = optim.SGD(model:parameters(), {lr = 0.1, momentum = 0.9})
local loss_fn = nn.CrossEntropyLoss()
for epoch = 1, 2 do
  sampler:set_epoch(epoch)
  for xb, yb in loader:iter() do
    optimizer:zero_grad()
    loss_fn(ddp(xb), yb):backward()
    optimizer:step()
  end
end

-- In parameter order: pairs() would visit the keys of a state_dict in a
-- different order in each process, and their collectives would not match.
for i, p in ipairs(model:parameters()) do
  local copies = dist.all_gather(p:detach())
  for r = 2, n do
    local diff = (copies[r] - copies[1]):abs():max():item()
    assert(diff == 0, string.format("rank %d's parameter %d differs from rank 0's by %g", r - 1, i, diff))
  end
end
if rank == 0 then torch.save(model:state_dict(), out) end
