-- Generator.lua — data.Generator: a random stream of its own, for shuffling
-- that must not depend on (or disturb) the global one.
--
-- luagrad has one process-wide generator (torch.manual_seed); its whole state
-- is 16 bytes (torch.get_rng_state).  A Generator keeps such a state and runs
-- a function with it swapped in, then swaps the global state back: the
-- draws inside continue the Generator's stream, the global stream is as if
-- nothing happened.  PyTorch passes torch.Generator objects for the same
-- purpose (DataLoader(generator=), random_split(generator=)).
local torch = require "torch"
local class = require "data.class"

local Generator = class.new("Generator")

function Generator:init(seed)
  self:manual_seed(seed or torch.initial_seed())
end

--- Restarts the stream from `seed`; returns self.
function Generator:manual_seed(seed)
  if not class.integer(seed) then
    error("Generator: seed must be an integer, got " .. tostring(seed), 2)
  end
  local saved = torch.get_rng_state()
  torch.manual_seed(class.integer(seed))
  self.state = torch.get_rng_state()
  torch.set_rng_state(saved)
  return self
end
torch.doc(Generator.manual_seed, "gen:manual_seed(seed)",
  "Restarts the stream from seed; returns the generator.",
  [[
local g = data.Generator()
local a = g:manual_seed(7):run(torch.randperm, 5)
local b = g:manual_seed(7):run(torch.randperm, 5)
print(a, b)]])

--- Runs fn(...) drawing from this generator's stream; returns its results.
function Generator:run(fn, ...)
  local saved = torch.get_rng_state()
  torch.set_rng_state(self.state)
  local results = table.pack(pcall(fn, ...))
  self.state = torch.get_rng_state()
  torch.set_rng_state(saved)
  if not results[1] then error(results[2], 0) end
  return table.unpack(results, 2, results.n)
end
torch.doc(Generator.run, "gen:run(fn, ...)",
  "Runs fn(...) drawing from this generator's stream and returns its results; the global "
    .. "stream is left as it was.",
  [[
local g = data.Generator(42)
torch.manual_seed(0)
local a = torch.rand(2)
torch.manual_seed(0)
local shuffled = g:run(torch.randperm, 4)   -- draws from g's stream only
print(shuffled, (torch.rand(2) - a):abs():max())   -- the global stream did not move]])

function Generator:get_state() return self.state:clone() end
torch.doc(Generator.get_state, "gen:get_state()",
  "A copy of the stream's state (a uint8 tensor).",
  [[
local g = data.Generator(1)
local state = g:get_state()
local a = g:run(torch.rand, 2)
g:set_state(state)
print(a, g:run(torch.rand, 2))   -- the same draws again]])
function Generator:set_state(state) self.state = state:clone() end
torch.doc(Generator.set_state, "gen:set_state(state)",
  "Puts back a state get_state returned.",
  [[
local g = data.Generator(1)
local state = g:get_state()
g:run(torch.rand, 10)
g:set_state(state)
print(g:run(torch.randint, 0, 10, {3}))]])
function Generator:state_dict() return {state = self:get_state()} end
torch.doc(Generator.state_dict, "gen:state_dict()",
  "{state = gen:get_state()}, for a checkpoint.",
  [[
local g = data.Generator(3)
print(g:state_dict().state.dtype, g:state_dict().state:numel())]])
function Generator:load_state_dict(sd) self:set_state(sd.state) end
torch.doc(Generator.load_state_dict, "gen:load_state_dict(sd)",
  "Restores what state_dict returned.",
  [[
local g, h = data.Generator(3), data.Generator(4)
h:load_state_dict(g:state_dict())
print(g:run(torch.randperm, 4), h:run(torch.randperm, 4))]])

function Generator:_repr() return "Generator()" end

--- The generator an options table asks for: opts.generator, or a new one
--- seeded with opts.seed, or nil (draw from the global stream).
function Generator.from_options(opts, fn)
  if opts.generator ~= nil then
    if class.name(opts.generator) ~= "Generator" then
      error(fn .. ": generator must be a data.Generator, got " .. type(opts.generator), 3)
    end
    return opts.generator
  end
  if opts.seed ~= nil then
    if not class.integer(opts.seed) then error(fn .. ": seed must be an integer, got " .. tostring(opts.seed), 3) end
    return Generator(opts.seed)
  end
  return nil
end
torch.doc(Generator.from_options, "data.Generator.from_options(opts, fn)",
  "The generator an options table asks for: opts.generator, or a new one seeded with "
    .. "opts.seed, or nil (the global stream); errors name fn. For samplers written in Lua.",
  [[
print(data.Generator.from_options({seed = 5}, "MySampler"), data.Generator.from_options({}, "MySampler"))]])

--- Runs fn(...) on generator g, or on the global stream when g is nil.
function Generator.draw(g, fn, ...)
  if g then return g:run(fn, ...) end
  return fn(...)
end
torch.doc(Generator.draw, "data.Generator.draw(gen, fn, ...)",
  "fn(...) run on gen's stream, or on the global one when gen is nil. For samplers written "
    .. "in Lua.",
  [[
local g = data.Generator(0)
print(data.Generator.draw(g, torch.randperm, 4))]])

torch.doc(Generator, "data.Generator([seed])",
  "A random stream of its own for shuffling and splitting (gen:manual_seed(s), gen:run(fn)); the global "
  .. "stream of torch.manual_seed is left untouched.",
  [[
local g = data.Generator(0)
local loader = data.DataLoader(data.TensorDataset(torch.arange(6)), {batch_size = 6, shuffle = true, generator = g})
print(loader:iter()(), loader:iter()())   -- a new order each epoch, the same every run]])
return Generator
