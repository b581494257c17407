-- nn.functional.activation — the activation functions of nn.functional (F).
--
-- relu, gelu, silu, sigmoid, tanh, softmax and log_softmax are tensor ops of
-- torch; leaky_relu, elu, softplus and hardtanh are the C kernels of
-- vm/bind_activation.c, which read PyTorch's arguments (positional, or in an
-- options table, with `inplace`) themselves.  The in-place forms end in _.
local torch = require "torch"

local M = {}

-- The `inplace` flag of F.relu(x, true) or F.relu(x, {inplace = true}).
local function inplace_flag(fn, arg)
  if arg == nil or type(arg) == "boolean" then return arg == true end
  if type(arg) == "table" and not torch.is_tensor(arg) then
    for k in pairs(arg) do
      if k ~= "inplace" then error(string.format("%s: unknown option '%s'", fn, tostring(k)), 3) end
    end
    return arg.inplace == true
  end
  error(string.format("%s: expected inplace (a boolean or {inplace = true}), got %s", fn, type(arg)), 3)
end

--- max(x, 0).
function M.relu(x, inplace)
  if inplace_flag("relu", inplace) then return x:relu_() end
  return torch.relu(x)
end
torch.doc(M.relu, "F.relu(x, [inplace=false])", "max(x, 0) elementwise; inplace writes into x.",
  [[
print(F.relu(torch.tensor({-1.0, 0.0, 2.0})))]])

function M.relu_(x) return x:relu_() end
torch.doc(M.relu_, "F.relu_(x)", "In-place relu; returns x.",
  [[
local x = torch.tensor({-1.0, 0.5})
F.relu_(x)
print(x)]])

--- x sigmoid(x).
function M.silu(x, inplace)
  if inplace_flag("silu", inplace) then return x:silu_() end
  return torch.silu(x)
end
torch.doc(M.silu, "F.silu(x, [inplace=false])", "x * sigmoid(x) (swish) elementwise; inplace writes into x.",
  [[
print(F.silu(torch.tensor({-1.0, 0.0, 1.0})))]])

--- x Phi(x), exactly or with the tanh formula.
function M.gelu(x, approximate)
  if type(approximate) == "string" then approximate = {approximate = approximate} end
  if approximate ~= nil and (type(approximate) ~= "table" or torch.is_tensor(approximate)) then
    error("gelu: expected approximate as a string or {approximate = ...}", 2)
  end
  for k in pairs(approximate or {}) do
    if k ~= "approximate" then error(string.format("gelu: unknown option '%s'", tostring(k)), 2) end
  end
  return torch.gelu(x, approximate)
end
torch.doc(M.gelu, 'F.gelu(x, [approximate="none"])',
  'The Gaussian error linear unit x * Phi(x); approximate = "tanh" uses the tanh formula.',
  [[
local x = torch.tensor({-1.0, 0.0, 1.0})
print(F.gelu(x))
print(F.gelu(x, "tanh"))]])

function M.sigmoid(x) return torch.sigmoid(x) end
torch.doc(M.sigmoid, "F.sigmoid(x)", "1 / (1 + exp(-x)) elementwise.",
  [[
print(F.sigmoid(torch.tensor({-2.0, 0.0, 2.0})))]])

function M.tanh(x) return torch.tanh(x) end
torch.doc(M.tanh, "F.tanh(x)", "The hyperbolic tangent, elementwise.",
  [[
print(F.tanh(torch.tensor({-1.0, 0.0, 1.0})))]])

-- The dim and options of softmax(x, dim, {dtype=}) or softmax(x, {dim=, dtype=});
-- without a dim, PyTorch's legacy choice (with a warning there): the first
-- dim for 0-, 1- and 3-dim inputs, else the second.
local function softmax_args(fn, x, dim, opts)
  if type(dim) == "table" then dim, opts = dim.dim, dim end
  for k in pairs(opts or {}) do
    if k ~= "dim" and k ~= "dtype" then error(string.format("%s: unknown option '%s'", fn, tostring(k)), 3) end
  end
  if dim == nil then
    local n = torch.is_tensor(x) and x:dim() or 0
    dim = (n == 0 or n == 1 or n == 3) and 1 or 2
  end
  return dim, opts and opts.dtype and {dtype = opts.dtype} or nil
end

--- exp(x) / sum(exp(x)) along dim.
function M.softmax(x, dim, opts) return torch.softmax(x, softmax_args("softmax", x, dim, opts)) end
torch.doc(M.softmax, "F.softmax(x, dim, {dtype=})",
  "exp(x) / sum(exp(x)) along dim (1-based), computed stably; without dim, PyTorch's legacy choice "
    .. "(dim 1 for 0-, 1- and 3-dim inputs, else dim 2).",
  [[
local x = torch.tensor({{1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}})
print(F.softmax(x, 2))          -- each row sums to 1]])

--- log(softmax(x)) along dim.
function M.log_softmax(x, dim, opts) return torch.log_softmax(x, softmax_args("log_softmax", x, dim, opts)) end
torch.doc(M.log_softmax, "F.log_softmax(x, dim, {dtype=})",
  "log(softmax(x)) along dim (1-based), as x - max - log(sum(exp(x - max))).",
  [[
print(F.log_softmax(torch.tensor({1.0, 2.0, 3.0}), 1))]])

M.leaky_relu = torch.leaky_relu
M.leaky_relu_ = torch.leaky_relu_
M.elu = torch.elu
M.elu_ = torch.elu_
M.softplus = torch.softplus
M.hardtanh = torch.hardtanh
M.hardtanh_ = torch.hardtanh_

return M
