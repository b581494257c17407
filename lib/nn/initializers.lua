-- initializers.lua — nn.init: the weight initialisations of PyTorch's
-- torch.nn.init, filling a tensor in place (without recording gradients) and
-- returning it.  The distributions and their scale formulas are PyTorch's;
-- the random stream is luagrad's own (torch.manual_seed makes it reproducible).
--
-- (The file is not called init.lua because require "nn.init" would find
-- lib/nn/init.lua, the nn package itself.)
local torch = require "torch"

local init = {}
torch.doc(init, "nn.init", "Weight initialisations (in place, no gradient recorded), as torch.nn.init.")

local function in_place(name, fill)
  init[name] = function(t, ...)
    if not torch.is_tensor(t) then error("nn.init." .. name .. ": expected a tensor, got " .. type(t), 2) end
    local args = table.pack(...)
    torch.no_grad(function() fill(t, table.unpack(args, 1, args.n)) end)
    return t
  end
  return init[name]
end

--- The recommended gain for a nonlinearity (PyTorch's table).
function init.calculate_gain(nonlinearity, param)
  local linear = {linear = true, identity = true, sigmoid = true, conv1d = true, conv2d = true, conv3d = true,
    conv_transpose1d = true, conv_transpose2d = true, conv_transpose3d = true}
  if linear[nonlinearity] then return 1 end
  if nonlinearity == "tanh" then return 5 / 3 end
  if nonlinearity == "relu" then return math.sqrt(2) end
  if nonlinearity == "selu" then return 3 / 4 end
  if nonlinearity == "leaky_relu" then
    local slope = param or 0.01
    if type(slope) ~= "number" then error("nn.init.calculate_gain: negative_slope must be a number", 2) end
    return math.sqrt(2 / (1 + slope * slope))
  end
  error("nn.init.calculate_gain: unsupported nonlinearity '" .. tostring(nonlinearity) .. "'", 2)
end

--- fan_in and fan_out of a weight: (out, in, k...) has fan_in = in * prod(k).
function init._calculate_fan_in_and_fan_out(t)
  local dims = t:dim()
  if dims < 2 then
    error("nn.init: fan in and fan out need a tensor of at least 2 dims, got " .. dims, 3)
  end
  local receptive = 1
  for d = 3, dims do receptive = receptive * t:size(d) end
  return t:size(2) * receptive, t:size(1) * receptive
end

local function fan(t, mode)
  local fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
  if mode == "fan_in" then return fan_in end
  if mode == "fan_out" then return fan_out end
  error("nn.init: mode must be \"fan_in\" or \"fan_out\", got " .. tostring(mode), 4)
end

local function check_options(fn, opts, known)
  for k in pairs(opts) do
    if not known[k] then error("nn.init." .. fn .. ": unknown option '" .. tostring(k) .. "'", 4) end
  end
end

in_place("uniform_", function(t, a, b) t:uniform_(a or 0, b or 1) end)
in_place("normal_", function(t, mean, std) t:normal_(mean or 0, std or 1) end)
in_place("constant_", function(t, value) t:fill_(value) end)
in_place("zeros_", function(t) t:zero_() end)
in_place("ones_", function(t) t:fill_(1) end)
in_place("eye_", function(t)
  if t:dim() ~= 2 then error("nn.init.eye_: expected a 2-dim tensor, got " .. t:dim() .. " dims", 4) end
  t:copy_(torch.eye(t:size(1), t:size(2)))
end)

in_place("xavier_uniform_", function(t, opts)
  opts = opts or {}
  check_options("xavier_uniform_", opts, {gain = true})
  local fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
  local bound = (opts.gain or 1) * math.sqrt(6 / (fan_in + fan_out))
  t:uniform_(-bound, bound)
end)

in_place("xavier_normal_", function(t, opts)
  opts = opts or {}
  check_options("xavier_normal_", opts, {gain = true})
  local fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
  t:normal_(0, (opts.gain or 1) * math.sqrt(2 / (fan_in + fan_out)))
end)

local KAIMING = {a = true, mode = true, nonlinearity = true}
local function kaiming_std(name, t, opts)
  opts = opts or {}
  check_options(name, opts, KAIMING)
  local gain = init.calculate_gain(opts.nonlinearity or "leaky_relu", opts.a or 0)
  return gain / math.sqrt(fan(t, opts.mode or "fan_in"))
end

in_place("kaiming_uniform_", function(t, opts)
  local bound = math.sqrt(3) * kaiming_std("kaiming_uniform_", t, opts)
  t:uniform_(-bound, bound)
end)

in_place("kaiming_normal_", function(t, opts)
  t:normal_(0, kaiming_std("kaiming_normal_", t, opts))
end)

-- A (semi-)orthogonal matrix from the QR factorisation of a Gaussian one, as
-- PyTorch does; Q comes from Gram-Schmidt run twice per column (CGS2, stable
-- to working precision), whose R has a positive diagonal, so no sign fix is needed.
local function orthonormal_columns(rows, cols)
  local a = torch.randn(rows, cols, {dtype = "float64"})
  local q = torch.zeros(rows, cols, {dtype = "float64"})
  for j = 1, cols do
    local v = a:select(2, j)
    if j > 1 then
      local basis = q:narrow(2, 1, j - 1)
      for _ = 1, 2 do v = v - basis:mv(basis:t():mv(v)) end
    end
    q:select(2, j):copy_(v / v:norm())
  end
  return q
end

in_place("orthogonal_", function(t, opts)
  opts = opts or {}
  check_options("orthogonal_", opts, {gain = true})
  if t:dim() < 2 then error("nn.init.orthogonal_: expected at least 2 dims, got " .. t:dim(), 4) end
  local rows = t:size(1)
  local cols = t:numel() // rows
  local q
  if rows < cols then q = orthonormal_columns(cols, rows):t() else q = orthonormal_columns(rows, cols) end
  t:copy_((q * (opts.gain or 1)):reshape(t.shape))
end)

local DOCS = {
  uniform_ = {"nn.init.uniform_(t, a=0, b=1)", "Fills t from U(a, b).",
    [[
torch.manual_seed(0)
print(nn.init.uniform_(torch.empty(4), -1, 1))]]},
  normal_ = {"nn.init.normal_(t, mean=0, std=1)", "Fills t from N(mean, std^2).",
    [[
torch.manual_seed(0)
print(nn.init.normal_(torch.empty(4), 0, 0.01))]]},
  constant_ = {"nn.init.constant_(t, value)", "Fills t with value.",
    [[
print(nn.init.constant_(torch.empty(2, 2), 0.5))]]},
  zeros_ = {"nn.init.zeros_(t)", "Fills t with 0.",
    [[
local fc = nn.Linear(3, 2)
nn.init.zeros_(fc.bias)
print(fc.bias)]]},
  ones_ = {"nn.init.ones_(t)", "Fills t with 1.",
    [[
print(nn.init.ones_(torch.empty(3)))]]},
  eye_ = {"nn.init.eye_(t)", "Fills a 2-dim t with the identity matrix.",
    [[
print(nn.init.eye_(torch.empty(2, 3)))]]},
  xavier_uniform_ = {"nn.init.xavier_uniform_(t, {gain=1})",
    "Glorot: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)).",
    [[
torch.manual_seed(0)
local w = nn.init.xavier_uniform_(torch.empty(100, 50))
print(w:abs():max():item() <= math.sqrt(6 / 150))]]},
  xavier_normal_ = {"nn.init.xavier_normal_(t, {gain=1})",
    "Glorot: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).",
    [[
torch.manual_seed(0)
local w = nn.init.xavier_normal_(torch.empty(200, 200))
print(string.format("std %.3f, expected %.3f", w:std():item(), math.sqrt(2 / 400)))]]},
  kaiming_uniform_ = {"nn.init.kaiming_uniform_(t, {a=0, mode=\"fan_in\", nonlinearity=\"leaky_relu\"})",
    "He: U(-b, b) with b = gain * sqrt(3 / fan); what Linear and Conv use with a = sqrt(5).",
    [[
torch.manual_seed(0)
local w = nn.init.kaiming_uniform_(torch.empty(64, 32), {nonlinearity = "relu"})
print(w:abs():max():item() <= math.sqrt(2) * math.sqrt(3 / 32))]]},
  kaiming_normal_ = {"nn.init.kaiming_normal_(t, {a=0, mode=\"fan_in\", nonlinearity=\"leaky_relu\"})",
    "He: N(0, std^2) with std = gain / sqrt(fan).",
    [[
torch.manual_seed(0)
local w = nn.init.kaiming_normal_(torch.empty(256, 128), {mode = "fan_out", nonlinearity = "relu"})
print(string.format("std %.3f, expected %.3f", w:std():item(), math.sqrt(2 / 256)))]]},
  orthogonal_ = {"nn.init.orthogonal_(t, {gain=1})",
    "A (semi-)orthogonal matrix (t flattened to size(1) rows), scaled by gain.",
    [[
torch.manual_seed(0)
local q = nn.init.orthogonal_(torch.empty(3, 3))
print(q:matmul(q:t()))   -- the identity, to rounding]]},
}
for name, d in pairs(DOCS) do torch.doc(init[name], d[1], d[2], d[3]) end
torch.doc(init.calculate_gain, "nn.init.calculate_gain(nonlinearity, param)",
  "The recommended gain: 1 for linear/conv/sigmoid, 5/3 tanh, sqrt(2) relu, sqrt(2/(1+slope^2)) leaky_relu.",
  [[
print(nn.init.calculate_gain("relu"), nn.init.calculate_gain("tanh"))
print(nn.init.calculate_gain("leaky_relu", 0.2))]])
torch.doc(init._calculate_fan_in_and_fan_out, "nn.init._calculate_fan_in_and_fan_out(t)",
  "fan_in and fan_out of a weight of shape (out, in, k...): in*prod(k) and out*prod(k).")

return init
