-- test_progress.lua — torch.progress: its time, rate and line formatting
-- (pure functions of the bar's state, checked against text worked out by
-- hand), silence when the output is not a terminal, what it draws when told
-- to draw, and how it iterates counts, lists, iterator functions and loaders.
local T = require "testing"
local progress = require "torch.progress"
local text = progress.text

-- A stand-in for a file that keeps what is written.
local function recorder()
  local buf = {}
  return {write = function(self, ...) for _, s in ipairs({...}) do buf[#buf + 1] = s end return self end,
          text = function() return table.concat(buf) end}
end

T.test("progress: times read mm:ss, then h:mm:ss", function()
  T.eq(text.format_time(0), "00:00")
  T.eq(text.format_time(59.4), "00:59")
  T.eq(text.format_time(59.6), "01:00")
  T.eq(text.format_time(61), "01:01")
  T.eq(text.format_time(3600 + 62), "1:01:02")
  T.eq(text.format_time(nil), "?")
  T.eq(text.format_time(math.huge), "?")
  T.eq(text.format_time(0 / 0), "?")
end)

T.test("progress: rates keep three digits, and turn round below one per second", function()
  T.eq(text.format_rate(52.34), "52.3 it/s")
  T.eq(text.format_rate(2.5, "batch"), "2.50 batch/s")
  T.eq(text.format_rate(1234.4), "1234 it/s")
  T.eq(text.format_rate(0.4), "2.50 s/it")
  T.eq(text.format_rate(nil), "? it/s")
  T.eq(text.format_rate(0), "? it/s")
end)

T.test("progress: postfix values", function()
  T.eq(text.format_value(0.31234), "0.312")
  T.eq(text.format_value(12.345), "12.3")
  T.eq(text.format_value(7), "7")
  T.eq(text.format_value(torch.tensor(0.5)), "0.5")
  T.eq(text.format_value("warm"), "warm")
  T.eq(text.format_postfix({"loss", "acc"}, {loss = 0.5, acc = 0.875}), "loss=0.5, acc=0.875")
end)

T.test("progress: the live line with a total", function()
  local s = {n = 220, total = 600, elapsed = 4.2, desc = "epoch 1", unit = "it", keys = {"loss"}, postfix = {loss = 0.3124}}
  -- 220/600 = 36.7%: 40 cells hold 14 full blocks and 5/8 of one (floor(0.3667 * 320) = 117 eighths)
  -- rate 220/4.2 = 52.38/s, time left 380/52.38 = 7.25 s
  local bar = string.rep("█", 14) .. "▋" .. string.rep(" ", 25)
  T.eq(text.line(s, 200), "epoch 1:  36%|" .. bar .. "| 220/600 [00:04<00:07, 52.4 it/s, loss=0.312]")
  -- a narrow terminal shrinks the bar, then drops it
  local narrow = text.line(s, 70)
  T.eq(utf8.len(narrow), 70)
  T.eq(text.line(s, 40), "epoch 1:  36% 220/600 [00:04<00:07, 52.4 it/s, loss=0.312]")
end)

T.test("progress: the live line without a total, and the summary", function()
  local s = {n = 220, elapsed = 4.2, unit = "batch", keys = {}, postfix = {}}
  T.eq(text.line(s, 80), "220 batch [00:04, 52.4 batch/s]")
  s.desc, s.keys, s.postfix, s.n, s.elapsed = "epoch 2", {"acc", "loss"}, {acc = 0.8843, loss = 0.3124}, 600, 11.5
  T.eq(text.summary(s), "epoch 2: 600 batch in 11.5s (52.2 batch/s), acc=0.884, loss=0.312")
  T.eq(text.line({n = 0, total = 10, elapsed = 0, unit = "it"}, 80), "  0%|" .. string.rep(" ", 40) .. "| 0/10 [00:00<?, ? it/s]")
end)

T.test("progress: not a terminal, nothing is written while the loop runs", function()
  local f = io.tmpfile()
  local bar = torch.progress(100, {file = f, desc = "epoch 1"})
  T.eq(bar.enabled, false)
  local seen = 0
  for i in bar do
    seen = seen + i
    bar:set{loss = 1 / i}
  end
  T.eq(seen, 5050)
  T.eq(f:seek("end"), 0, "bytes written")
  local summary = bar:close()
  T.truthy(summary:match "^epoch 1: 100 it in %d+%.%ds %(.+ it/s%), loss=0%.01$", summary)
  T.eq(f:seek("end"), 0, "close writes nothing either")
  f:close()
  -- a writer that is not an io file is not a terminal either
  local r = recorder()
  for _ in torch.progress(3, {file = r}) do end
  T.eq(r.text(), "")
end)

T.test("progress: when drawing, each update redraws one line in place and close clears it", function()
  local r = recorder()
  local bar = torch.progress({10, 20, 30}, {file = r, enabled = true, width = 100, min_interval = 0})
  for _, v in bar do bar:set("v", v) end
  local out = r.text()
  local draws = {}
  for line in out:gmatch "\r([^\r]*)" do draws[#draws + 1] = line end
  T.eq(#draws, 5, "the empty bar, three updates and the clearing")
  T.truthy(draws[1]:find("0/3", 1, true), draws[1])
  T.truthy(draws[4]:find("100%|", 1, true) and draws[4]:find("3/3", 1, true) and draws[4]:find("v=30", 1, true), draws[4])
  T.eq(draws[5], "\27[K")
  T.truthy(not out:find("\n", 1, true), "no newline: the bar stays on one line")
  -- leave = true keeps the last line
  local r2 = recorder()
  local kept = torch.progress(2, {file = r2, enabled = true, width = 100, leave = true})
  for _ in kept do end
  T.truthy(r2.text():match "2/2 [^\r]*\n$", r2.text())
end)

T.test("progress: bar:write prints above the bar", function()
  local r = recorder()
  local bar = torch.progress(5, {file = r, enabled = true, width = 80})
  bar:update(2)
  bar:write("a message")
  T.truthy(r.text():find("\r\27[Ka message\n\r", 1, true), "cleared, printed, redrawn")
  bar:close()
end)

T.test("progress: sources — counts, lists, iterator functions, loaders", function()
  local got = {}
  for i, v in torch.progress({"a", "b"}) do got[#got + 1] = i .. v end
  T.eq(table.concat(got, " "), "1a 2b")
  -- an iterator function's values pass through whole
  local k = 0
  local function batches() k = k + 1; if k <= 3 then return k, "x" .. k, "y" .. k end end
  got = {}
  for i, x, y in torch.progress(batches, {total = 3}) do got[#got + 1] = i .. x .. y end
  T.eq(table.concat(got, " "), "1x1y1 2x2y2 3x3y3")
  -- a loader: iter() for the items, # for the total
  local Loader = {__len = function() return 4 end, __index = {}}
  function Loader.__index.iter() local i = 0; return function() i = i + 1; if i <= 4 then return i end end end
  local bar = torch.progress(setmetatable({}, Loader))
  T.eq(bar.total, 4)
  for _ in bar do end
  T.eq(bar.n, 4, "n counts finished items")
  T.truthy(bar.closed, "the end of the source closes the bar")
end)

T.test("progress: breaking out of the loop closes the bar (the for's closing value)", function()
  local held
  local function keep(...) held = ...; return ... end
  for i in keep(torch.progress(10)) do
    if i == 3 then break end
  end
  T.truthy(held.closed, "closed on break")
  T.eq(held.n, 2, "two items finished")
end)

T.test("progress: set keeps first-seen order, new keys sorted within one call", function()
  local bar = torch.progress(1)
  bar:set{loss = 1, acc = 0.5}
  bar:set{lr = 0.1, loss = 0.9}
  T.eq(table.concat(bar.keys, ","), "acc,loss,lr")
  T.eq(bar.postfix.loss, 0.9)
end)

T.test("progress: bad arguments are errors naming torch.progress", function()
  T.errors("torch.progress: expected a count, a list, an iterator function or a loader", torch.progress, "x")
  T.errors("torch.progress: expected a count", torch.progress, -1)
  T.errors("torch.progress: unknown option 'totl'", torch.progress, 3, {totl = 3})
  T.errors("torch.progress: total must be a non-negative integer", torch.progress, 3, {total = 1.5})
  T.errors("bar:update: expected a non-negative integer count", torch.progress(3).update, torch.progress(3), -1)
end)
