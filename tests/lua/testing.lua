-- testing.lua — a small harness for the Lua test files: register cases with
-- T.test(name, fn), assert inside them with the checks below.  tests/lua/run.lua
-- runs every case of every tests/lua/test_*.lua file, each in its own pcall,
-- and prints the line `N passed, M failed`.
local T = {cases = {}}

function T.test(name, fn)
  T.cases[#T.cases + 1] = {name = name, fn = fn, file = debug.getinfo(2, "S").short_src}
end

local function fail(msg, level)
  error(msg, (level or 1) + 2)
end

function T.eq(got, want, what)
  if got ~= want then
    fail(string.format("%sexpected %s, got %s", what and what .. ": " or "", tostring(want), tostring(got)))
  end
end

function T.truthy(v, what)
  if not v then fail((what or "value") .. " is not true") end
end

-- |got - want| <= tol * (1 + |want|)
function T.close(got, want, tol, what)
  tol = tol or 1e-6
  if type(got) ~= "number" or math.abs(got - want) > tol * (1 + math.abs(want)) then
    fail(string.format("%sexpected %.9g, got %s", what and what .. ": " or "", want, tostring(got)))
  end
end

-- Element by element over two (nested) Lua tables of numbers.
function T.allclose(got, want, tol, path)
  path = path or ""
  if type(want) == "table" then
    if type(got) ~= "table" or #got ~= #want then
      fail(string.format("at %s: expected a list of %d, got %s", path, #want, tostring(got)))
    end
    for i = 1, #want do T.allclose(got[i], want[i], tol, path .. "[" .. i .. "]") end
  else
    T.close(got, want, tol, "at " .. path)
  end
end

-- fn(...) must raise an error whose message contains `needle` (plain text).
function T.errors(needle, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then fail("expected an error containing '" .. needle .. "', but the call succeeded") end
  if not tostring(err):find(needle, 1, true) then
    fail("expected an error containing '" .. needle .. "', got: " .. tostring(err))
  end
end

-- A new temporary file holding `bytes`; returns its path.
function T.temp_file(bytes)
  local p = os.tmpname()
  local f = assert(io.open(p, "wb"))
  f:write(bytes)
  f:close()
  return p
end

return T
