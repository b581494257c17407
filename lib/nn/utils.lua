-- nn.utils — helpers around parameters and their gradients, as torch.nn.utils:
-- clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters.
--
-- `parameters` is a tensor or a list of tensors (model:parameters()).  The
-- clipping functions change the gradients in place, without recording, and
-- skip parameters whose gradient is nil, as PyTorch's do.
local torch = require "torch"

local utils = {}

local function as_list(fn, parameters)
  if torch.is_tensor(parameters) then return {parameters} end
  if type(parameters) ~= "table" then
    error(string.format("%s: expected a tensor or a list of tensors, got %s", fn, type(parameters)), 3)
  end
  for i, p in ipairs(parameters) do
    if not torch.is_tensor(p) then error(string.format("%s: parameter %d is a %s, not a tensor", fn, i, type(p)), 3) end
  end
  return parameters
end

local function grads_of(fn, parameters)
  local grads = {}
  for _, p in ipairs(as_list(fn, parameters)) do
    local g = p.grad
    if g ~= nil then grads[#grads + 1] = g:detach() end
  end
  return grads
end

--- Scales the gradients so that their norm, taken over all of them as one
-- vector, is at most max_norm; returns that total norm (a 0-dim tensor).
function utils.clip_grad_norm_(parameters, max_norm, opts)
  if type(max_norm) ~= "number" then
    error("clip_grad_norm_: max_norm must be a number, got " .. type(max_norm), 2)
  end
  local norm_type, error_if_nonfinite = 2, false
  for k, v in pairs(opts or {}) do
    if k == "norm_type" then
      norm_type = v == "inf" and math.huge or v
      if type(norm_type) ~= "number" then error("clip_grad_norm_: norm_type must be a number or 'inf'", 2) end
    elseif k == "error_if_nonfinite" then
      error_if_nonfinite = v
    else
      error("clip_grad_norm_: unknown option '" .. tostring(k) .. "'", 2)
    end
  end
  local grads = grads_of("clip_grad_norm_", parameters)
  if #grads == 0 then return torch.tensor(0.0) end
  return torch.no_grad(function()
    local norms = {}
    for i, g in ipairs(grads) do norms[i] = norm_type == math.huge and g:abs():max() or g:norm(norm_type) end
    local total
    if norm_type == math.huge then
      total = #norms == 1 and norms[1] or torch.stack(norms):max()
    else
      total = torch.stack(norms):norm(norm_type)
    end
    if error_if_nonfinite and not total:isfinite():item() then
      error(string.format("clip_grad_norm_: the total norm of order %s of the gradients is non-finite, so it "
        .. "cannot be clipped; pass {error_if_nonfinite = false} to scale them by it anyway", norm_type), 0)
    end
    -- Always multiplied, even by 1, as PyTorch does.
    local coef = (max_norm / (total + 1e-6)):clamp(nil, 1.0)
    for _, g in ipairs(grads) do g:mul_(coef) end
    return total
  end)
end

--- Clamps every gradient to [-clip_value, clip_value] in place.
function utils.clip_grad_value_(parameters, clip_value)
  if type(clip_value) ~= "number" then
    error("clip_grad_value_: clip_value must be a number, got " .. type(clip_value), 2)
  end
  local grads = grads_of("clip_grad_value_", parameters)
  torch.no_grad(function()
    for _, g in ipairs(grads) do g:clamp_(-clip_value, clip_value) end
  end)
end

--- The parameters flattened and concatenated into one 1-D tensor (recorded
-- for autograd, as in PyTorch).
function utils.parameters_to_vector(parameters)
  local views = {}
  for i, p in ipairs(as_list("parameters_to_vector", parameters)) do views[i] = p:reshape(-1) end
  if #views == 0 then error("parameters_to_vector: got an empty list of parameters", 2) end
  return torch.cat(views, 1)
end

--- Copies consecutive slices of the 1-D tensor vec into the parameters (in
-- place, unrecorded); vec must have exactly as many elements as they have.
-- PyTorch makes the parameters views of vec instead; here they keep their
-- own memory.
function utils.vector_to_parameters(vec, parameters)
  if not torch.is_tensor(vec) then error("vector_to_parameters: expected a tensor, got " .. type(vec), 2) end
  if vec:dim() ~= 1 then
    error(string.format("vector_to_parameters: expected a 1-D vector, got shape %s", table.concat(vec.shape, "x")), 2)
  end
  local params = as_list("vector_to_parameters", parameters)
  local total = 0
  for _, p in ipairs(params) do total = total + p:numel() end
  if total ~= vec:numel() then
    error(string.format("vector_to_parameters: the vector has %d elements, the parameters %d", vec:numel(), total), 2)
  end
  torch.no_grad(function()
    local offset = 0
    for _, p in ipairs(params) do
      local n = p:numel()
      p:copy_(vec:narrow(1, offset + 1, n):view_as(p))
      offset = offset + n
    end
  end)
end

torch.doc(utils, "nn.utils", "clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters.")
torch.doc(utils.clip_grad_norm_, "nn.utils.clip_grad_norm_(parameters, max_norm, {norm_type=2, "
  .. "error_if_nonfinite=false})", "Scales the gradients so their total norm is at most max_norm; returns "
  .. "the total norm before clipping (norm_type may be math.huge or 'inf').",
  [[
local fc = nn.Linear(4, 1)
local loss = (fc(torch.ones(2, 4)) * 100):sum()
loss:backward()
local total = nn.utils.clip_grad_norm_(fc:parameters(), 1.0)
print(total, nn.utils.parameters_to_vector({fc.weight.grad, fc.bias.grad}):norm())   -- before, after]])
torch.doc(utils.clip_grad_value_, "nn.utils.clip_grad_value_(parameters, clip_value)",
  "Clamps every gradient to [-clip_value, clip_value] in place.",
  [[
local w = torch.zeros(3, {requires_grad = true})
local loss = (w * torch.tensor({-5.0, 0.5, 5.0})):sum()
loss:backward()
nn.utils.clip_grad_value_({w}, 1.0)
print(w.grad)]])
torch.doc(utils.parameters_to_vector, "nn.utils.parameters_to_vector(parameters)",
  "The parameters flattened into one 1-D tensor.",
  [[
local fc = nn.Linear(3, 2)
print(nn.utils.parameters_to_vector(fc:parameters()).shape[1])   -- 3 * 2 weights + 2 biases]])
torch.doc(utils.vector_to_parameters, "nn.utils.vector_to_parameters(vec, parameters)",
  "Copies consecutive slices of vec into the parameters.",
  [[
local fc = nn.Linear(2, 1)
nn.utils.vector_to_parameters(torch.tensor({1.0, 2.0, 3.0}), fc:parameters())
print(fc.weight, fc.bias)]])

return utils
