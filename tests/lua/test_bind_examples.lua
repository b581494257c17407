-- The examples of the functions bound from C (the BindFn tables of vm/bind_*.c):
-- each has one, and each runs as it stands in a fresh environment over the
-- globals, prints something, and leaves the process-wide settings as it found
-- them (a user who pastes it into a session must not be left with float64 or
-- grad mode off).  test_examples.lua runs the reference's examples in a child
-- that resets the settings between them, and leaves out the internal "_"
-- functions (torch._read_npy, torch._sgd_step, ...); this covers both.
local T = require "testing"

local methods = getmetatable(torch.zeros(1)).__methods
local homes = {{"torch.", torch}, {"torch.autograd.", torch.autograd}, {"x:", methods}}

-- The documented C functions, each with the names it goes by, sorted by name.
local function bound_functions()
  local names = {}
  for _, home in ipairs(homes) do
    for k, v in pairs(home[2]) do
      if type(v) == "function" and torch._docs[v] and debug.getinfo(v, "S").what == "C" then
        names[v] = names[v] or {}
        table.insert(names[v], home[1] .. k)
      end
    end
  end
  local list = {}
  for fn, ns in pairs(names) do
    table.sort(ns)
    list[#list + 1] = {fn = fn, name = table.concat(ns, " or ")}
  end
  table.sort(list, function(a, b) return a.name < b.name end)
  return list
end

-- What an example could change for everything after it.
local function settings()
  local o = torch.get_printoptions()
  local keys = {}
  for k in pairs(o) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {torch.get_default_dtype(), tostring(torch.is_grad_enabled()),
                 tostring(torch.autograd.is_tracing()), tostring(torch.get_num_threads())}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. tostring(o[k]) end
  return table.concat(parts, " ")
end

-- Runs one example; returns nil when it passes, else what went wrong.
local function run_example(name, code)
  local printed = 0
  local env = setmetatable({print = function() printed = printed + 1 end}, {__index = _G})
  local before, threads = settings(), torch.get_num_threads()
  local chunk, err = load(code, "=example of " .. name, "t", env)
  local ok = chunk ~= nil
  if ok then ok, err = pcall(chunk) end
  local after = settings()
  if after ~= before then
    torch.set_default_dtype "float32"
    torch.set_grad_enabled(true)
    torch.autograd.set_trace(false)
    torch.set_printoptions {profile = "default"}
    torch.set_num_threads(threads)
    return "changes the settings: " .. before .. " -> " .. after
  end
  if not ok then return tostring(err) end
  if printed == 0 then return "prints nothing" end
end

T.test("every function bound from C has an example", function()
  local missing = {}
  for _, f in ipairs(bound_functions()) do
    if not torch._docs[f.fn].example then missing[#missing + 1] = f.name end
  end
  T.eq(table.concat(missing, ", "), "", "functions without an example")
end)

T.test("every example of a function bound from C runs and prints", function()
  local failures = {}
  for _, f in ipairs(bound_functions()) do
    local example = torch._docs[f.fn].example
    local problem = example and run_example(f.name, example)
    if problem then failures[#failures + 1] = f.name .. ": " .. problem end
  end
  T.eq(table.concat(failures, "\n"), "", "failing examples")
end)
