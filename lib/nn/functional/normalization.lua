-- nn.functional.normalization — F.batch_norm, F.layer_norm, F.group_norm:
-- the torch.* normalisations (vm/bind_norm.c over tensor/norm.c) with
-- PyTorch's trailing arguments in an options table:
--   F.batch_norm(x, running_mean, running_var, {weight=, bias=, training=false, momentum=0.1, eps=1e-5})
--   F.layer_norm(x, normalized_shape, {weight=, bias=, eps=1e-5})
--   F.group_norm(x, num_groups, {weight=, bias=, eps=1e-5})
local torch = require "torch"

local M = {}

function M.batch_norm(x, running_mean, running_var, opts)
  return torch.batch_norm(x, running_mean, running_var, opts)
end
function M.layer_norm(x, normalized_shape, opts) return torch.layer_norm(x, normalized_shape, opts) end
function M.group_norm(x, num_groups, opts) return torch.group_norm(x, num_groups, opts) end

torch.doc(M.batch_norm, "F.batch_norm(x, running_mean, running_var, {weight=, bias=, training=false, "
  .. "momentum=0.1, eps=1e-5})",
  "Normalises each channel (dim 2): with batch statistics in training (moving the running statistics, "
    .. "when given, toward them by momentum, with the unbiased variance), with the running statistics "
    .. "otherwise; then weight * x + bias when given.",
  [[
local x = torch.tensor({{1.0, 10.0}, {3.0, 30.0}})           -- (N 2, C 2)
local mean, var = torch.zeros(2), torch.ones(2)
print(F.batch_norm(x, mean, var, {training = true}))
print(mean, var)                                             -- moved 10% toward the batch statistics]])
torch.doc(M.layer_norm, "F.layer_norm(x, normalized_shape, {weight=, bias=, eps=1e-5})",
  "Normalises over the trailing dims named by normalized_shape, then weight * x + bias when given.",
  [[
print(F.layer_norm(torch.tensor({{1.0, 2.0, 3.0}}), {3}))]])
torch.doc(M.group_norm, "F.group_norm(x, num_groups, {weight=, bias=, eps=1e-5})",
  "Normalises each sample over groups of channels, then weight * x + bias (per channel) when given.",
  [[
local x = torch.arange(8):float():view(1, 4, 2)               -- (N 1, C 4, L 2)
print(F.group_norm(x, 2))]])

return M
