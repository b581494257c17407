-- How the prompt formats values and what Tab completes (lib/luagrad/repl.lua).
local T = require "testing"
local repl = require "luagrad.repl"

T.test("tables print as constructors, keys sorted", function()
  T.eq(repl.format({1, 2, b = "x", a = true}), '{1, 2, a = true, b = "x"}')
  T.eq(repl.format({}), "{}")
  T.eq(repl.format({[10] = 1}), "{[10] = 1}")
end)

T.test("cycles and depth are cut short", function()
  local t = {}
  t.self = t
  T.eq(repl.format(t), "{self = <cycle>}")
  T.eq(repl.format({{{{{1}}}}}), "{{{{{...}}}}}")   -- depths 0..3 shown, 4 elided
end)

T.test("long tables are elided", function()
  local t = {}
  for i = 1, 100 do t[i] = i end
  local s = repl.format(t)
  T.truthy(s:find("24,\n  ...", 1, true) or s:find("24, ...", 1, true), s)
end)

T.test("completion of globals, fields and methods", function()
  T.eq(table.concat(repl.complete("torch.set_num"), " "), "torch.set_num_threads")
  T.eq(table.concat(repl.complete("string.up"), " "), "string.upper")
  completion_probe = {alpha = 1, alps = 2, beta = 3}
  T.eq(table.concat(repl.complete("completion_probe.al"), " "), "completion_probe.alpha completion_probe.alps")
  T.eq(table.concat(repl.complete("nosuch.x"), " "), "")
  completion_probe = nil
end)

T.test("method completion offers only functions", function()
  local obj = setmetatable({field = 1}, {__index = {method = function() end}})
  completion_obj = obj
  T.eq(table.concat(repl.complete("completion_obj:"), " "), "completion_obj:method")
  completion_obj = nil
end)
