-- gnuplot.lua — line plots as PNG files, drawn by gnuplot when it is installed
-- (luagrad does not depend on it: without it the caller gets a message saying
-- so).  The plot script and the data go down gnuplot's standard input; the
-- picture is written to a temporary name and renamed once gnuplot succeeded,
-- so a failed run never leaves half a file.
local gnuplot = {}

-- A gnuplot string literal: single quotes take everything literally but ''.
local function quote(s)
  return "'" .. tostring(s):gsub("'", "''") .. "'"
end

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

--- The gnuplot script that draws `list` (plot_series form) into `output`.
function gnuplot.script(list, o, output)
  local lines = {
    "set terminal pngcairo size 800,500 enhanced font ',10'",
    "set output " .. quote(output),
    "set grid",
    "set key top right",
  }
  if o.title then lines[#lines + 1] = "set title " .. quote(o.title) .. " noenhanced" end
  if o.xlabel then lines[#lines + 1] = "set xlabel " .. quote(o.xlabel) .. " noenhanced" end
  if o.ylabel then lines[#lines + 1] = "set ylabel " .. quote(o.ylabel) .. " noenhanced" end
  if tonumber(o.ymin) or tonumber(o.ymax) then
    lines[#lines + 1] = string.format("set yrange [%s:%s]", tonumber(o.ymin) or "*", tonumber(o.ymax) or "*")
  end
  local plots = {}
  for k, s in ipairs(list) do
    plots[k] = string.format("'-' with lines linewidth 2 title %s noenhanced", quote(s.label or ("series " .. k)))
  end
  lines[#lines + 1] = "plot " .. table.concat(plots, ", ")
  for _, s in ipairs(list) do
    for i = 1, #s.y do
      local x, y = s.x[i], s.y[i]
      -- A blank line breaks the line where a point is missing.
      local finite = x == x and y == y and math.abs(x) ~= math.huge and math.abs(y) ~= math.huge
      lines[#lines + 1] = finite and string.format("%.17g %.17g", x, y) or ""
    end
    lines[#lines + 1] = "e"
  end
  return table.concat(lines, "\n") .. "\n"
end

--- Writes a PNG of `list` to `filename`; true, or nil and why not.
function gnuplot.write_png(list, o, filename)
  if type(filename) ~= "string" or filename == "" then return nil, "png: expected a file name" end
  local program = o.gnuplot or "gnuplot"
  if not os.execute("command -v " .. shell_quote(program) .. " >/dev/null 2>&1") then
    return nil, string.format("gnuplot is not installed (Debian: apt-get install gnuplot-nox); %s was not written", filename)
  end
  local tmp, log = filename .. ".tmp", os.tmpname()
  local pipe, why = io.popen(shell_quote(program) .. " 2>" .. shell_quote(log), "w")
  if not pipe then return nil, "cannot run gnuplot: " .. tostring(why) end
  pipe:write(gnuplot.script(list, o, tmp))
  local ok = pipe:close()
  local f = io.open(log)
  local err = f and f:read("a") or ""
  if f then f:close() end
  os.remove(log)
  local written = io.open(tmp)
  if written then written:close() end
  if ok and written then
    local renamed, rename_error = os.rename(tmp, filename)
    if renamed then return true end
    err = rename_error
  end
  os.remove(tmp)
  return nil, string.format("gnuplot failed to write %s: %s", filename, err:gsub("%s+$", ""))
end

return gnuplot
