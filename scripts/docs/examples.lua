-- examples.lua — runs the examples of the help texts and collects what each
-- prints, for the reference pages (gen.lua) and the tests.
--
-- All the examples run in one child luagrad (examples_child.lua), one after
-- the other, each in a fresh global environment and inside a pcall, with the
-- settings an example may change put back first.  The child marks where each
-- example's output starts and ends, so everything it prints is captured: print,
-- io.write and the C library's own writes share one stdout.  The child runs in
-- an empty temporary directory, so a file an example leaves behind is seen.
--
-- Each example starts from a different random seed, taken from the clock:
-- an example that prints random numbers without calling torch.manual_seed
-- prints different numbers each time, and the committed pages go stale at once.
-- The kernels run on one thread, so sums add up in the same order everywhere.
local torch = require "torch"

local examples = {}

-- The markers, and how a newline inside an error message is written.
local START, STATUS, NEWLINE = "\1", "\2", "\3"

local function reset(seed)
  torch.set_default_dtype("float32")
  torch.set_grad_enabled(true)
  torch.autograd.set_trace(false)
  torch.set_num_threads(1)
  torch.manual_seed(seed)
end

--- Runs one example in a fresh environment; returns ok, the error (with a
--- traceback) and the seconds it took.
function examples.run(code, name)
  local env = setmetatable({}, {__index = _G})
  local chunk, err = load(code, "=" .. name, "t", env)
  if not chunk then return false, err, 0 end
  local t0 = torch.clock()
  local ok, e = xpcall(chunk, debug.traceback)
  -- The traceback down to the example; the frames below are the runner's.
  if not ok then e = tostring(e):gsub("\n%s*%[C%]: in function 'xpcall'.*", "") end
  return ok, not ok and e or nil, torch.clock() - t0
end

--- The child's side: runs every example of `entries` (catalog order),
--- writing START name, the output, then STATUS "ok <seconds>" or
--- "error <message>".
function examples.run_all(entries, seed)
  local printoptions = torch.get_printoptions()
  for i, e in ipairs(entries) do
    if e.example then
      reset(seed + i)
      torch.set_printoptions(printoptions)
      io.stdout:write(START, e.name, "\n")
      io.stdout:flush()
      local ok, err, seconds = examples.run(e.example, e.name)
      io.stdout:flush()
      io.stdout:write(STATUS, ok and string.format("ok %.3f", seconds) or "error " .. err:gsub("\n", NEWLINE), "\n")
    end
  end
  io.stdout:flush()
end

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function absolute(path)
  if path:sub(1, 1) == "/" then return path end
  local p = io.popen("pwd")
  local cwd = p:read "l"
  p:close()
  return cwd .. "/" .. path
end

--- The parent's side: runs the examples in a fresh luagrad (`exe`) in an
--- empty directory.  Returns results by name ({output, ok, error, seconds})
--- and the names of the files left in the directory.
function examples.collect(exe, docs_dir)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir " .. shell_quote(dir)), "examples: cannot make a temporary directory")
  local seed = os.time() * 1000 + math.floor(os.clock() * 1000)
  local cmd = string.format("cd %s && %s %s %d", shell_quote(dir), shell_quote(absolute(exe)),
    shell_quote(absolute(docs_dir) .. "/examples_child.lua"), seed)
  local p = io.popen(cmd)
  local text = p:read "a"
  p:close()
  local left = {}
  local ls = io.popen("ls -A " .. shell_quote(dir))
  for f in ls:lines() do left[#left + 1] = f end
  ls:close()
  os.execute("rm -rf " .. shell_quote(dir))
  local results = {}
  for name, output, status in text:gmatch(START .. "([^\n]*)\n(.-)" .. STATUS .. "([^\n]*)") do
    local r = {output = output}
    local secs = status:match "^ok ([%d.]+)"
    if secs then
      r.ok, r.seconds = true, tonumber(secs)
    else
      r.ok, r.error = false, (status:match "^error (.*)" or status):gsub(NEWLINE, "\n")
    end
    results[name] = r
  end
  return results, left
end

return examples
