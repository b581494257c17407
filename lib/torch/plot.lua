-- plot.lua — torch.plot: line plots drawn in the terminal with braille dots,
-- for loss and accuracy curves and any other series.
--
--            loss while descending
--   loss
--   0.8 ┤⢣
--   0.4 ┤ ⠈⠢⢄
--     0 ┤     ⠉⠒⠒⠤⠤⠤⣀⣀⣀⣀⣀⣀
--       └┬─────────┬─────────┬
--        1        10        20
--                 step
--
-- The y axis is labelled at "nice" values (1, 2 or 5 times a power of ten)
-- inside the data's range, the x axis likewise; consecutive points are joined
-- by straight lines.  Several series share the axes, each in its own colour
-- (when colour is on), named in a legend.  What is accepted is described in
-- plot_series.lua; the PNG route through gnuplot is gnuplot.lua.
local torch = require "torch"
local term = require "torch.term"
local braille = require "torch.braille"
local series = require "torch.plot_series"
local gnuplot = require "torch.gnuplot"

local PALETTE = {39, 214, 41, 197, 141, 44}   -- blue, orange, green, red, violet, cyan (256 colours)

-- A 1-2-5 step (1, 2 or 5 times a power of ten) giving about n ticks over [lo, hi].
local function tick_step(lo, hi, n)
  local raw = (hi - lo) / math.max(n, 1)
  local mag = 10 ^ math.floor(math.log(raw, 10))
  for _, m in ipairs({1, 2, 5}) do
    if m * mag >= raw then return m * mag end
  end
  return 10 * mag
end

-- A tick value as text, with as many decimals as the step needs.
local function tick_text(v, step)
  local decimals = math.max(0, -math.floor(math.log(step, 10) + 1e-9))
  if math.abs(v) >= 1e6 or decimals > 6 then return string.format("%.3g", v) end
  return string.format("%." .. decimals .. "f", v)
end

