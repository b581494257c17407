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

function Generator:get_state() return self.state:clone() end
function Generator:set_state(state) self.state = state:clone() end
function Generator:state_dict() return {state = self:get_state()} end
function Generator:load_state_dict(sd) self:set_state(sd.state) end

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

--- Runs fn(...) on generator g, or on the global stream when g is nil.
function Generator.draw(g, fn, ...)
  if g then return g:run(fn, ...) end
  return fn(...)
end

torch.doc(Generator, "data.Generator([seed])",
  "A random stream of its own for shuffling and splitting (gen:manual_seed(s), gen:run(fn)); the global "
  .. "stream of torch.manual_seed is left untouched.")
return Generator
