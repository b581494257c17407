-- ConvNd.lua — what Conv1d, Conv2d, ConvTranspose1d and ConvTranspose2d share
-- (PyTorch's _ConvNd): reading the constructor's arguments into per-dim
-- tuples, the weight layout, PyTorch's default initialisation, the forward
-- call and the repr.  Each class file only names its dims and direction.
--
-- Layouts are PyTorch's, so state_dicts move both ways: a convolution's weight
-- is (out, in/groups, k...), a transposed one's (in, out/groups, k...).
local torch = require "torch"
local nn = require "nn"

local ConvNd = nn.Module:extend("_ConvNd")

-- Raises "Conv2d: ..." at `level` as error() counts from fail's caller
-- (the user's code is 4 levels above _setup: init, the class call, the user).
local function fail(self, level, fmt, ...)
  error(self:_type() .. ": " .. string.format(fmt, ...), level + 1)
end
local SETUP = 4

-- A per-dim argument as a list of n integers (a number stands for all of
-- them), each at least `min`.
local function tuple(self, name, v, n, min)
  local out = {}
  if math.type(v) == "integer" then
    for d = 1, n do out[d] = v end
  elseif type(v) == "table" and #v == n then
    for d = 1, n do out[d] = v[d] end
  end
  for d = 1, n do
    if math.type(out[d]) ~= "integer" or out[d] < min then
      fail(self, SETUP + 1, "%s must be an integer >= %d or a table of %d of them, got %s", name, min, n,
        tostring(v))
    end
  end
  return out
end

local OPTIONS = {stride = true, padding = true, dilation = true, groups = true, bias = true, padding_mode = true,
  dtype = true}

-- The constructor of every convolution class: nspatial 1 or 2, transposed or not.
function ConvNd:_setup(nspatial, transposed, in_channels, out_channels, kernel_size, opts)
  opts = opts or {}
  if type(opts) ~= "table" then fail(self, SETUP, "expected an options table, got %s", type(opts)) end
  for k in pairs(opts) do
    if not OPTIONS[k] and not (transposed and k == "output_padding") then
      fail(self, SETUP, "unknown option '%s'", tostring(k))
    end
  end
  for _, arg in ipairs {{"in_channels", in_channels}, {"out_channels", out_channels}} do
    if math.type(arg[2]) ~= "integer" or arg[2] < 1 then
      fail(self, SETUP, "%s must be a positive integer, got %s", arg[1], tostring(arg[2]))
    end
  end
  local groups = opts.groups or 1
  if math.type(groups) ~= "integer" or groups < 1 then
    fail(self, SETUP, "groups must be a positive integer, got %s", tostring(groups))
  end
  for _, arg in ipairs {{"in_channels", in_channels}, {"out_channels", out_channels}} do
    if arg[2] % groups ~= 0 then
      fail(self, SETUP, "%s (%d) must be divisible by groups (%d)", arg[1], arg[2], groups)
    end
  end
  local mode = opts.padding_mode or "zeros"
  if mode ~= "zeros" then fail(self, SETUP, "padding_mode '%s' is not supported (only 'zeros')", tostring(mode)) end

  self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
  self.transposed, self.padding_mode = transposed, mode
  self.kernel_size = tuple(self, "kernel_size", kernel_size, nspatial, 1)
  self.stride = tuple(self, "stride", opts.stride or 1, nspatial, 1)
  self.dilation = tuple(self, "dilation", opts.dilation or 1, nspatial, 1)
  self.output_padding = tuple(self, "output_padding", opts.output_padding or 0, nspatial, 0)
  local padding = opts.padding or 0
  if type(padding) == "string" then
    if transposed or (padding ~= "same" and padding ~= "valid") then
      fail(self, SETUP, "padding must be an integer or a table of %d%s, got '%s'", nspatial,
        transposed and "" or ", 'valid' or 'same'", padding)
    end
    for d = 1, nspatial do
      if padding == "same" and self.stride[d] ~= 1 then
        fail(self, SETUP, "padding='same' is not supported for strided convolutions")
      end
    end
    self.padding = padding
  else
    self.padding = tuple(self, "padding", padding, nspatial, 0)
  end

  local shape = transposed and {in_channels, out_channels // groups} or {out_channels, in_channels // groups}
  for d = 1, nspatial do shape[2 + d] = self.kernel_size[d] end
  self.weight = nn.Parameter(torch.empty(shape, {dtype = opts.dtype}))
  if opts.bias == false then
    self:register_parameter("bias", nil)
  else
    self.bias = nn.Parameter(torch.empty(out_channels, {dtype = opts.dtype}))
  end
  local fn = (transposed and "conv_transpose" or "conv") .. nspatial .. "d"
  rawset(self, "_fn", nn.functional[fn])
  self:reset_parameters()
end

--- PyTorch's default: W from kaiming_uniform_ with a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
-- and the bias from the same range (fan_in from the weight's dim 2 on, for both directions).
function ConvNd:reset_parameters()
  nn.init.kaiming_uniform_(self.weight, {a = math.sqrt(5)})
  if self.bias then
    local fan_in = nn.init._calculate_fan_in_and_fan_out(self.weight)
    if fan_in > 0 then
      local bound = 1 / math.sqrt(fan_in)
      nn.init.uniform_(self.bias, -bound, bound)
    end
  end
end

function ConvNd:_options(output_padding)
  local opts = {stride = self.stride, padding = self.padding, dilation = self.dilation, groups = self.groups}
  if self.transposed then opts.output_padding = output_padding or self.output_padding end
  return opts
end

-- ConvTranspose's output_size: the output_padding that gives that size (each
-- spatial size between the smallest the input allows and stride - 1 more).
local function output_padding_for(self, x, output_size)
  local n = #self.kernel_size
  if type(output_size) ~= "table" or (#output_size ~= n and #output_size ~= n + 2 and #output_size ~= n + 1) then
    fail(self, 3, "output_size must be a table of %d sizes (or the full output shape)", n)
  end
  local pads = {}
  for d = 1, n do
    local want = output_size[#output_size - n + d]
    local smallest = (x:size(x:dim() - n + d) - 1) * self.stride[d] - 2 * self.padding[d]
      + self.dilation[d] * (self.kernel_size[d] - 1) + 1
    local largest = smallest + self.stride[d] - 1
    if math.type(want) ~= "integer" or want < smallest or want > largest then
      fail(self, 3, "requested an output size of %s in dim %d, but valid sizes range from %d to %d "
        .. "(for an input of %s)", tostring(want), d, smallest, largest, table.concat(x.shape, "x"))
    end
    pads[d] = want - smallest
  end
  return pads
end

--- y = the convolution of x with weight, plus bias; a transposed layer takes
-- an optional output_size to choose among the sizes a stride allows.
function ConvNd:forward(x, output_size)
  local output_padding
  if output_size ~= nil then
    if not self.transposed then fail(self, 2, "output_size is only for transposed convolutions") end
    if not torch.is_tensor(x) then fail(self, 2, "expected a tensor input, got %s", type(x)) end
    output_padding = output_padding_for(self, x, output_size)
  end
  return rawget(self, "_fn")(x, self.weight, self.bias, self:_options(output_padding))
end

-- "(5, 5)" and "(5,)", as Python prints tuples.
local function tuple_text(t)
  if type(t) ~= "table" then return tostring(t) end
  if #t == 1 then return "(" .. t[1] .. ",)" end
  return "(" .. table.concat(t, ", ") .. ")"
end

local function all_equal(t, v)
  if type(t) ~= "table" then return false end
  for _, x in ipairs(t) do if x ~= v then return false end end
  return true
end

--- PyTorch's text: "1, 6, kernel_size=(5, 5), stride=(1, 1)" and the options that differ from the defaults.
function ConvNd:extra_repr()
  local s = string.format("%d, %d, kernel_size=%s, stride=%s", self.in_channels, self.out_channels,
    tuple_text(self.kernel_size), tuple_text(self.stride))
  if not all_equal(self.padding, 0) then s = s .. ", padding=" .. tuple_text(self.padding) end
  if not all_equal(self.dilation, 1) then s = s .. ", dilation=" .. tuple_text(self.dilation) end
  if not all_equal(self.output_padding, 0) then s = s .. ", output_padding=" .. tuple_text(self.output_padding) end
  if self.groups ~= 1 then s = s .. ", groups=" .. self.groups end
  if not self.bias then s = s .. ", bias=False" end
  return s
end

--- A convolution class: `name` over nspatial dims, transposed or not, with its help text.
function ConvNd.class(name, nspatial, transposed, signature, text, example)
  local cls = ConvNd:extend(name)
  function cls:init(in_channels, out_channels, kernel_size, opts)
    self:_setup(nspatial, transposed, in_channels, out_channels, kernel_size, opts)
  end
  return torch.doc(cls, signature, text, example)
end

return ConvNd
