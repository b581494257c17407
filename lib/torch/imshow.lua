-- imshow.lua — torch.imshow: a grey image tensor drawn as text, for looking at
-- a few MNIST digits without leaving the terminal.
--
-- On a terminal each character cell shows two pixels, one above the other:
-- "▀" with the upper pixel's grey as foreground colour and the lower one's as
-- background, from the 256-colour palette's 26 greys (black, 24 shades,
-- white).  Elsewhere (or with ascii = true) each character is one pixel wide
-- and two tall (their mean), from a 10-step ramp " .:-=+*#%@", so a 28x28
-- image takes 28 columns and 14 lines either way.  A batch (N, H, W) or
-- (N, 1, H, W) is laid out side by side, with optional labels underneath.
local torch = require "torch"
local args = require "torch.args"
local term = require "torch.term"

local RAMP = " .:-=+*#%@"
local GREYS = {16}                        -- 256-colour black, the 24 greys, white
for c = 232, 255 do GREYS[#GREYS + 1] = c end
GREYS[#GREYS + 1] = 231

local FN = "torch.imshow"
local OPTIONS = {ascii = true, labels = true, normalize = true, print = true}

-- The images as a (N, H, W) float64 tensor of values in [0, 1].
local function images(x, normalize)
  if not torch.is_tensor(x) then error(FN .. ": expected an image tensor, got " .. type(x), 3) end
  local d = x:dim()
  if d == 4 and x:size(2) == 1 then x = x:squeeze(2) elseif d == 2 then x = x:unsqueeze(1) end
  if x:dim() ~= 3 or x:numel() == 0 then
    error(FN .. ": expected an image (H, W), a batch (N, H, W) or (N, 1, H, W), got " .. args.shape(x), 3)
  end
  if x.dtype == "uint8" then return x:double() / 255 end
  x = x:detach():double()
  if not x:isfinite():all():item() then error(FN .. ": the image holds NaN or infinite values", 3) end
  local lo, hi = x:min():item(), x:max():item()
  if normalize == true or (normalize == nil and (lo < 0 or hi > 1)) then
    -- Each image stretched to [0, 1] on its own (mean/std-normalised data has no fixed range).
    local n = x:size(1)
    local flat = x:reshape(n, -1)
    local mins, maxs = flat:amin(2, {keepdim = true}), flat:amax(2, {keepdim = true})
    return ((flat - mins) / (maxs - mins):clamp(1e-12)):view(x:size(1), x:size(2), x:size(3))
  end
  return x:clamp(0, 1)
end

-- Lines of one image (a table of rows of values in [0, 1]) in colour.
local function colour_lines(img)
  local lines = {}
  for r = 1, #img, 2 do
    local top, bottom, cells = img[r], img[r + 1], {}
    for c = 1, #top do
      local fg = term.color(GREYS[math.floor(top[c] * 25 + 0.5) + 1])
      local bg = bottom and term.color(GREYS[math.floor(bottom[c] * 25 + 0.5) + 1], 48) or "\27[49m"
      cells[c] = fg .. bg .. "▀"
    end
    lines[#lines + 1] = table.concat(cells) .. term.RESET
  end
  return lines
end

-- Lines of one image in plain ASCII, each character the mean of two pixel rows.
local function ascii_lines(img)
  local lines = {}
  for r = 1, #img, 2 do
    local top, bottom, cells = img[r], img[r + 1] or img[r], {}
    for c = 1, #top do
      local k = math.floor((top[c] + bottom[c]) / 2 * (#RAMP - 1) + 0.5) + 1
      cells[c] = RAMP:sub(k, k)
    end
    lines[#lines + 1] = table.concat(cells)
  end
  return lines
end

-- A label cut or padded to `width` columns.
local function fit(label, width)
  label = tostring(label)
  if term.width(label) > width then label = label:sub(1, width) end
  return label .. string.rep(" ", width - term.width(label))
end

function torch.imshow(x, opts)
  opts = args.options(FN, opts, OPTIONS)
  local batch = images(x, opts.normalize)
  local ascii = opts.ascii
  if ascii == nil then ascii = not term.is_terminal(io.stdout) end
  local draw = ascii and ascii_lines or colour_lines
  local n, w = batch:size(1), batch:size(3)
  local columns = {}
  for i = 1, n do columns[i] = draw(batch[i]:totable()) end
  local lines = {}
  for r = 1, #columns[1] do
    local parts = {}
    for i = 1, n do parts[i] = columns[i][r] end
    lines[r] = table.concat(parts, "  ")
  end
  if opts.labels then
    local parts = {}
    for i = 1, n do parts[i] = fit(opts.labels[i] or "", w) end
    lines[#lines + 1] = (table.concat(parts, "  "):gsub(" +$", ""))
  end
  local text = table.concat(lines, "\n")
  if opts.print then print(text) end
  return text
end

torch.doc(torch.imshow, "torch.imshow(x, {ascii=, labels=, normalize=, print=})",
  "Draws a grey image (H, W), or a batch (N, H, W) / (N, 1, H, W) side by side, as text and returns it (print=true also prints it). "
  .. "uint8 values are 0..255; other values are taken as 0..1 unless some fall outside, in which case each image is stretched to its own range (normalize=true always, false never: clamps). "
  .. "On a terminal: half blocks in 256-colour greys, two pixels per character; otherwise, or with ascii=true, a 10-step ASCII ramp. labels: a list of captions shown under the images.",
  [[
local img = torch.zeros(8, 8)
img[{{3, 6}, {3, 6}}] = 1
print(torch.imshow(img, {ascii = true}))]])

return {ramp = RAMP, greys = GREYS}
