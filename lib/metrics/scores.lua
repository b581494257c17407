-- scores.lua — precision, recall, F1 and support per class, read off a
-- confusion matrix of counts (rows: true class, columns: predicted class), and
-- their averages; and the matrix itself, counted from labels.  Everything is a few tensor ops on the (C, C) matrix, so the
-- cost does not depend on how many items were counted.
--
-- A class never predicted has precision 0, a class never present has recall 0
-- (sklearn's zero_division=0).  The averages are sklearn's:
--   "macro"     the plain mean over the classes that occur (as a target or a
--               prediction), so a class absent from both does not count as 0;
--   "weighted"  the mean weighted by each class's support (its true count);
--   "micro"     from the summed counts: for single-label classification
--               precision, recall and F1 all equal the accuracy.
local torch = require "torch"

local scores = {}

scores.AVERAGES = {none = true, macro = true, micro = true, weighted = true}
scores.METRICS = {"precision", "recall", "f1"}

--- The (C, C) int64 matrix of counts of (target, prediction) pairs: a
--- bincount of the flat cell numbers, done by index_add.
function scores.count(pred, target, c)
  local cell = (target - 1) * c + pred
  local counts = torch.zeros(c * c, {dtype = "int64"})
  counts:index_add_(1, cell, torch.ones(cell:size(1), {dtype = "int64"}))
  return counts:view(c, c)
end

--- Per-class tables of float64 tensors: precision, recall, f1, support.
function scores.per_class(matrix)
  local m = matrix:double()
  local tp, predicted, support = m:diagonal(), m:sum(1), m:sum(2)
  -- Counts are whole numbers, so clamping a denominator to 1 only changes 0/0 into 0/1.
  return {
    precision = tp / predicted:clamp(1),
    recall = tp / support:clamp(1),
    f1 = tp * 2 / (predicted + support):clamp(1),    -- = 2pr / (p + r)
    support = support,
    occurs = (predicted + support):gt(0),
  }
end

--- One metric ("precision", "recall" or "f1") of the matrix, averaged as asked:
--- a number, or the per-class float64 tensor for average "none".
function scores.average(matrix, metric, average)
  local pc = scores.per_class(matrix)
  local v = pc[metric]
  if average == "none" then return v end
  if average == "micro" then
    return matrix:diagonal():sum():item() / matrix:sum():item()
  elseif average == "weighted" then
    return (v * pc.support):sum():item() / pc.support:sum():item()
  end
  return v:masked_select(pc.occurs):mean():item()
end

--- Checks an `average` option of fn; nil means "macro".
function scores.check_average(fn, average)
  if average == nil then return "macro" end
  if not scores.AVERAGES[average] then
    error(string.format("%s: average must be \"macro\", \"micro\", \"weighted\" or \"none\", got %s",
      fn, tostring(average)), 3)
  end
  return average
end

return scores
