-- test_examples.lua — the help texts are complete and their examples run:
-- every exported name has help (scripts/docs/catalog.lua says what is
-- exported), every Lua-written entry has an example, and every example runs
-- in a fresh environment of a fresh luagrad, prints something, takes well
-- under a second and leaves no file behind.  A failure names the entry.
local T = require "testing"
package.path = "scripts/docs/?.lua;" .. package.path
local catalog = require "catalog"
local examples = require "examples"

-- Generous for a loaded machine or a sanitized build; the examples take
-- milliseconds.
local SECONDS = 1

local entries, undocumented = catalog.build()

local function failures(list, what)
  if #list > 0 then error(#list .. " " .. what .. ":\n  " .. table.concat(list, "\n  "), 2) end
end

--- The names of the entries without an example; only Lua-written ones
--- unless `all`.
local function missing_examples(all)
  local list = {}
  for _, e in ipairs(entries) do
    if not e.example and (all or catalog.is_lua(e.value)) then list[#list + 1] = e.name end
  end
  return list
end

T.test("every exported name has help text", function()
  failures(undocumented, "exported names without help (torch.doc or a BindFn entry)")
end)

T.test("every Lua-written entry has an example", function()
  failures(missing_examples(false), "Lua entries without an example")
end)

T.test("every entry has an example", function()
  failures(missing_examples(true), "entries without an example")
end)

local results, left
local function run_examples()
  if not results then results, left = examples.collect(arg[-1], "scripts/docs") end
  return results
end

T.test("every example runs in a fresh luagrad", function()
  local bad = {}
  for _, e in ipairs(entries) do
    local r = e.example and run_examples()[e.name]
    if e.example and not r then
      bad[#bad + 1] = e.name .. ": did not report (the child stopped?)"
    elseif r and not r.ok then
      bad[#bad + 1] = e.name .. ": " .. r.error
    end
  end
  failures(bad, "examples failed")
end)

T.test("every example prints something", function()
  local silent = {}
  for _, e in ipairs(entries) do
    local r = e.example and run_examples()[e.name]
    if r and r.ok and r.output == "" then silent[#silent + 1] = e.name end
  end
  failures(silent, "examples that print nothing")
end)

T.test("every example runs in under a second", function()
  local slow = {}
  for name, r in pairs(run_examples()) do
    if r.ok and r.seconds > SECONDS then slow[#slow + 1] = string.format("%s: %.2f s", name, r.seconds) end
  end
  table.sort(slow)
  failures(slow, "slow examples")
end)

T.test("the examples leave no file behind", function()
  run_examples()
  failures(left, "files left in the working directory")
end)

T.test("an example that fails is reported with its name and message", function()
  local ok, err = examples.run("local x = torch.zeros(2, 3)\nx:matmul(x)", "demo")
  T.eq(ok, false)
  T.truthy(err:find("demo:2:", 1, true) and err:find("matmul", 1, true), err)
end)
