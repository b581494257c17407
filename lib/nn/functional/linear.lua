-- nn.functional.linear — F.linear, the affine map of nn.Linear.
local torch = require "torch"

local M = {}

local function shape_text(t) return table.concat(t.shape, "x") end

--- y = x W^T + b, with W of shape (out, in) as PyTorch stores it.
function M.linear(x, weight, bias)
  if not (torch.is_tensor(x) and torch.is_tensor(weight)) then
    error("linear: expected tensors for input and weight", 2)
  end
  if weight:dim() ~= 2 or x:dim() < 1 or x:size(-1) ~= weight:size(2) then
    error(string.format("linear: expected input with %s features (weight %s), got %s",
      weight:dim() == 2 and weight:size(2) or "?", shape_text(weight), shape_text(x)), 2)
  end
  -- A batch of rows is one GEMM with the bias folded in (addmm).
  if x:dim() == 2 and bias then return torch.addmm(bias, x, weight:t()) end
  local y = x:matmul(weight:t())
  if bias then y = y + bias end
  return y
end
torch.doc(M.linear, "F.linear(x, weight, bias)",
  "x @ weight^T + bias, weight of shape (out_features, in_features) as in PyTorch.",
  [[
local x = torch.tensor({{1.0, 2.0}})
local weight = torch.tensor({{1.0, 0.0}, {1.0, 1.0}, {0.0, 2.0}})   -- (out 3, in 2)
print(F.linear(x, weight, torch.tensor({0.0, 0.0, 1.0})))]])

return M
