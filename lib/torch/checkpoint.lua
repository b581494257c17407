-- checkpoint.lua — torch.save_checkpoint / torch.load_checkpoint: one file
-- with everything a training run needs to continue exactly where it stopped.
--
-- save_checkpoint(path, {model =, optimizer =, scheduler =, epoch =, ...})
-- stores, for each field, obj:state_dict() when the value has one (modules,
-- optimizers, schedulers, a DataLoader's generator, anything PyTorch-shaped)
-- and the value itself otherwise (numbers, strings, tables of them), plus
-- the random generator's state under "rng_state".  load_checkpoint(path,
-- {model = m, optimizer = o, ...}) calls each object's load_state_dict with
-- its part, restores the generator, and returns the whole checkpoint table
-- (so `ck.epoch` tells where to resume).  The file is an ordinary
-- torch.save file: torch.load reads it too.
local torch = require "torch"

local RNG_KEY = "rng_state"

local function has_state(v)
  return type(v) == "table" and type(v.state_dict) == "function"
end

--- Saves the state of a training run (atomically).
function torch.save_checkpoint(path, state)
  if type(state) ~= "table" then error("save_checkpoint: state must be a table, got " .. type(state), 2) end
  if state[RNG_KEY] ~= nil then
    error("save_checkpoint: '" .. RNG_KEY .. "' is where the random generator's state goes", 2)
  end
  local out = {[RNG_KEY] = torch.get_rng_state()}
  for k, v in pairs(state) do
    out[k] = has_state(v) and v:state_dict() or v
  end
  torch.save(out, path)
end

--- Loads a checkpoint into the given objects and the random generator;
--- returns the checkpoint table.
function torch.load_checkpoint(path, objects, opts)
  objects = objects or {}
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "restore_rng" then error("load_checkpoint: unknown option '" .. tostring(k) .. "'", 2) end
  end
  local ck = torch.load(path)
  if type(ck) ~= "table" then error("load_checkpoint: " .. path .. " is not a checkpoint (a table)", 2) end
  for k, obj in pairs(objects) do
    if ck[k] == nil then
      error(string.format("load_checkpoint: %s has no '%s' to load", path, tostring(k)), 2)
    end
    if type(obj) ~= "table" or type(obj.load_state_dict) ~= "function" then
      error(string.format("load_checkpoint: '%s' has no load_state_dict method", tostring(k)), 2)
    end
    obj:load_state_dict(ck[k])
  end
  if opts.restore_rng ~= false and ck[RNG_KEY] then torch.set_rng_state(ck[RNG_KEY]) end
  return ck
end

torch.doc(torch.save_checkpoint, "torch.save_checkpoint(path, {model=, optimizer=, scheduler=, epoch=, ...})",
  "Saves a training run in one file: obj:state_dict() of each field that has one, other fields as they "
  .. "are, and the random generator's state. The write is atomic.",
  [[
local path = os.tmpname()
local model = nn.Linear(3, 1)
local opt = optim.SGD(model:parameters(), {lr = 0.1})
torch.save_checkpoint(path, {model = model, optimizer = opt, epoch = 1})
print(torch.load(path).epoch)
os.remove(path)]])
torch.doc(torch.load_checkpoint, "torch.load_checkpoint(path, {model=, optimizer=, ...}, {restore_rng=true})",
  "Loads a checkpoint: calls load_state_dict on each object given with its saved state, restores the "
  .. "random generator, and returns the checkpoint table (ck.epoch, ...), so training resumes exactly.",
  [[
local path = os.tmpname()
local model = nn.Linear(2, 1)
torch.save_checkpoint(path, {model = model, epoch = 3})
local fresh = nn.Linear(2, 1)
local ck = torch.load_checkpoint(path, {model = fresh})
print(ck.epoch, (fresh.weight - model.weight):abs():max():item())
os.remove(path)]])

return true
