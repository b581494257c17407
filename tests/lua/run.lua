-- run.lua — runs the Lua test files given on the command line (default: every
-- tests/lua/test_*.lua) under the luagrad binary itself.
-- usage: luagrad tests/lua/run.lua [file.lua ...]
local here = arg[0]:match "^(.*)/[^/]*$" or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testing"

local files = {table.unpack(arg)}
if #files == 0 then
  local p = io.popen('ls "' .. here .. '"/test_*.lua')
  for f in p:lines() do files[#files + 1] = f end
  p:close()
end

for _, f in ipairs(files) do
  local chunk, err = loadfile(f)
  if not chunk then
    T.test(f, function() error(err, 0) end)
  else
    chunk()
  end
end

local passed, failed = 0, 0
for _, case in ipairs(T.cases) do
  local ok, err = xpcall(case.fn, debug.traceback)
  if ok then
    passed = passed + 1
  else
    failed = failed + 1
    io.stderr:write(string.format("FAIL %s: %s\n  %s\n", case.file, case.name, err))
  end
end
print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