-- The ticks {value =, text =} at multiples of `step` inside [lo, hi].
local function ticks(lo, hi, step)
  local out = {}
  for k = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) do
    out[#out + 1] = {value = k * step, text = tick_text(k * step, step)}
  end
  return out
end

-- [lo, hi] widened when it is a single value, so it still maps somewhere.
local function span(lo, hi)
  if lo == hi then
    local pad = lo == 0 and 1 or math.abs(lo) * 0.1
    return lo - pad, hi + pad
  end
  return lo, hi
end

-- Maps a value of [lo, hi] to a dot 0 .. dots - 1 (flipped for y: dot 0 is the top).
local function to_dot(v, lo, hi, dots, flip)
  local f = (v - lo) / (hi - lo)
  if flip then f = 1 - f end
  return math.floor(f * (dots - 1) + 0.5)
end

local function check_size(fn, name, v, default, max)
  v = v or default
  if math.type(v) ~= "integer" or v < 1 or v > max then
    error(string.format("%s: %s must be an integer in 1..%d, got %s", fn, name, max, tostring(v)), 4)
  end
  return v
end

-- Text centred in `width` columns.
local function centre(s, width)
  return string.rep(" ", math.max(0, (width - term.width(s)) // 2)) .. s
end

-- The x tick labels placed under their columns, skipping any that would collide.
local function x_label_line(xt, offset)
  local line, used = "", 0
  for _, t in ipairs(xt) do
    local start = offset + t.col - #t.text // 2
    if start >= used then
      line = line .. string.rep(" ", start - #line) .. t.text
      used = #line + 1
    end
  end
  return line
end

local function render(list, o)
  local fn = "torch.plot"
  local w = check_size(fn, "width", o.width, 60, 1000)
  local h = check_size(fn, "height", o.height, 15, 500)
  local xlo, xhi = span(series.range(list, "x"))
  local ylo, yhi = series.range(list, "y")
  if xlo == math.huge or ylo == math.huge then error(fn .. ": no finite values to plot", 3) end
  ylo, yhi = span(tonumber(o.ymin) or ylo, tonumber(o.ymax) or yhi)
  if ylo > yhi then error(fn .. ": ymin is above ymax", 3) end
  -- The y range grows to the ticks around it, so the top and bottom rows are labelled.
  local ystep = tick_step(ylo, yhi, math.max(2, h // 3))
  if not tonumber(o.ymin) then ylo = math.floor(ylo / ystep + 1e-9) * ystep end
  if not tonumber(o.ymax) then yhi = math.ceil(yhi / ystep - 1e-9) * ystep end
  local canvas = braille.new(w, h)
  for k, s in ipairs(list) do
    local px, py
    for i = 1, #s.y do
      local x, y = s.x[i], s.y[i]
      if series.finite(x) and series.finite(y) then
        local dx, dy = to_dot(x, xlo, xhi, 2 * w), to_dot(y, ylo, yhi, 4 * h, true)
        if px then canvas:line(px, py, dx, dy, k) else canvas:dot(dx, dy, k) end
        px, py = dx, dy
      else
        px = nil
      end
    end
  end
  local color = o.color
  if color == nil then color = term.is_terminal(io.stdout) end
  local colorize = color and function(ch, k) return term.color(PALETTE[(k - 1) % #PALETTE + 1]) .. ch .. term.RESET end

  local yt, row_label, lw = ticks(ylo, yhi, ystep), {}, 0
  for _, t in ipairs(yt) do
    local row = to_dot(t.value, ylo, yhi, 4 * h, true) // 4
    if not row_label[row] then row_label[row] = t.text; lw = math.max(lw, #t.text) end
  end
  local lines = {}
  if o.title then lines[#lines + 1] = string.rep(" ", lw + 2) .. centre(tostring(o.title), w) end
  if o.ylabel then lines[#lines + 1] = tostring(o.ylabel) end
  for r, row in ipairs(canvas:lines(colorize)) do
    local label = row_label[r - 1]
    lines[#lines + 1] = (string.format("%" .. lw .. "s %s", label or "", label and "┤" or "│") .. row):gsub(" +$", "")
  end
  local xt, axis = ticks(xlo, xhi, tick_step(xlo, xhi, math.max(2, w // 12))), {}
  -- The first and last x are labelled too, unless a tick already sits there.
  local function end_tick(v) return {value = v, text = math.tointeger(v) and tostring(math.tointeger(v)) or string.format("%.3g", v)} end
  if #xt == 0 or to_dot(xt[1].value, xlo, xhi, 2 * w) // 2 > 0 then table.insert(xt, 1, end_tick(xlo)) end
  if to_dot(xt[#xt].value, xlo, xhi, 2 * w) // 2 < w - 1 then xt[#xt + 1] = end_tick(xhi) end
  for c = 1, w do axis[c] = "─" end
  for _, t in ipairs(xt) do
    t.col = to_dot(t.value, xlo, xhi, 2 * w) // 2
    axis[t.col + 1] = "┬"
  end
  lines[#lines + 1] = string.rep(" ", lw + 1) .. "└" .. table.concat(axis)
  lines[#lines + 1] = x_label_line(xt, lw + 2)
  if o.xlabel then lines[#lines + 1] = string.rep(" ", lw + 2) .. centre(tostring(o.xlabel), w) end
  if #list > 1 or list[1].label then
    local legend = {}
    for k, s in ipairs(list) do
      local mark = colorize and colorize("⣿", k) or "⣿"
      legend[k] = mark .. " " .. (s.label or ("series " .. k))
    end
    lines[#lines + 1] = string.rep(" ", lw + 2) .. table.concat(legend, "   ")
  end
  return table.concat(lines, "\n")
end

function torch.plot(spec, opts)
  local list, o = series.read("torch.plot", spec, opts)
  local text = render(list, o)
  if o.png ~= nil then
    local ok, err = gnuplot.write_png(list, o, o.png)
    if not ok then io.stderr:write("torch.plot: ", err, "\n") end
  end
  if o.print then print(text) end
  return text
end

torch.doc(torch.plot, "torch.plot(series, {title=, xlabel=, ylabel=, width=60, height=15, labels=, ymin=, ymax=, color=, print=, png=})",
  "Draws one or more series in the terminal with braille dots, with y ticks, an x axis and a legend, and returns the text (print=true also prints it). "
  .. "series: a list of numbers or a 1-D tensor (x = 1..n), or a table of several, or {x =, y =, label =} tables; options may sit in the same table: "
  .. "torch.plot{train, test, labels = {\"train\", \"test\"}, title = \"loss\"}. width and height count character cells; colour is on when stdout is a terminal. "
  .. "png = \"file.png\" also writes a PNG through gnuplot (a warning on stderr when gnuplot is not installed; torch.plot_png returns the reason).",
  [[
print(torch.plot({1, 4, 9, 16, 25}, {width = 20, height = 5, title = "squares"}))]])

function torch.plot_png(spec, filename, opts)
  local list, o = series.read("torch.plot_png", spec, opts)
  if type(filename) ~= "string" then error("torch.plot_png: expected a file name, got " .. type(filename), 2) end
  return gnuplot.write_png(list, o, filename)
end

torch.doc(torch.plot_png, "torch.plot_png(series, filename, {title=, xlabel=, ylabel=, labels=, ymin=, ymax=, gnuplot=\"gnuplot\"})",
  "Writes the series (as torch.plot takes them) as a PNG line plot through gnuplot. Returns true, or nil and a message such as \"gnuplot is not installed\"; the file appears only when complete.",
  [[
local base = os.tmpname()
local ok, err = torch.plot_png({1, 4, 9}, base .. ".png", {title = "squares"})
print(ok == true or err:match "gnuplot" ~= nil)   -- true, or why not (gnuplot missing)
os.remove(base .. ".png"); os.remove(base)]])

return {tick_step = tick_step, ticks = ticks, render = render}
