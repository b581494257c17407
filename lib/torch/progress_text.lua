-- progress_text.lua — the text of a progress bar, as pure functions of its
-- state (no clock, no terminal), so they can be tested on their own:
--
--   epoch 1:  37%|█████▌         | 220/600 [00:04<00:07, 52.3 it/s, acc=0.884, loss=0.312]
--   epoch 1: 220 it [00:04, 52.3 it/s, loss=0.312]          (total unknown)
--   epoch 1: 600 it in 11.5s (52.3 it/s), acc=0.884, loss=0.312   (the summary)
--
-- Times read as tqdm's (mm:ss, h:mm:ss past an hour); a rate below one per
-- second turns round to seconds per item.
local torch = require "torch"
local term = require "torch.term"

local text = {}

local BLOCKS = {"▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"}

local function finite(x)
  return type(x) == "number" and x == x and x ~= math.huge and x ~= -math.huge
end

--- Seconds as "mm:ss" or "h:mm:ss"; "?" when unknown.
function text.format_time(seconds)
  if not finite(seconds) or seconds < 0 then return "?" end
  local s = math.floor(seconds + 0.5)
  local h, m = s // 3600, s // 60 % 60
  if h > 0 then return string.format("%d:%02d:%02d", h, m, s % 60) end
  return string.format("%02d:%02d", m, s % 60)
end

--- A rate in items per second as "52.3 it/s", or "2.50 s/it" below one per second.
function text.format_rate(rate, unit)
  unit = unit or "it"
  if not finite(rate) or rate <= 0 then return "? " .. unit .. "/s" end
  if rate < 1 then return string.format("%.2f s/%s", 1 / rate, unit) end
  local fmt = rate >= 100 and "%.0f %s/s" or rate >= 10 and "%.1f %s/s" or "%.2f %s/s"
  return string.format(fmt, rate, unit)
end

--- A postfix value: floats to 3 significant digits, one-element tensors read out.
function text.format_value(v)
  if torch.is_tensor(v) and v:numel() == 1 then v = v:item() end
  if math.type(v) == "float" then return string.format("%.3g", v) end
  return tostring(v)
end

--- "k1=v1, k2=v2" for the keys in order.
function text.format_postfix(keys, values)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. text.format_value(values[k]) end
  return table.concat(parts, ", ")
end

-- A bar of `width` cells filled to `frac` (0..1) in eighths of a cell.
local function bar(frac, width)
  local eighths = math.floor(frac * width * 8)
  local full, part = eighths // 8, eighths % 8
  local s = string.rep(BLOCKS[8], full)
  if full < width then s = s .. (part > 0 and BLOCKS[part] or " ") .. string.rep(" ", width - full - 1) end
  return s
end

local function prefix(s)
  return (s.desc and s.desc ~= "") and s.desc .. ": " or ""
end

--- The live line for state s = {n, total, elapsed, desc, unit, keys, postfix}
--- fitted to `width` columns (the bar shrinks; it goes when nothing is left).
function text.line(s, width)
  local rate = s.elapsed > 0 and s.n / s.elapsed or nil
  local post = text.format_postfix(s.keys or {}, s.postfix or {})
  post = post ~= "" and ", " .. post or ""
  local rate_text = text.format_rate(rate, s.unit)
  if not s.total then
    return string.format("%s%d %s [%s, %s%s]", prefix(s), s.n, s.unit or "it",
      text.format_time(s.elapsed), rate_text, post)
  end
  local frac = s.total > 0 and math.min(s.n / s.total, 1) or 1
  local eta = rate and (s.total - s.n) / rate or nil
  local left = string.format("%s%3d%%|", prefix(s), math.floor(frac * 100))
  local right = string.format("| %d/%d [%s<%s, %s%s]", s.n, s.total, text.format_time(s.elapsed),
    text.format_time(eta), rate_text, post)
  local room = width - term.width(left) - term.width(right)
  if room < 4 then return left:sub(1, -2) .. right:sub(2) end
  return left .. bar(frac, math.min(room, 40)) .. right
end

--- The one-line summary once done: "desc: 600 it in 11.5s (52.3 it/s), loss=0.312".
function text.summary(s)
  local post = text.format_postfix(s.keys or {}, s.postfix or {})
  return string.format("%s%d %s in %.1fs (%s)%s", prefix(s), s.n, s.unit or "it", s.elapsed,
    text.format_rate(s.elapsed > 0 and s.n / s.elapsed or nil, s.unit), post ~= "" and ", " .. post or "")
end

return text
