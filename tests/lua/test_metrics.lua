-- test_metrics.lua — torch.metrics against counts worked out by hand on small
-- examples, and against plain Lua loops (no tensor ops) on 10,000 random
-- items; the confusion matrix and classification report texts; the errors.
local T = require "testing"
local metrics = torch.metrics

torch.manual_seed(5)

-- 5 items, 3 classes.  By hand: class 1 predicted twice (items 1, 5), right
-- once, present once; class 2 predicted twice (items 2, 3), right once,
-- present twice; class 3 predicted once (item 4), right, present twice.
local PRED = {1, 2, 2, 3, 1}
local TARGET = {1, 2, 3, 3, 2}

local function list(t) return t:totable() end

T.test("metrics: accuracy of labels, lists and tensors alike", function()
  T.close(metrics.accuracy(PRED, TARGET), 3 / 5)
  T.close(metrics.accuracy(torch.tensor(PRED), torch.tensor(TARGET)), 3 / 5)
  T.close(metrics.accuracy(torch.tensor(PRED):double(), TARGET), 3 / 5, nil, "whole-number floats are labels")
  T.close(metrics.accuracy({2}, {2}), 1)
end)

T.test("metrics: accuracy of scores takes each row's argmax", function()
  local scores = torch.tensor({{2.0, 1.0, 0.0}, {0.1, 0.3, 0.2}, {-1, -2, -0.5}, {5, 6, 7}})
  -- argmax rows: 1, 2, 3, 3
  T.close(metrics.accuracy(scores, {1, 2, 3, 1}), 3 / 4)
  T.close(metrics.accuracy(scores:softmax(2), {1, 2, 3, 1}), 3 / 4, nil, "probabilities too")
end)

T.test("metrics: top-k accuracy", function()
  local scores = torch.tensor({{0.1, 0.5, 0.4}, {0.9, 0.06, 0.04}, {0.2, 0.3, 0.5}})
  local target = {3, 2, 1}
  T.close(metrics.topk_accuracy(scores, target, 1), 0)     -- argmax 2, 1, 3
  T.close(metrics.topk_accuracy(scores, target, 2), 2 / 3) -- {2,3} {1,2} {3,2}
  T.close(metrics.topk_accuracy(scores, target, 3), 1)
  T.errors("topk_accuracy: k must be an integer in 1..3", metrics.topk_accuracy, scores, target, 4)
  T.errors("topk_accuracy: expected scores of shape (N, C)", metrics.topk_accuracy, torch.tensor(PRED), TARGET, 1)
end)

T.test("metrics: confusion_matrix counts (true, predicted) pairs", function()
  local m = metrics.confusion_matrix(PRED, TARGET)
  T.eq(m.dtype, "int64")
  T.allclose(list(m), {{1, 0, 0}, {1, 1, 0}, {0, 1, 1}})
  T.allclose(list(metrics.confusion_matrix(PRED, TARGET, {num_classes = 4})),
    {{1, 0, 0, 0}, {1, 1, 0, 0}, {0, 1, 1, 0}, {0, 0, 0, 0}})
end)

T.test("metrics: precision, recall and F1 per class and averaged", function()
  -- per class: precision 1/2, 1/2, 1; recall 1, 1/2, 1/2; f1 = 2pr/(p+r) = 2/3, 1/2, 2/3
  T.allclose(list(metrics.precision(PRED, TARGET, {average = "none"})), {0.5, 0.5, 1})
  T.allclose(list(metrics.recall(PRED, TARGET, {average = "none"})), {1, 0.5, 0.5})
  T.allclose(list(metrics.f1(PRED, TARGET, {average = "none"})), {2 / 3, 0.5, 2 / 3})
  T.close(metrics.precision(PRED, TARGET), 2 / 3, nil, "macro is the default")
  T.close(metrics.recall(PRED, TARGET, {average = "macro"}), 2 / 3)
  T.close(metrics.f1(PRED, TARGET, {average = "macro"}), (2 / 3 + 0.5 + 2 / 3) / 3)
  -- weighted by support 1, 2, 2
  T.close(metrics.precision(PRED, TARGET, {average = "weighted"}), (0.5 + 1 + 2) / 5)
  T.close(metrics.recall(PRED, TARGET, {average = "weighted"}), (1 + 1 + 1) / 5)
  T.close(metrics.f1(PRED, TARGET, {average = "weighted"}), (2 / 3 + 1 + 4 / 3) / 5)
  -- micro: summed counts, equal to the accuracy
  for _, m in ipairs({"precision", "recall", "f1"}) do
    T.close(metrics[m](PRED, TARGET, {average = "micro"}), 3 / 5, nil, m .. " micro")
  end
end)

