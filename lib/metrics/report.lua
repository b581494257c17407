-- report.lua — the two texts a classifier's evaluation ends with, both read
-- off a confusion matrix of counts (rows: true class, columns: predicted):
--   report.matrix(m, names)      the matrix as an aligned table; columns are
--                                numbered so ten long class names still fit
--                                in 80 columns, rows carry number and name;
--   report.classes(m, names, d)  per-class precision, recall, F1 and support
--                                with the accuracy and the macro and weighted
--                                averages, laid out as sklearn's
--                                classification_report.
local scores = require "metrics.scores"

local report = {}

-- "i name" with the numbers right-aligned, or just the numbers.
local function row_labels(c, names)
  local out, fmt = {}, "%" .. #tostring(c) .. "d"
  for i = 1, c do out[i] = string.format(fmt, i) .. (names and " " .. names[i] or "") end
  return out
end

local function max_width(strings, at_least)
  local w = at_least or 0
  for _, s in ipairs(strings) do w = math.max(w, utf8.len(s) or #s) end
  return w
end

-- s padded with spaces to `width` display columns, on the right or (rjust) the left.
local function pad(s, width)
  return s .. string.rep(" ", width - (utf8.len(s) or #s))
end

local function rjust(s, width)
  return string.rep(" ", width - (utf8.len(s) or #s)) .. s
end

--- The matrix m (int64 (C, C)) as an aligned table with a heading line.
function report.matrix(m, names)
  local c, counts = m:size(1), m:totable()
  local total = m:sum():item()
  local labels = row_labels(c, names)
  local lw = max_width(labels, #"true \\ predicted")
  local cw = math.max(#tostring(c), #tostring(m:max():item()))
  local lines = {string.format("confusion matrix: %d items, rows are true classes, columns predicted", total)}
  local head = {pad("true \\ predicted", lw)}
  for j = 1, c do head[#head + 1] = string.format("%" .. cw .. "d", j) end
  lines[#lines + 1] = table.concat(head, "  ")
  for i = 1, c do
    local row = {pad(labels[i], lw)}
    for j = 1, c do row[#row + 1] = string.format("%" .. cw .. "d", counts[i][j]) end
    lines[#lines + 1] = table.concat(row, "  ")
  end
  return table.concat(lines, "\n")
end

--- sklearn's classification_report for the matrix m, with `digits` decimals.
function report.classes(m, names, digits)
  local c = m:size(1)
  local pc = scores.per_class(m)
  local p, r, f, s = pc.precision:totable(), pc.recall:totable(), pc.f1:totable(), pc.support:totable()
  local labels = {}
  for i = 1, c do labels[i] = names and names[i] or tostring(i) end
  local width = max_width(labels, #"weighted avg")
  local num = " %9." .. digits .. "f"
  local row_fmt = "%s " .. num .. num .. num .. " %9d"
  local lines = {string.format("%s  %9s %9s %9s %9s", rjust("", width), "precision", "recall", "f1-score", "support"), ""}
  for i = 1, c do
    lines[#lines + 1] = string.format(row_fmt, rjust(labels[i], width), p[i], r[i], f[i], math.tointeger(s[i]))
  end
  local total = m:sum():item()
  lines[#lines + 1] = ""
  lines[#lines + 1] = string.format("%s  %9s %9s" .. num .. " %9d", rjust("accuracy", width), "", "",
    scores.average(m, "f1", "micro"), total)
  for _, avg in ipairs({"macro", "weighted"}) do
    lines[#lines + 1] = string.format(row_fmt, rjust(avg .. " avg", width), scores.average(m, "precision", avg),
      scores.average(m, "recall", avg), scores.average(m, "f1", avg), total)
  end
  return table.concat(lines, "\n")
end

return report
