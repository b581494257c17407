-- labels.lua — what every metric does first: turn "predictions or logits" and
-- "targets" into two 1-D int64 tensors of 1-based class labels, checked.
--
-- Predictions may be scores of shape (N, C) (logits, probabilities: the
-- predicted class is the argmax of each row) or labels of shape (N); either
-- side may also be a Lua list of labels.  The class count C is the option
-- num_classes, else the width of the scores, else the largest label seen.
local torch = require "torch"
local args = require "torch.args"

local labels = {}
local shape_text = args.shape

-- A 1-D int64 tensor of labels from x (scores, labels or a list); also the
-- score width when x held scores.
local function to_labels(fn, what, x)
  if type(x) == "table" and not torch.is_tensor(x) then
    local ok, t = pcall(torch.tensor, x, {dtype = "int64"})
    if not ok or t:dim() ~= 1 then
      error(string.format("%s: %s must be a tensor or a list of labels", fn, what), 4)
    end
    x = t
  end
  if not torch.is_tensor(x) then
    error(string.format("%s: %s must be a tensor or a list of labels, got %s", fn, what, type(x)), 4)
  end
  if x:dim() == 2 then
    if x:size(2) == 0 then error(string.format("%s: %s has no classes (%s)", fn, what, shape_text(x)), 4) end
    return x:argmax(2), x:size(2)
  end
  if x:dim() ~= 1 then
    error(string.format("%s: %s must be labels (N) or scores (N, C), got %s", fn, what, shape_text(x)), 4)
  end
  if x.dtype == "bool" then error(string.format("%s: %s must be class labels, got a bool tensor", fn, what), 4) end
  if x.dtype ~= "int64" then
    local whole = x:eq(x:round()):logical_and(x:isfinite()):all():item()
    if not whole then error(string.format("%s: %s must be whole numbers (class labels)", fn, what), 4) end
    x = x:long()
  end
  return x
end

--- Checks and converts (predictions or scores, targets): returns pred, target
--- (1-D int64, 1-based) and the class count.
function labels.pair(fn, pred, target, num_classes)
  local p, width = to_labels(fn, "predictions", pred)
  local t = to_labels(fn, "targets", target)
  if p:size(1) ~= t:size(1) then
    error(string.format("%s: %d predictions but %d targets", fn, p:size(1), t:size(1)), 3)
  end
  if p:size(1) == 0 then error(fn .. ": no items (0 predictions)", 3) end
  if num_classes ~= nil and (math.type(num_classes) ~= "integer" or num_classes < 1) then
    error(fn .. ": num_classes must be a positive integer, got " .. tostring(num_classes), 3)
  end
  if width and num_classes and width ~= num_classes then
    error(string.format("%s: scores have %d classes but num_classes is %d", fn, width, num_classes), 3)
  end
  local lo = math.min(p:min():item(), t:min():item())
  local hi = math.max(p:max():item(), t:max():item())
  local c = num_classes or width or hi
  if lo < 1 or hi > c then
    error(string.format("%s: labels must be in 1..%d (they are 1-based), got %d", fn, c, lo < 1 and lo or hi), 3)
  end
  return p, t, c
end

return labels
