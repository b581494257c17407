-- nn.functional.dropout — F.dropout and F.dropout2d, over torch.dropout and
-- torch.feature_dropout (tensor/dropout.c: the mask is drawn, scaled by
-- 1/(1-p) and applied in one pass, and saved for backward).
--
-- Both PyTorch's positional form F.dropout(x, p, training, inplace) and an
-- options table F.dropout(x, {p =, training =, inplace =}) work; the
-- defaults are PyTorch's (p = 0.5, training = true, inplace = false).  In
-- eval mode (training = false) and for p = 0 the result is x itself.
local torch = require "torch"

local M = {}

local OPTIONS = {p = true, training = true, inplace = true}

-- p, training, inplace from either call form.
local function arguments(fn, p, training, inplace)
  if type(p) == "table" then
    for k in pairs(p) do
      if not OPTIONS[k] then error(string.format("%s: unknown option '%s'", fn, tostring(k)), 3) end
    end
    p, training, inplace = p.p, p.training, p.inplace
  end
  if p == nil then p = 0.5 end
  if type(p) ~= "number" then error(string.format("%s: p must be a number, got %s", fn, type(p)), 3) end
  if not (p >= 0 and p <= 1) then
    error(string.format("%s: dropout probability p must be in [0, 1], got %s", fn, tostring(p)), 3)
  end
  return p, training ~= false, inplace == true
end

local function check_tensor(fn, x)
  if not torch.is_tensor(x) then error(string.format("%s: expected a tensor, got %s", fn, type(x)), 3) end
end

--- Zeroes elements with probability p and scales the rest by 1/(1-p).
function M.dropout(x, p, training, inplace)
  check_tensor("dropout", x)
  p, training, inplace = arguments("dropout", p, training, inplace)
  if inplace then return torch.dropout_(x, p, training) end
  return torch.dropout(x, p, training)
end
torch.doc(M.dropout, "F.dropout(x, p=0.5, training=true, inplace=false) or F.dropout(x, {p=, training=, inplace=})",
  "In training, zeroes each element with probability p and scales the kept ones by 1/(1-p); "
    .. "otherwise (or with p = 0) returns x itself.",
  [[
torch.manual_seed(0)
local x = torch.ones(8)
print(F.dropout(x, 0.5))                  -- kept elements scaled by 2
print(F.dropout(x, {p = 0.5, training = false}))]])

--- Zeroes whole channels of (N, C, H, W) or unbatched (C, H, W) input.
function M.dropout2d(x, p, training, inplace)
  check_tensor("dropout2d", x)
  p, training, inplace = arguments("dropout2d", p, training, inplace)
  local nd = x:dim()
  if nd ~= 3 and nd ~= 4 then
    error(string.format("dropout2d: expected a 4-D (N, C, H, W) or 3-D (C, H, W) input, got shape %s",
      nd == 0 and "[]" or table.concat(x.shape, "x")), 2)
  end
  if not training or p == 0 then return x end
  -- An unbatched (C, H, W) input is one sample: its channels are dropped.
  local batched = nd == 4 and x or x:unsqueeze(1)
  if inplace then
    torch.feature_dropout_(batched, p, true)
    return x
  end
  local y = torch.feature_dropout(batched, p, true)
  return nd == 4 and y or y:squeeze(1)
end
torch.doc(M.dropout2d, "F.dropout2d(x, p=0.5, training=true, inplace=false) or F.dropout2d(x, {p=, ...})",
  "In training, zeroes each channel x[n][c] of an (N, C, H, W) input (or x[c] of an unbatched "
    .. "(C, H, W) one) with probability p and scales the kept channels by 1/(1-p).",
  [[
torch.manual_seed(0)
local y = F.dropout2d(torch.ones(1, 4, 2, 2), 0.5)
print(y:sum({3, 4}))                      -- whole channels are 0 or 2 * 4]])

return M
