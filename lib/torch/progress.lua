-- progress.lua — torch.progress, a tqdm-like progress bar for loops.
--
-- On a terminal it redraws one line in place ("\r") with the count, the rate,
-- the time left and fields the loop sets (running loss, accuracy); when the
-- output is not a terminal it draws nothing at all, so logs and pipes get only
-- what the script prints itself.  Either way bar:close() returns a one-line
-- summary to print per epoch.  The text itself is made in progress_text.lua.
--
--   local bar = torch.progress(loader, {desc = "epoch " .. epoch})
--   for x, y in bar do                -- what loader:iter() yields
--     ...
--     bar:set{loss = running_loss, acc = running_acc}
--   end
--   print(bar:close())        -- "epoch 1: 600 it in 11.5s (52.3 it/s), acc=0.884, loss=0.312"
local torch = require "torch"
local args = require "torch.args"
local term = require "torch.term"
local text = require "torch.progress_text"

local Bar = {}
Bar.__index = Bar
Bar.__name = "ProgressBar"

local FN = "torch.progress"
local OPTIONS = {desc = true, total = true, unit = true, file = true, enabled = true, width = true,
                 leave = true, min_interval = true}

local function count_option(name, v)
  if v ~= nil and (math.type(v) ~= "integer" or v < 0) then
    error(string.format("%s: %s must be a non-negative integer, got %s", FN, name, tostring(v)), 4)
  end
  return v
end

-- The iterator function and the total for what was given to torch.progress.
local function source_of(src, total)
  if math.type(src) == "integer" and src >= 0 then
    local i = 0
    return function() if i < src then i = i + 1; return i end end, total or src
  end
  if type(src) == "function" then return src, total end
  if type(src) == "table" and not torch.is_tensor(src) then
    local mt = getmetatable(src)
    if type(src.iter) == "function" then
      return src:iter(), total or (type(mt) == "table" and mt.__len and #src or nil)
    elseif type(mt) == "table" and mt.__call then
      return src, total
    end
    local i = 0
    return function() i = i + 1; if src[i] ~= nil then return i, src[i] end end, total or #src
  end
  error(string.format("%s: expected a count, a list, an iterator function or a loader with :iter(), got %s",
    FN, math.type(src) and tostring(src) or type(src)), 4)
end

local function new(src, opts)
  opts = args.options(FN, opts, OPTIONS, 3)
  local iter, total = source_of(src, count_option("total", opts.total))
  local file = opts.file or io.stdout
  local enabled = opts.enabled
  if enabled == nil then enabled = term.is_terminal(file) end
  local now = torch.clock()
  return setmetatable({
    iter = iter, n = 0, total = total, desc = opts.desc and tostring(opts.desc),
    unit = opts.unit and tostring(opts.unit) or "it", file = file, enabled = enabled,
    width = count_option("width", opts.width), leave = opts.leave == true,
    min_interval = tonumber(opts.min_interval) or 0.1,
    start = now, last_draw = -math.huge, keys = {}, postfix = {}, started = false, closed = false,
  }, Bar)
end

-- The state the text functions read.
function Bar:state()
  return {n = self.n, total = self.total, elapsed = torch.clock() - self.start, desc = self.desc,
          unit = self.unit, keys = self.keys, postfix = self.postfix}
end

--- The live line as it would be drawn now.
function Bar:line()
  return text.line(self:state(), (self.width or term.columns(self.file)) - 1)
end

function Bar:draw()
  if not self.enabled or self.closed then return end
  self.file:write("\r", self:line(), "\27[K")
  if self.file.flush then self.file:flush() end
  self.last_draw = torch.clock()
end

--- Counts k more items done (default 1) and redraws at most every min_interval seconds.
function Bar:update(k)
  k = k or 1
  if math.type(k) ~= "integer" or k < 0 then error("bar:update: expected a non-negative integer count", 2) end
  self.n = self.n + k
  if self.enabled and (torch.clock() - self.last_draw >= self.min_interval or self.n == self.total) then
    self:draw()
  end
  return self
end

--- Sets fields shown after the rate: bar:set{loss = 0.31, acc = 0.88} or bar:set("loss", 0.31).
function Bar:set(values, value)
  if type(values) ~= "table" then values = {[values] = value} end
  local new_keys = {}
  for k, v in pairs(values) do
    k = tostring(k)
    if self.postfix[k] == nil then new_keys[#new_keys + 1] = k end
    self.postfix[k] = v
  end
  table.sort(new_keys)
  for _, k in ipairs(new_keys) do self.keys[#self.keys + 1] = k end
  return self
end

--- Prints a line above the bar without garbling it.
function Bar:write(line)
  if self.enabled and not self.closed then self.file:write("\r\27[K") end
  self.file:write(tostring(line), "\n")
  self:draw()
end

--- Ends the bar (clears its line, or leaves it when opts.leave) and returns the summary line.
function Bar:close()
  if not self.closed then
    if self.enabled then
      if self.leave then self:draw(); self.file:write("\n") else self.file:write("\r\27[K") end
      if self.file.flush then self.file:flush() end
    end
    self.closed = true
    self.elapsed = torch.clock() - self.start
  end
  local s = self:state()
  s.elapsed = self.elapsed
  return text.summary(s)
end
Bar.__close = Bar.close

-- One step of a for loop: the item before this one is done; the next comes
-- from the source.  The end of the source closes the bar.
function Bar:__call()
  if self.started then self:update(1) else self.started = true; self:draw() end
  local values = table.pack(self.iter())
  if values[1] == nil then self:close(); return nil end
  return table.unpack(values, 1, values.n)
end

function Bar:__tostring()
  return self.closed and self:close() or self:line()
end

--- torch.progress(source, opts): the bar, and (for a generic for) the bar again as its closing value.
function torch.progress(src, opts)
  local bar = new(src, opts)
  return bar, nil, nil, bar
end

torch.doc(torch.progress, "torch.progress(source, {desc=, total=, unit=\"it\", file=io.stdout, enabled=, width=, leave=false, min_interval=0.1})",
  "A tqdm-like progress bar over source: a count n (yields 1..n), a list (yields i, v), an iterator function, or a loader (calls source:iter(), total #source). "
  .. "`for i, x, y in torch.progress(loader) do ... end`, or keep the bar to call bar:set{loss = l, acc = a} (fields after the rate), bar:update(k), bar:write(line) and bar:close(), which returns the summary line "
  .. "\"desc: 600 it in 11.5s (52.3 it/s), loss=0.312\". On a terminal the line is redrawn in place (at most every min_interval seconds) and cleared at the end (kept with leave=true); "
  .. "when file is not a terminal nothing is drawn (enabled=true forces drawing).",
  [[
local total = 0
local bar = torch.progress(100, {desc = "sum"})   -- draws only on a terminal
for i in bar do total = total + i end
print(total, bar.n)]])

return {Bar = Bar, text = text}
