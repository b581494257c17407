-- ConfusionMatrix.lua — counts (true class, predicted class) pairs over as many
-- batches as you add, then answers accuracy, precision, recall and F1 and
-- prints itself as an aligned table with the class names.
--
--   local cm = metrics.ConfusionMatrix(10, {names = test_set.classes})
--   for _, x, y in loader:iter() do cm:add(model(x), y) end
--   print(cm:accuracy(), cm:f1())            -- macro F1 by default
--   print(cm:report())                       -- per-class table, as sklearn's
--   print(cm)                                -- the matrix
local torch = require "torch"
local args = require "torch.args"
local labels = require "metrics.labels"
local scores = require "metrics.scores"
local report = require "metrics.report"

local ConfusionMatrix = {}
ConfusionMatrix.__index = ConfusionMatrix
ConfusionMatrix.__name = "ConfusionMatrix"

local FN = "ConfusionMatrix"

local function check_names(names, c)
  if type(names) ~= "table" or torch.is_tensor(names) or #names ~= c then
    error(string.format("%s: names must be a list of %d class names", FN, c), 4)
  end
  local out = {}
  for i = 1, c do out[i] = tostring(names[i]) end
  return out
end

local function new(class, classes, opts)
  opts = args.options(FN, opts, {names = true})
  local c, names
  if type(classes) == "table" and not torch.is_tensor(classes) then
    c = #classes
    names = check_names(classes, c)
  elseif math.type(classes) == "integer" and classes >= 1 and classes <= 1e4 then
    c = classes
    if opts.names ~= nil then names = check_names(opts.names, c) end
  else
    error(FN .. ": expected the number of classes (1..10000) or a list of class names, got " .. tostring(classes), 3)
  end
  if c < 1 then error(FN .. ": expected at least one class", 3) end
  return setmetatable({num_classes = c, names = names, matrix = torch.zeros(c, c, {dtype = "int64"})}, class)
end

setmetatable(ConfusionMatrix, {__call = new})

--- Counts a batch: predictions (N) or scores (N, C), and targets (N), 1-based.
function ConfusionMatrix:add(pred, target)
  local p, t = labels.pair("ConfusionMatrix:add", pred, target, self.num_classes)
  self.matrix:add_(scores.count(p, t, self.num_classes))
  return self
end

--- Forgets every count.
function ConfusionMatrix:reset()
  self.matrix:zero_()
  return self
end

--- The number of items counted.
function ConfusionMatrix:total()
  return self.matrix:sum():item()
end

local function nonempty(self, fn)
  if self:total() == 0 then error("ConfusionMatrix:" .. fn .. ": no items added yet", 3) end
end

--- The fraction of items whose predicted class is the true one.
function ConfusionMatrix:accuracy()
  nonempty(self, "accuracy")
  return self.matrix:diagonal():sum():item() / self:total()
end

for _, metric in ipairs(scores.METRICS) do
  ConfusionMatrix[metric] = function(self, average)
    average = scores.check_average("ConfusionMatrix:" .. metric, average)
    nonempty(self, metric)
    return scores.average(self.matrix, metric, average)
  end
end

--- One table per class: {class =, name =, precision =, recall =, f1 =, support =}.
function ConfusionMatrix:per_class()
  local pc = scores.per_class(self.matrix)
  local p, r, f, s = pc.precision:totable(), pc.recall:totable(), pc.f1:totable(), pc.support:totable()
  local rows = {}
  for i = 1, self.num_classes do
    rows[i] = {class = i, name = self.names and self.names[i] or tostring(i),
               precision = p[i], recall = r[i], f1 = f[i], support = math.tointeger(s[i])}
  end
  return rows
end

--- The per-class report (sklearn's classification_report layout); opts.digits (default 4).
function ConfusionMatrix:report(opts)
  opts = args.options("ConfusionMatrix:report", opts, {digits = true})
  local digits = opts.digits or 4
  if math.type(digits) ~= "integer" or digits < 0 or digits > 10 then
    error("ConfusionMatrix:report: digits must be an integer in 0..10", 2)
  end
  nonempty(self, "report")
  return report.classes(self.matrix, self.names, digits)
end

function ConfusionMatrix:__tostring()
  return report.matrix(self.matrix, self.names)
end

local doc = torch.doc
doc(ConfusionMatrix.add, "cm:add(pred_or_scores, target)",
  "Counts a batch: predictions (N) or scores (N, C), and targets (N), 1-based. Returns cm.",
  [[
local cm = torch.metrics.ConfusionMatrix(2)
cm:add({1, 2, 2}, {1, 1, 2})
print(cm.matrix)]])
doc(ConfusionMatrix.reset, "cm:reset()", "Sets every count back to 0. Returns cm.",
  [[
local cm = torch.metrics.ConfusionMatrix(2):add({1, 2}, {1, 1})
print(cm:total(), cm:reset():total())]])
doc(ConfusionMatrix.total, "cm:total()", "The number of items counted so far.",
  [[
local cm = torch.metrics.ConfusionMatrix(3)
cm:add({1, 2}, {1, 1}):add({3}, {3})
print(cm:total())]])
doc(ConfusionMatrix.accuracy, "cm:accuracy()", "The fraction of counted items whose predicted class is the true one.",
  [[
local cm = torch.metrics.ConfusionMatrix(2):add({1, 2, 2, 1}, {1, 2, 1, 1})
print(cm:accuracy())]])
for _, metric in ipairs(scores.METRICS) do
  doc(ConfusionMatrix[metric], "cm:" .. metric .. "([average])",
    "The " .. metric .. ' of the counts so far; average "macro" (default), "micro", "weighted", or "none" for a per-class float64 tensor (see metrics.' .. metric .. ").",
    "local cm = torch.metrics.ConfusionMatrix(3):add({1, 2, 2, 3}, {1, 2, 3, 3})\n"
      .. "print(cm:" .. metric .. "(), cm:" .. metric .. '("none"))')
end
doc(ConfusionMatrix.per_class, "cm:per_class()",
  "A list with one table per class: {class =, name =, precision =, recall =, f1 =, support =}.",
  [[
local cm = torch.metrics.ConfusionMatrix({"no", "yes"}):add({1, 2, 2, 1}, {1, 2, 1, 1})
for _, c in ipairs(cm:per_class()) do
  print(c.name, string.format("precision %.2f recall %.2f f1 %.2f support %d", c.precision, c.recall, c.f1, c.support))
end]])
doc(ConfusionMatrix.report, "cm:report({digits=4})",
  "Text: precision, recall, F1 and support per class, then accuracy and the macro and weighted averages (sklearn's classification_report).",
  [[
local cm = torch.metrics.ConfusionMatrix({"no", "yes"}):add({1, 2, 2, 1}, {1, 2, 1, 1})
print(cm:report({digits = 2}))]])

return ConfusionMatrix