T.test("metrics: a class never predicted scores 0; a class absent from both is left out of macro", function()
  -- class 3 is present (item 3) but never predicted: precision 0 (0/0), recall 0
  local pred, target = {1, 2, 2}, {1, 2, 3}
  T.allclose(list(metrics.precision(pred, target, {average = "none"})), {1, 0.5, 0})
  T.allclose(list(metrics.f1(pred, target, {average = "none"})), {1, 2 / 3, 0})
  -- a fourth class nobody mentions does not drag the macro average down
  T.close(metrics.f1(pred, target, {num_classes = 4}), metrics.f1(pred, target))
  T.allclose(list(metrics.recall(pred, target, {average = "none", num_classes = 4})), {1, 1, 0, 0})
end)

T.test("metrics: bad input is an error naming the function", function()
  T.errors("accuracy: labels must be in 1..3 (they are 1-based), got 0", metrics.accuracy, {0, 1, 3}, {1, 1, 1})
  T.errors("accuracy: 2 predictions but 3 targets", metrics.accuracy, {1, 2}, {1, 2, 3})
  T.errors("accuracy: no items", metrics.accuracy, torch.zeros(0, {dtype = "int64"}), torch.zeros(0, {dtype = "int64"}))
  T.errors("accuracy: predictions must be whole numbers", metrics.accuracy, torch.tensor({1.5}), {1})
  T.errors("accuracy: predictions must be labels (N) or scores (N, C), got 2x2x2", metrics.accuracy, torch.zeros(2, 2, 2), {1, 1})
  T.errors("f1: average must be", metrics.f1, PRED, TARGET, {average = "binary"})
  T.errors("f1: unknown option 'averge'", metrics.f1, PRED, TARGET, {averge = "macro"})
  T.errors("precision: scores have 3 classes but num_classes is 4", metrics.precision, torch.zeros(2, 3), {1, 2}, {num_classes = 4})
  T.errors("confusion_matrix: labels must be in 1..2", metrics.confusion_matrix, {1, 3}, {1, 1}, {num_classes = 2})
end)

T.test("ConfusionMatrix: counts accumulate over batches, reset forgets", function()
  local cm = metrics.ConfusionMatrix(3)
  cm:add({1, 2}, {1, 2}):add({2, 3, 1}, {3, 3, 2})
  T.allclose(list(cm.matrix), list(metrics.confusion_matrix(PRED, TARGET)))
  T.eq(cm:total(), 5)
  T.close(cm:accuracy(), 3 / 5)
  T.close(cm:f1(), metrics.f1(PRED, TARGET))
  T.allclose(list(cm:recall("none")), {1, 0.5, 0.5})
  T.close(cm:precision("weighted"), 0.7)
  cm:reset()
  T.eq(cm:total(), 0)
  T.errors("ConfusionMatrix:accuracy: no items added yet", cm.accuracy, cm)
  -- scores are accepted too
  cm:add(torch.tensor({{0, 1, 0}, {0, 0, 1}}), {2, 1})
  T.allclose(list(cm.matrix), {{0, 0, 1}, {0, 1, 0}, {0, 0, 0}})
end)

