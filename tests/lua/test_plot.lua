-- test_plot.lua — torch.plot's braille drawing (dots worked out by hand for a
-- known line, the frame's dimensions, tick labels, legend, colour), the PNG
-- route through a stand-in gnuplot, and torch.imshow on gradient images.
local T = require "testing"
local gnuplot = require "torch.gnuplot"

local function lines_of(s)
  local out = {}
  for line in (s .. "\n"):gmatch "([^\n]*)\n" do out[#out + 1] = line end
  return out
end

-- The plot area of a row: what follows the y axis ("┤" or "│"; 3 bytes each).
local function area(line)
  local at = line:find("┤", 1, true) or line:find("│", 1, true)
  return at and line:sub(at + 3)
end

-- Whether s holds a braille character with at least one dot.
local function has_dots(s)
  for _, cp in utf8.codes(s) do
    if cp > 0x2800 and cp <= 0x28FF then return true end
  end
  return false
end

T.test("plot: a straight line lands on the dots worked out by hand", function()
  -- 4 points on 2x1 cells = 4x4 dots: (0,3) (1,2) (2,1) (3,0) from the bottom left up.
  -- Cell 1 holds dots (col 0, row 3) = bit 0x40 and (col 1, row 2) = 0x20: U+2860.
  -- Cell 2 holds (col 0, row 1) = 0x02 and (col 1, row 0) = 0x08: U+280A.
  local text = torch.plot({1, 2, 3, 4}, {width = 2, height = 1, ymin = 1, ymax = 4, color = false})
  T.eq(area(lines_of(text)[1]), utf8.char(0x2860, 0x280A))
  -- the same through a tensor, and with the options in the same table
  T.eq(torch.plot(torch.tensor({1, 2, 3, 4}), {width = 2, height = 1, ymin = 1, ymax = 4, color = false}), text)
  T.eq(torch.plot{{1, 2, 3, 4}, width = 2, height = 1, ymin = 1, ymax = 4, color = false}, text)
end)

T.test("plot: the frame has the asked size, braille inside, axes and labels", function()
  local y = {}
  for i = 1, 50 do y[i] = i / 50 end
  local text = torch.plot{y, title = "rising", xlabel = "step", ylabel = "value", width = 40, height = 10, color = false}
  local lines = lines_of(text)
  T.eq(#lines, 1 + 1 + 10 + 1 + 1 + 1, "title, ylabel, 10 rows, axis, tick labels, xlabel")
  T.truthy(lines[1]:find("rising", 1, true), "title")
  T.eq(lines[2], "value")
  for r = 3, 12 do
    local row = area(lines[r])
    T.truthy(row, "row " .. r .. " has a y axis")
    T.truthy(utf8.len(row) <= 40, "row within the width")
    for _, cp in utf8.codes(row) do
      T.truthy(cp == 32 or (cp >= 0x2800 and cp <= 0x28FF), "braille or blank in the plot area")
    end
  end
  -- the y range grows to nice ticks: 0.02..1 becomes 0..1, labelled at the top and bottom rows
  T.truthy(lines[3]:match "^1%.0 ┤", lines[3])
  T.truthy(lines[12]:match "^0%.0 ┤", lines[12])
  T.truthy(lines[13]:match "^    └[─┬]+$", lines[13])
  T.eq(utf8.len(lines[13]), 4 + 1 + 40)
  T.truthy(lines[14]:match "^%s+1%s+20%s+40%s+50$", lines[14])
  T.truthy(lines[15]:find("step", 1, true), "xlabel")
  -- a rising line: the top row has dots only at its right end, the bottom row only at its left
  T.truthy(area(lines[3]):match "^ +" and has_dots(area(lines[3])), lines[3])
  T.truthy(not area(lines[12]):match "^ " and has_dots(area(lines[12])), lines[12])
end)

T.test("plot: a constant series is one row of dots, centred", function()
  local text = torch.plot({5, 5, 5, 5}, {width = 10, height = 5, color = false})
  local rows = 0
  for _, line in ipairs(lines_of(text)) do
    local a = area(line)
    if a and has_dots(a) then rows = rows + 1 end
  end
  T.eq(rows, 1)
end)

T.test("plot: several series, a legend, colours only when asked", function()
  local a, b = {}, {}
  for i = 1, 20 do a[i] = i; b[i] = 20 - i end
  local plain = torch.plot{a, b, labels = {"up", "down"}, width = 30, height = 8, color = false}
  local last = lines_of(plain)[#lines_of(plain)]
  T.truthy(last:find("⣿ up", 1, true) and last:find("⣿ down", 1, true), last)
  T.truthy(not plain:find("\27", 1, true), "no escape codes without colour")
  local coloured = torch.plot{a, b, labels = {"up", "down"}, width = 30, height = 8, color = true}
  T.truthy(coloured:find("\27[38;5;39m", 1, true) and coloured:find("\27[38;5;214m", 1, true), "one colour per series")
  -- {x =, y =, label =} series, and a NaN that breaks the line
  local t = torch.plot{{x = {0, 10}, y = {0, 1}, label = "fit"}, {x = {0, 5, 10}, y = {1, 0 / 0, 0}}, width = 20, height = 4, color = false}
  T.truthy(t:find("⣿ fit", 1, true) and t:find("⣿ series 2", 1, true), t)
end)

T.test("plot: bad series and options are errors naming torch.plot", function()
  T.errors("torch.plot: series 1 is empty", torch.plot, {{}})
  T.errors("torch.plot: nothing to plot", torch.plot, {title = "x"})
  T.errors("torch.plot: series 1[2] is a string, expected a number", torch.plot, {1, "a"})
  T.errors("torch.plot: series 1 must be 1-D", torch.plot, torch.zeros(2, 2))
  T.errors("torch.plot: unknown option 'widht'", torch.plot, {1, 2}, {widht = 3})
  T.errors("torch.plot: width must be an integer in 1..1000", torch.plot, {1, 2}, {width = 0})
  T.errors("torch.plot: series 1 has 2 x values and 3 y values", torch.plot, {{x = {1, 2}, y = {1, 2, 3}}})
  T.errors("torch.plot: no finite values to plot", torch.plot, {0 / 0, math.huge})
end)

T.test("plot_png: says so when gnuplot is missing, and writes nothing", function()
  local out = os.tmpname()
  os.remove(out)
  local ok, err = torch.plot_png({1, 2, 3}, out, {gnuplot = "/nonexistent/gnuplot"})
  T.eq(ok, nil)
  T.truthy(err:find("gnuplot is not installed", 1, true), err)
  T.eq(io.open(out), nil, "no file")
end)

T.test("plot_png: the script and data go to gnuplot; the file appears complete", function()
  local dir = os.tmpname()
  os.remove(dir)
  os.execute("mkdir " .. dir)
  local fake = dir .. "/gnuplot"
  local f = io.open(fake, "w")
  f:write("#!/bin/sh\ncat > \"$0.script\"\nout=$(sed -n \"s/^set output '\\(.*\\)'$/\\1/p\" \"$0.script\")\nprintf PNG > \"$out\"\n")
  f:close()
  os.execute("chmod +x " .. fake)
  local png = dir .. "/loss.png"
  T.eq(torch.plot_png({{0.5, 0.25}, {x = {1, 2}, y = {1, 0 / 0}, label = "it's"}}, png,
    {title = "loss", ylabel = "nll", gnuplot = fake}), true)
  T.eq(io.open(png):read("a"), "PNG")
  local script = io.open(fake .. ".script"):read("a")
  T.truthy(script:find("set terminal pngcairo", 1, true), script)
  T.truthy(script:find("set output '" .. png .. ".tmp'", 1, true), "written under a temporary name")
  T.truthy(script:find("set title 'loss'", 1, true), script)
  T.truthy(script:find("plot '-' with lines linewidth 2 title 'series 1' noenhanced, '-' with lines linewidth 2 title 'it''s' noenhanced", 1, true), script)
  T.truthy(script:find("\n1 0.5\n2 0.25\ne\n1 1\n\ne\n", 1, true), "the data, a gap for NaN")
  -- a gnuplot that fails leaves no file and reports its message
  f = io.open(fake, "w")
  f:write("#!/bin/sh\ncat >/dev/null\necho 'line 1: bad terminal' >&2\nexit 1\n")
  f:close()
  local ok, err = torch.plot_png({1, 2}, dir .. "/bad.png", {gnuplot = fake})
  T.eq(ok, nil)
  T.truthy(err:find("bad terminal", 1, true), err)
  T.eq(io.open(dir .. "/bad.png"), nil)
  T.eq(io.open(dir .. "/bad.png.tmp"), nil)
  os.execute("rm -rf " .. dir)
end)

T.test("imshow: a gradient in ASCII runs through the whole ramp", function()
  local g = torch.linspace(0, 1, 10):view(1, 10):expand(4, 10)
  T.eq(torch.imshow(g, {ascii = true}), " .:-=+*#%@\n .:-=+*#%@")
  -- uint8 0..255 reads the same
  local u = (torch.linspace(0, 1, 10) * 255):round():to("uint8"):view(1, 10):expand(2, 10)
  T.eq(torch.imshow(u, {ascii = true}), " .:-=+*#%@")
  -- outside [0, 1]: stretched to its own range
  T.eq(torch.imshow(torch.linspace(-3, 7, 10):view(1, 10), {ascii = true}), " .:-=+*#%@")
  T.eq(torch.imshow(torch.linspace(-3, 7, 10):view(1, 10), {ascii = true, normalize = false}), "   -@@@@@@")
end)

T.test("imshow: colour half blocks, two pixel rows per line", function()
  local g = torch.linspace(0, 1, 26):view(1, 26):expand(5, 26)
  local lines = lines_of(torch.imshow(g, {ascii = false}))
  T.eq(#lines, 3, "5 rows in 3 lines")
  local _, blocks = lines[1]:gsub("▀", "")
  T.eq(blocks, 26)
  -- the 26 greys in order: black, 232..255, white
  T.truthy(lines[1]:find("^\27%[38;5;16m\27%[48;5;16m▀\27%[38;5;232m\27%[48;5;232m▀"), lines[1])
  T.truthy(lines[1]:find("\27[38;5;231m\27[48;5;231m▀\27[0m", 1, true), "white last, colours reset")
  T.truthy(lines[3]:find("\27[49m", 1, true), "an odd last row has the default background")
end)

T.test("imshow: a batch side by side with labels; errors", function()
  local batch = torch.zeros(3, 1, 4, 5)
  batch[2]:fill_(1)
  local lines = lines_of(torch.imshow(batch, {ascii = true, labels = {"zero", "one", "a long label"}}))
  T.eq(#lines, 3)
  T.eq(lines[1], "       @@@@@       ")
  T.eq(lines[3], "zero   one    a lon")
  T.errors("torch.imshow: expected an image (H, W), a batch (N, H, W) or (N, 1, H, W), got 5", torch.imshow, torch.zeros(5))
  T.errors("torch.imshow: the image holds NaN", torch.imshow, torch.tensor({{0 / 0}}))
  T.errors("torch.imshow: unknown option 'asci'", torch.imshow, torch.zeros(2, 2), {asci = true})
end)
