-- metrics.lua — how good a classifier is: accuracy, top-k accuracy, precision,
-- recall and F1 (per class, or averaged "macro", "micro", "weighted"), the
-- confusion matrix and sklearn's classification report.  Also torch.metrics.
--
-- Every function takes predictions as class labels (N) or as scores (N, C)
-- (logits or probabilities; the prediction is each row's argmax), and targets
-- as labels (N), tensors or Lua lists.  Labels are 1-based (1..C), like every
-- class index in luagrad.  All the work is tensor ops (argmax, eq, a bincount
-- by index_add), so 10,000 test items cost well under a millisecond per call.
local torch = require "torch"
local args = require "torch.args"
local labels = require "metrics.labels"
local scores = require "metrics.scores"
local report = require "metrics.report"

local metrics = {}
metrics.ConfusionMatrix = require "metrics.ConfusionMatrix"

local doc = torch.doc

--- The fraction of predictions equal to the targets.
function metrics.accuracy(pred, target)
  local p, t = labels.pair("accuracy", pred, target)
  return p:eq(t):sum():item() / p:size(1)
end
doc(metrics.accuracy, "metrics.accuracy(pred_or_scores, target)",
  "The fraction (0..1) of items whose predicted class equals the target. pred_or_scores: labels (N) or scores (N, C); target: labels (N), 1-based.",
  [[
local metrics = torch.metrics
local scores = torch.tensor({{0.9, 0.1}, {0.2, 0.8}, {0.6, 0.4}})   -- (N 3, C 2)
print(metrics.accuracy(scores, torch.tensor({1, 2, 2})))
print(metrics.accuracy({1, 2, 2}, {1, 2, 1}))                     -- labels work too]])

--- The fraction of items whose target is among the k highest scores.
function metrics.topk_accuracy(scores_, target, k)
  local fn = "topk_accuracy"
  if not torch.is_tensor(scores_) or scores_:dim() ~= 2 then
    error(fn .. ": expected scores of shape (N, C) as a tensor", 2)
  end
  local c = scores_:size(2)
  if math.type(k) ~= "integer" or k < 1 or k > c then
    error(string.format("%s: k must be an integer in 1..%d (the number of classes), got %s", fn, c, tostring(k)), 2)
  end
  local _, t = labels.pair(fn, scores_, target)
  local _, top = scores_:topk(k, 2)
  return top:eq(t:view(-1, 1)):any(2):sum():item() / t:size(1)
end
doc(metrics.topk_accuracy, "metrics.topk_accuracy(scores, target, k)",
  "The fraction of items whose target class is among the k highest of its scores (N, C). k = 1 is the accuracy.",
  [[
local metrics = torch.metrics
local scores = torch.tensor({{0.5, 0.3, 0.2}, {0.1, 0.3, 0.6}})
print(metrics.topk_accuracy(scores, torch.tensor({2, 1}), 2))      -- class 2 is 2nd for item 1]])

--- The (C, C) int64 matrix of counts: row = true class, column = predicted.
function metrics.confusion_matrix(pred, target, opts)
  opts = args.options("confusion_matrix", opts, {num_classes = true})
  local p, t, c = labels.pair("confusion_matrix", pred, target, opts.num_classes)
  return scores.count(p, t, c)
end
doc(metrics.confusion_matrix, "metrics.confusion_matrix(pred_or_scores, target, {num_classes=})",
  "The (C, C) int64 tensor counting items of true class i (row) predicted as class j (column). metrics.ConfusionMatrix accumulates one over batches.",
  [[
local metrics = torch.metrics
print(metrics.confusion_matrix(torch.tensor({1, 2, 2, 3}), torch.tensor({1, 2, 3, 3})))]])

for _, metric in ipairs(scores.METRICS) do
  metrics[metric] = function(pred, target, opts)
    opts = args.options(metric, opts, {average = true, num_classes = true})
    local average = scores.check_average(metric, opts.average)
    local p, t, c = labels.pair(metric, pred, target, opts.num_classes)
    return scores.average(scores.count(p, t, c), metric, average)
  end
end
local AVERAGE_DOC = ' average: "macro" (default: the mean over the classes that occur), "micro" (from summed counts; equals the accuracy), "weighted" (by support) or "none" (a float64 tensor of C values). A class never predicted (or never present) scores 0.'
doc(metrics.precision, "metrics.precision(pred_or_scores, target, {average=, num_classes=})",
  "Of the items predicted as a class, the fraction truly of it." .. AVERAGE_DOC,
  [[
local metrics = torch.metrics
local pred, target = torch.tensor({1, 2, 2, 3}), torch.tensor({1, 2, 3, 3})
print(metrics.precision(pred, target), metrics.precision(pred, target, {average = "none"}))]])
doc(metrics.recall, "metrics.recall(pred_or_scores, target, {average=, num_classes=})",
  "Of the items of a class, the fraction predicted as it." .. AVERAGE_DOC,
  [[
local metrics = torch.metrics
local pred, target = torch.tensor({1, 2, 2, 3}), torch.tensor({1, 2, 3, 3})
print(metrics.recall(pred, target), metrics.recall(pred, target, {average = "none"}))]])
doc(metrics.f1, "metrics.f1(pred_or_scores, target, {average=, num_classes=})",
  "The harmonic mean of precision and recall, 2pr / (p + r), per class." .. AVERAGE_DOC,
  [[
local metrics = torch.metrics
local pred, target = torch.tensor({1, 2, 2, 3}), torch.tensor({1, 2, 3, 3})
print(metrics.f1(pred, target), metrics.f1(pred, target, {average = "micro"}))]])

--- sklearn's classification_report as text.
function metrics.classification_report(pred, target, opts)
  opts = args.options("classification_report", opts, {names = true, num_classes = true, digits = true})
  local c = opts.num_classes or (opts.names and #opts.names) or nil
  local cm = metrics.ConfusionMatrix(c or select(3, labels.pair("classification_report", pred, target)),
    {names = opts.names})
  cm:add(pred, target)
  return cm:report({digits = opts.digits})
end
doc(metrics.classification_report, "metrics.classification_report(pred_or_scores, target, {names=, num_classes=, digits=4})",
  "Text: precision, recall, F1 and support per class, then the accuracy and the macro and weighted averages (sklearn's layout).",
  [[
local metrics = torch.metrics
local pred, target = torch.tensor({1, 2, 2, 3}), torch.tensor({1, 2, 3, 3})
print(metrics.classification_report(pred, target, {names = {"cat", "dog", "bird"}, digits = 2}))]])

doc(metrics.ConfusionMatrix, "metrics.ConfusionMatrix(num_classes or names, {names=})",
  "A confusion matrix that accumulates over batches: cm:add(pred_or_scores, target), cm:reset(), cm:total(), cm:accuracy(), cm:precision/recall/f1(average), cm:per_class(), cm:report({digits=}); cm.matrix is the (C, C) int64 count tensor (rows true, columns predicted); print(cm) shows it as a table with the class names.",
  [[
local cm = torch.metrics.ConfusionMatrix({"cat", "dog", "bird"})
cm:add(torch.tensor({1, 2, 2}), torch.tensor({1, 2, 3}))     -- one batch
cm:add(torch.tensor({{0.1, 0.2, 0.7}}), torch.tensor({3}))   -- another, as scores
print(cm)
print(cm:accuracy(), cm:total())]])
doc(metrics, "metrics", "Classification metrics: accuracy, top-k accuracy, precision, recall, F1, the confusion matrix and the classification report. Labels are 1-based.")

torch.metrics = metrics
return metrics