T.test("ConfusionMatrix: per_class rows", function()
  local cm = metrics.ConfusionMatrix({"cat", "dog", "bird"}):add(PRED, TARGET)
  local rows = cm:per_class()
  T.eq(#rows, 3)
  T.eq(rows[3].name, "bird")
  T.eq(rows[3].class, 3)
  T.eq(rows[3].support, 2)
  T.close(rows[3].precision, 1)
  T.close(rows[3].recall, 0.5)
  T.close(rows[1].f1, 2 / 3)
end)

T.test("ConfusionMatrix: prints as an aligned table with class names", function()
  local cm = metrics.ConfusionMatrix(3, {names = {"cat", "dog", "bird"}}):add(PRED, TARGET)
  T.eq(tostring(cm), table.concat({
    "confusion matrix: 5 items, rows are true classes, columns predicted",
    "true \\ predicted  1  2  3",
    "1 cat             1  0  0",
    "2 dog             1  1  0",
    "3 bird            0  1  1",
  }, "\n"))
  -- ten classes: the numbers right-aligned, every row as wide as the header
  local big = metrics.ConfusionMatrix(10)
  big:add(torch.arange(1, 11), torch.arange(1, 11)):add({10}, {10})
  local lines = {}
  for line in tostring(big):gmatch "[^\n]+" do lines[#lines + 1] = line end
  T.eq(#lines, 12)
  T.eq(lines[2], "true \\ predicted   1   2   3   4   5   6   7   8   9  10")
  T.eq(lines[3], " 1                 1   0   0   0   0   0   0   0   0   0")
  T.eq(lines[12], "10                 0   0   0   0   0   0   0   0   0   2")
  for i = 3, 12 do T.eq(#lines[i], #lines[2], "row width") end
end)

T.test("ConfusionMatrix: the report has sklearn's layout and numbers", function()
  local cm = metrics.ConfusionMatrix({"cat", "dog", "bird"}):add(PRED, TARGET)
  -- sklearn.metrics.classification_report([1,2,3,3,2], [1,2,2,3,1], target_names=[...]) prints this
  T.eq(cm:report({digits = 2}), table.concat({
    "              precision    recall  f1-score   support",
    "",
    "         cat       0.50      1.00      0.67         1",
    "         dog       0.50      0.50      0.50         2",
    "        bird       1.00      0.50      0.67         2",
    "",
    "    accuracy                           0.60         5",
    "   macro avg       0.67      0.67      0.61         5",
    "weighted avg       0.70      0.60      0.60         5",
  }, "\n"))
  T.eq(metrics.classification_report(PRED, TARGET, {names = {"cat", "dog", "bird"}, digits = 2}), cm:report({digits = 2}))
  T.truthy(cm:report():find("0.6111", 1, true), "4 digits by default")
  T.errors("ConfusionMatrix:report: digits must be an integer", cm.report, cm, {digits = -1})
end)

T.test("ConfusionMatrix: bad construction and bad batches are errors", function()
  T.errors("ConfusionMatrix: expected the number of classes", metrics.ConfusionMatrix, 0)
  T.errors("ConfusionMatrix: names must be a list of 3 class names", metrics.ConfusionMatrix, 3, {names = {"a"}})
  T.errors("ConfusionMatrix: unknown option 'name'", metrics.ConfusionMatrix, 3, {name = {"a"}})
  local cm = metrics.ConfusionMatrix(2)
  T.errors("ConfusionMatrix:add: labels must be in 1..2", cm.add, cm, {3}, {1})
  T.errors("ConfusionMatrix:add: scores have 3 classes but num_classes is 2", cm.add, cm, torch.zeros(1, 3), {1})
  T.eq(cm:total(), 0, "a failed add counts nothing")
end)

T.test("metrics: 10,000 random items agree with plain Lua loops", function()
  local n, c = 10000, 10
  local scores = torch.randn(n, c)
  local target = torch.randint(1, c + 1, {n})
  local s, t = scores:totable(), target:totable()
  local counts, right = {}, 0
  for i = 1, c do counts[i] = {} for j = 1, c do counts[i][j] = 0 end end
  local top3 = 0
  for i = 1, n do
    local best, above = 1, 0
    for j = 2, c do if s[i][j] > s[i][best] then best = j end end
    for j = 1, c do if s[i][j] > s[i][t[i]] then above = above + 1 end end
    if best == t[i] then right = right + 1 end
    if above < 3 then top3 = top3 + 1 end
    counts[t[i]][best] = counts[t[i]][best] + 1
  end
  T.close(metrics.accuracy(scores, target), right / n)
  T.close(metrics.topk_accuracy(scores, target, 3), top3 / n)
  local cm = metrics.ConfusionMatrix(c)
  for b = 0, 9 do cm:add(scores:narrow(1, b * 1000 + 1, 1000), target:narrow(1, b * 1000 + 1, 1000)) end
  T.allclose(cm.matrix:totable(), counts)
  -- macro F1 from the loop's counts
  local f1 = 0
  for k = 1, c do
    local predicted, support = 0, 0
    for i = 1, c do predicted = predicted + counts[i][k]; support = support + counts[k][i] end
    f1 = f1 + 2 * counts[k][k] / (predicted + support)
  end
  T.close(cm:f1(), f1 / c, 1e-12)
end)
