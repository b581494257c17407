-- term.lua — the few things the progress bar, plots and images need to know
-- about where their text goes: whether it is a terminal (then they draw live
-- and in colour), how wide it is, and how wide a string looks on it.
local torch = require "torch"

local term = {}

--- True when file is an open io handle on a terminal (fake writers are not).
function term.is_terminal(file)
  return io.type(file) == "file" and torch.isatty(file)
end

--- The width of the terminal behind file, else $COLUMNS, else 80.
function term.columns(file)
  local cols = io.type(file) == "file" and torch.terminal_size(file)
  return cols or math.tointeger(tonumber(os.getenv "COLUMNS" or "")) or 80
end

--- The columns s takes on screen: UTF-8 characters, ANSI colour codes not counted.
function term.width(s)
  s = s:gsub("\27%[[%d;]*m", "")
  return utf8.len(s) or #s
end

--- The ANSI code for 256-colour foreground (layer 38) or background (48).
function term.color(code, layer)
  return string.format("\27[%d;5;%dm", layer or 38, code)
end

term.RESET = "\27[0m"

return term
