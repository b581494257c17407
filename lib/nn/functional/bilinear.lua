-- nn.functional.bilinear — F.bilinear, the map of nn.Bilinear:
-- y[..., o] = sum_ij x1[..., i] A[o, i, j] x2[..., j] + b[o].
--
-- Written over matmul: x1 (N, in1) times A rearranged to (in1, out * in2)
-- is one GEMM giving (N, out, in2), which is then multiplied by x2 and
-- summed over in2.  The rearranged copy of A costs out * in1 * in2, no more
-- than reading A, and keeps the heavy work in one BLAS call.
local torch = require "torch"

local M = {}

local function shape_text(t) return t:dim() == 0 and "[]" or table.concat(t.shape, "x") end

--- x1^T A x2 + b over the last dims of x1 (*, in1) and x2 (*, in2).
function M.bilinear(x1, x2, weight, bias)
  if not (torch.is_tensor(x1) and torch.is_tensor(x2) and torch.is_tensor(weight)) then
    error("bilinear: expected tensors for input1, input2 and weight", 2)
  end
  if weight:dim() ~= 3 then
    error("bilinear: expected a 3-D weight (out x in1 x in2), got " .. shape_text(weight), 2)
  end
  local out, in1, in2 = weight:size(1), weight:size(2), weight:size(3)
  local lead_ok = x1:dim() >= 1 and x1:dim() == x2:dim()
  for d = 1, x1:dim() - 1 do lead_ok = lead_ok and x1:size(d) == x2:size(d) end
  if not lead_ok or x1:size(-1) ~= in1 or x2:size(-1) ~= in2 then
    error(string.format("bilinear: expected input1 (*, %d) and input2 (*, %d) with the same leading dims "
      .. "(weight %s), got %s and %s", in1, in2, shape_text(weight), shape_text(x1), shape_text(x2)), 2)
  end
  if bias ~= nil and (not torch.is_tensor(bias) or bias:dim() ~= 1 or bias:size(1) ~= out) then
    error(string.format("bilinear: expected a bias of shape %d, got %s", out,
      torch.is_tensor(bias) and shape_text(bias) or type(bias)), 2)
  end
  local lead = {table.unpack(x1.shape, 1, x1:dim() - 1)}
  local a, b = x1:reshape(-1, in1), x2:reshape(-1, in2)
  local n = a:size(1)
  local t = a:matmul(weight:permute(2, 1, 3):reshape(in1, out * in2)):view(n, out, in2)
  local y = (t * b:unsqueeze(2)):sum(3)
  if bias then y = y + bias end
  lead[#lead + 1] = out
  return y:reshape(lead)
end
torch.doc(M.bilinear, "F.bilinear(input1, input2, weight, bias)",
  "y = x1^T A x2 + b over the last dims: input1 (*, in1), input2 (*, in2), weight A of shape "
    .. "(out, in1, in2) as in PyTorch, bias (out) or nil; result (*, out).",
  [[
local x1, x2 = torch.ones(2, 3), torch.ones(2, 4)
local weight, bias = torch.ones(5, 3, 4), torch.zeros(5)
print(F.bilinear(x1, x2, weight, bias))   -- each output sums 3 * 4 products of ones]])

return M
