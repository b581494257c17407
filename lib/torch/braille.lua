-- braille.lua — a canvas of Unicode braille characters for terminal plots.
--
-- Each character cell holds 2 x 4 dots (U+2800 + one bit per dot), so a
-- canvas of cols x rows cells has (2 cols) x (4 rows) dots: four times the
-- vertical resolution of block characters.  Dots are addressed from the top
-- left, x = 0 .. 2 cols - 1, y = 0 .. 4 rows - 1.  Each cell remembers the
-- series that last drew in it, for colouring.
local braille = {}
braille.__index = braille

-- The bit of the dot at (column dx, row dy) within a cell (Unicode's order).
local BITS = {[0] = {[0] = 0x01, 0x02, 0x04, 0x40}, {[0] = 0x08, 0x10, 0x20, 0x80}}

--- A blank canvas of cols x rows cells.
function braille.new(cols, rows)
  return setmetatable({cols = cols, rows = rows, bits = {}, owner = {}}, braille)
end

--- Sets the dot (x, y) for series s; dots off the canvas are ignored.
function braille:dot(x, y, s)
  if x < 0 or y < 0 or x >= 2 * self.cols or y >= 4 * self.rows then return end
  local cell = (y // 4) * self.cols + x // 2
  self.bits[cell] = (self.bits[cell] or 0) | BITS[x % 2][y % 4]
  self.owner[cell] = s
end

--- A straight line of dots from (x0, y0) to (x1, y1), ends included (Bresenham).
function braille:line(x0, y0, x1, y1, s)
  local dx, dy = math.abs(x1 - x0), -math.abs(y1 - y0)
  local sx, sy = x0 < x1 and 1 or -1, y0 < y1 and 1 or -1
  local err = dx + dy
  while true do
    self:dot(x0, y0, s)
    if x0 == x1 and y0 == y1 then return end
    local e2 = 2 * err
    if e2 >= dy then err = err + dy; x0 = x0 + sx end
    if e2 <= dx then err = err + dx; y0 = y0 + sy end
  end
end

--- The canvas as a list of strings, one per row; colorize(text, s), when
--- given, wraps each cell's character for the series that drew it.
function braille:lines(colorize)
  local out = {}
  for r = 0, self.rows - 1 do
    local row = {}
    for c = 0, self.cols - 1 do
      local cell = r * self.cols + c
      local bits = self.bits[cell]
      local ch = bits and utf8.char(0x2800 + bits) or " "
      if bits and colorize then ch = colorize(ch, self.owner[cell]) end
      row[c + 1] = ch
    end
    out[r + 1] = table.concat(row)
  end
  return out
end

return braille
