-- plot_series.lua — what torch.plot and torch.plot_png accept, read into one
-- form: a list of series {x = {...}, y = {...}, label = "..."} (Lua numbers)
-- and a table of options.  Accepted:
--   torch.plot(losses)                      one series: a list of numbers, a 1-D tensor
--   torch.plot(losses, {title = "loss"})    options in a second table
--   torch.plot{train, test, labels = {"train", "test"}, title = "loss"}
--   torch.plot{{x = epochs, y = acc, label = "test"}, ylabel = "accuracy"}
-- A list may hold one-element tensors (losses kept as tensors).  Points that
-- are NaN or infinite are left out, breaking the line there.
local torch = require "torch"
local args = require "torch.args"

local series = {}

local OPTIONS = {title = true, xlabel = true, ylabel = true, width = true, height = true, labels = true,
                 ymin = true, ymax = true, color = true, print = true, png = true, gnuplot = true}

local function is_list_value(v)
  return type(v) == "number" or (torch.is_tensor(v) and v:dim() == 0)
end

-- A Lua list of numbers from a 1-D tensor or a list of numbers / scalar tensors.
local function numbers(fn, v, what)
  if torch.is_tensor(v) then
    if v:dim() ~= 1 then error(string.format("%s: %s must be 1-D, got a %d-D tensor", fn, what, v:dim()), 5) end
    v = v:detach():double():totable()
  elseif type(v) == "table" then
    local out = {}
    for i = 1, #v do
      local e = v[i]
      if torch.is_tensor(e) and e:numel() == 1 then e = e:item() end
      if type(e) ~= "number" then
        error(string.format("%s: %s[%d] is a %s, expected a number", fn, what, i, type(e)), 5)
      end
      out[i] = e
    end
    v = out
  else
    error(string.format("%s: %s must be a list of numbers or a 1-D tensor, got %s", fn, what, type(v)), 5)
  end
  if #v == 0 then error(string.format("%s: %s is empty", fn, what), 5) end
  return v
end

local function one(fn, s, k, label)
  local y, x
  if type(s) == "table" and not torch.is_tensor(s) and s.y ~= nil then
    y, x, label = numbers(fn, s.y, "series " .. k .. " y"), s.x, s.label or label
  else
    y = numbers(fn, s, "series " .. k)
  end
  if x ~= nil then
    x = numbers(fn, x, "series " .. k .. " x")
    if #x ~= #y then error(string.format("%s: series %d has %d x values and %d y values", fn, k, #x, #y), 4) end
  else
    x = {}
    for i = 1, #y do x[i] = i end
  end
  return {x = x, y = y, label = label and tostring(label)}
end

--- The list of series and the options of a call torch.plot(spec, opts).
function series.read(fn, spec, opts)
  local o = {}
  for k, v in pairs(args.options(fn, opts, OPTIONS, 3)) do o[k] = v end
  local items
  if torch.is_tensor(spec) or (type(spec) == "table" and (is_list_value(spec[1]) or spec.y ~= nil)) then
    items = {spec}
  elseif type(spec) == "table" then
    items = {}
    for k, v in pairs(spec) do
      if math.type(k) == "integer" then items[k] = v else o[k] = v end
    end
  else
    error(string.format("%s: expected series (a list of numbers, a 1-D tensor or a table of them), got %s", fn, type(spec)), 3)
  end
  args.options(fn, o, OPTIONS, 3)     -- again: options may also sit in the series table
  if #items == 0 then error(fn .. ": nothing to plot", 3) end
  if o.labels ~= nil and type(o.labels) ~= "table" then error(fn .. ": labels must be a list of names", 3) end
  local list = {}
  for k = 1, #items do list[k] = one(fn, items[k], k, o.labels and o.labels[k]) end
  return list, o
end

local function finite(v)
  return v == v and v ~= math.huge and v ~= -math.huge
end
series.finite = finite

--- The smallest and largest finite value of field `f` over every series.
function series.range(list, f)
  local lo, hi = math.huge, -math.huge
  for _, s in ipairs(list) do
    for _, v in ipairs(s[f]) do
      if finite(v) then lo, hi = math.min(lo, v), math.max(hi, v) end
    end
  end
  return lo, hi
end

return series
