-- test_checkpoint.lua — torch.save_checkpoint / load_checkpoint: a training
-- run interrupted after two epochs and resumed in fresh objects ends with
-- exactly the parameters of the run that was never interrupted (model,
-- optimizer momentum, scheduler, shuffling and the random noise of the
-- training step all continue where they stopped).  The optimizer and the
-- scheduler are small PyTorch-shaped stand-ins (state_dict/load_state_dict).
local T = require "testing"

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p '" .. dir .. "'"))

-- SGD with momentum, its state_dict shaped like PyTorch's.
local SGD = {}
SGD.__index = SGD
function SGD.new(params, lr, momentum)
  return setmetatable({params = params, lr = lr, momentum = momentum, buffers = {}}, SGD)
end
function SGD:step()
  torch.no_grad(function()
    for i, p in ipairs(self.params) do
      local buf = self.buffers[i]
      if buf then buf:mul_(self.momentum):add_(p.grad) else buf = p.grad:clone() end
      self.buffers[i] = buf
      p:sub_(buf * self.lr)
    end
  end)
end
function SGD:state_dict()
  local state = {}
  for i, buf in pairs(self.buffers) do state[i] = {momentum_buffer = buf} end
  return {state = state, param_groups = {{lr = self.lr, momentum = self.momentum, params = {1, 2}}}}
end
function SGD:load_state_dict(sd)
  self.lr, self.momentum = sd.param_groups[1].lr, sd.param_groups[1].momentum
  for i, s in pairs(sd.state) do self.buffers[i] = s.momentum_buffer:clone() end
end

-- StepLR(step_size = 1, gamma).
local StepLR = {}
StepLR.__index = StepLR
function StepLR.new(opt, gamma) return setmetatable({opt = opt, gamma = gamma, last_epoch = 0, base_lr = opt.lr}, StepLR) end
function StepLR:step()
  self.last_epoch = self.last_epoch + 1
  self.opt.lr = self.base_lr * self.gamma ^ self.last_epoch
end
function StepLR:state_dict() return {last_epoch = self.last_epoch, base_lr = self.base_lr, gamma = self.gamma} end
function StepLR:load_state_dict(sd) self.last_epoch, self.base_lr, self.gamma = sd.last_epoch, sd.base_lr, sd.gamma end

local function dataset()
  local g = data.Generator(99)
  local x, y = g:run(function() return torch.randn(24, 3), torch.randn(24, 2) end)
  return data.TensorDataset(x, y)
end

local function new_run(seed, loader_opts)
  torch.manual_seed(seed)
  local run = {model = nn.Linear(3, 2)}
  run.optimizer = SGD.new(run.model:parameters(), 0.1, 0.9)
  run.scheduler = StepLR.new(run.optimizer, 0.5)
  run.loader = data.DataLoader(dataset(), loader_opts)
  return run
end

local function train_epoch(run)
  for x, y in run.loader:iter() do
    local noisy = x + torch.randn(x:size(1), 3) * 0.1   -- draws from the global stream
    local loss = ((run.model(noisy) - y) ^ 2):mean()
    run.model:zero_grad()
    loss:backward()
    run.optimizer:step()
  end
  run.scheduler:step()
end

local function params(run)
  local out = {}
  for _, p in ipairs(run.model:parameters()) do out[#out + 1] = p:detach():clone() end
  return out
end

local function same_params(a, b)
  for i = 1, #a do
    T.truthy(a[i]:eq(b[i]):all():item(), "parameter " .. i .. " equal")
  end
end

local function resume_equals_uninterrupted(loader_opts, with_loader)
  local full = new_run(1, loader_opts)
  for _ = 1, 4 do train_epoch(full) end

  local first = new_run(1, loader_opts)
  for _ = 1, 2 do train_epoch(first) end
  local state = {model = first.model, optimizer = first.optimizer, scheduler = first.scheduler, epoch = 2,
    note = "after two epochs"}
  if with_loader then state.loader = first.loader end
  torch.save_checkpoint(dir .. "/ck.safetensors", state)
  torch.randn(100)                                   -- the interrupted process goes on drawing

  local resumed = new_run(7, loader_opts)           -- a new process: other weights, other stream
  local objects = {model = resumed.model, optimizer = resumed.optimizer, scheduler = resumed.scheduler}
  if with_loader then objects.loader = resumed.loader end
  local ck = torch.load_checkpoint(dir .. "/ck.safetensors", objects)
  T.eq(ck.epoch, 2)
  T.eq(ck.note, "after two epochs")
  T.eq(resumed.optimizer.lr, 0.1 * 0.25)
  for _ = ck.epoch + 1, 4 do train_epoch(resumed) end
  same_params(params(resumed), params(full))
  -- And an uninterrupted run really differs from a run without the resume.
  local other = new_run(7, loader_opts)
  for _ = 1, 2 do train_epoch(other) end
  T.truthy(not params(other)[1]:eq(params(full)[1]):all():item(), "the check can fail")
end

T.test("checkpoint: resuming a shuffled run from epoch 2 gives the parameters of an uninterrupted run", function()
  resume_equals_uninterrupted({batch_size = 5, shuffle = true}, false)
end)

T.test("checkpoint: a loader with its own seeded stream resumes through its state_dict", function()
  resume_equals_uninterrupted({batch_size = 5, shuffle = true, seed = 3}, true)
end)

T.test("checkpoint: the file is an ordinary torch.save file with PyTorch-shaped parts", function()
  local model = nn.Linear(2, 2)
  torch.save_checkpoint(dir .. "/plain.safetensors", {model = model, epoch = 5})
  local ck = torch.load(dir .. "/plain.safetensors")
  T.eq(ck.epoch, 5)
  T.truthy(ck.model.weight:eq(model.weight):all():item())
  T.eq(ck.rng_state:numel(), 16)
  local names = select(3, torch._read_safetensors(dir .. "/plain.safetensors"))
  table.sort(names)
  T.eq(table.concat(names, " "), "model.bias model.weight rng_state")
end)

T.test("checkpoint: errors name what is missing", function()
  local p = dir .. "/e.safetensors"
  torch.save_checkpoint(p, {epoch = 1})
  T.errors("load_checkpoint: " .. p .. " has no 'model' to load", torch.load_checkpoint, p, {model = nn.Linear(1, 1)})
  torch.save_checkpoint(p, {model = {}, epoch = 1})
  T.errors("load_checkpoint: 'model' has no load_state_dict method", torch.load_checkpoint, p, {model = {}})
  T.errors("save_checkpoint: 'rng_state' is where the random generator's state goes", torch.save_checkpoint, p,
    {rng_state = 1})
  T.errors("save_checkpoint: state must be a table", torch.save_checkpoint, p, 3)
  T.errors("load_checkpoint: unknown option 'rng'", torch.load_checkpoint, p, {}, {rng = false})
  torch.save(torch.ones(1), p)
  T.errors("is not a checkpoint (a table)", torch.load_checkpoint, p)
  local m = nn.Linear(2, 1)
  torch.save_checkpoint(p, {model = nn.Linear(3, 1)})
  T.errors("size mismatch for weight", torch.load_checkpoint, p, {model = m})
end)

T.test("checkpoint: cleanup", function()
  os.execute("rm -rf '" .. dir .. "'")
end)
