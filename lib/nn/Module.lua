-- Module.lua — nn.Module, the base class of every layer and model, and the
-- class helper users write models with:
--
--   local Net = nn.Module:extend("Net")
--   function Net:init() self.fc1 = nn.Linear(784, 128); self.fc2 = nn.Linear(128, 10) end
--   function Net:forward(x) return self.fc2(F.relu(self.fc1(x:flatten(2)))) end
--   local net = Net()            -- calls init; net(x) calls forward
--
-- A class is the metatable of its instances.  An instance keeps its
-- parameters, buffers and submodules in one ordered registry (_names in
-- assignment order, _kinds, _values) rather than as raw fields, so that
-- assigning `self.fc1 = nn.Linear(...)` passes through __newindex, which
-- registers it, and reading `self.fc1` passes through __index, which finds it.
-- Everything else (`self.training`, plain numbers) is a raw field.
local torch = require "torch"
local nn = require "nn"
local Parameter = require "nn.Parameter"

local Module = {__name = "Module"}

local function is_module(v)
  return type(v) == "table" and rawget(v, "_values") ~= nil
end
Module.is_module = is_module
torch.doc(is_module, "nn.Module.is_module(v)", "True when v is a module (an instance of nn.Module or a subclass).",
  [[
print(nn.Module.is_module(nn.Linear(2, 2)), nn.Module.is_module(torch.zeros(2)))]])

local function class_of(self) return getmetatable(self) end

local function instance_index(self, k)
  local v = rawget(self, "_values")[k]
  if v ~= nil then return v end
  return class_of(self)[k]
end

local KIND_CHECK = {
  parameter = function(v) return v == nil or Parameter.is_parameter(v) end,
  buffer = function(v) return v == nil or torch.is_tensor(v) end,
  module = function(v) return v == nil or is_module(v) end,
}
local KIND_EXPECTED = {parameter = "nn.Parameter or nil", buffer = "a tensor or nil", module = "a Module or nil"}

local function shape_text(t)
  local s = t.shape
  if #s == 0 then return "[] (a scalar)" end
  return table.concat(s, "x")
end

local function is_floating(t) return t.dtype == "float32" or t.dtype == "float64" end

local function describe(v)
  if torch.is_tensor(v) then return "a tensor" end
  return "a " .. type(v)
end

-- Registers (or replaces) a member; the name keeps its first position.
local function register(self, kind, name, value)
  local kinds = rawget(self, "_kinds")
  if kinds[name] == nil then
    if rawget(self, name) ~= nil or (type(name) == "string" and name:match "^_") then
      error(string.format("%s: cannot register %s '%s': the name is taken", self:_type(), kind, name), 3)
    end
    local names = rawget(self, "_names")
    names[#names + 1] = name
    kinds[name] = kind
  end
  rawget(self, "_values")[name] = value
end

local function instance_newindex(self, k, v)
  local kind = rawget(self, "_kinds")[k]
  if kind then
    if not KIND_CHECK[kind](v) then
      error(string.format("%s: cannot assign %s as %s '%s' (%s expected)", self:_type(), describe(v), kind, k,
        KIND_EXPECTED[kind]), 2)
    end
    rawget(self, "_values")[k] = v
  elseif Parameter.is_parameter(v) then
    register(self, "parameter", k, v)
  elseif is_module(v) then
    register(self, "module", k, v)
  else
    rawset(self, k, v)
  end
end

-- Metamethods are read raw from the metatable, so every class carries its own
-- copy (inherited from its parent by extend).
local METAMETHODS = {"__index", "__newindex", "__call", "__tostring", "__len", "__close"}

Module.__index = instance_index
Module.__newindex = instance_newindex
Module.__call = function(self, ...) return self:forward(...) end
Module.__tostring = function(self) return self:_repr() end

local function construct(cls, ...)
  local self = {_names = {}, _kinds = {}, _values = {}, training = true}
  setmetatable(self, cls)
  self:init(...)
  return self
end

--- A subclass named `name`; define its init(...) and forward(...).
function Module:extend(name)
  if type(name) ~= "string" then error("Module:extend: the class needs a name (a string)", 2) end
  local cls = {__name = name}
  for _, mm in ipairs(METAMETHODS) do cls[mm] = self[mm] end
  return setmetatable(cls, {__index = self, __call = construct,
    __tostring = function() return "class " .. name end})
end
torch.doc(Module.extend, "nn.Module:extend(name)",
  "A new module class: define cls:init(...) (assigning submodules and nn.Parameters as fields) and "
    .. "cls:forward(...); calling the class makes an instance, calling an instance runs forward.",
  [[
local Net = nn.Module:extend("Net")
function Net:init(hidden)
  self.fc1 = nn.Linear(4, hidden)
  self.fc2 = nn.Linear(hidden, 2)
end
function Net:forward(x) return self.fc2(F.relu(self.fc1(x))) end
torch.manual_seed(0)
local net = Net(8)
print(net)
print(net(torch.randn(3, 4)))]])

setmetatable(Module, {__call = construct, __tostring = function() return "class Module" end})
torch.doc(Module, "nn.Module",
  "The base class of every layer and model. Subclass it with nn.Module:extend(name); fields assigned "
    .. "an nn.Parameter or a module register themselves, in assignment order, under PyTorch's dotted names.",
  [[
local Affine = nn.Module:extend("Affine")
function Affine:init(n)
  self.scale = nn.Parameter(torch.ones(n))
  self.shift = nn.Parameter(torch.zeros(n))
end
function Affine:forward(x) return x * self.scale + self.shift end
local m = Affine(3)
print(m, #m:parameters())
print(m(torch.tensor({1.0, 2.0, 3.0})))]])

function Module:init() end

function Module:forward()
  error(self:_type() .. ": forward is not defined (define " .. self:_type() .. ":forward)", 2)
end
torch.doc(Module.forward, "module:forward(...)",
  "The computation, defined by each class; calling the module, module(...), runs it.",
  [[
local Double = nn.Module:extend("Double")
function Double:forward(x) return 2 * x end
local m = Double()
print(m(torch.tensor({1.0, 2.0})), m:forward(torch.tensor({3.0})))]])

--- The class name ("Linear", "Net").
function Module:_type() return class_of(self).__name end

--- Text shown inside the parentheses of the module's repr; layers override it.
function Module:extra_repr() return "" end
torch.doc(Module.extra_repr, "module:extra_repr()",
  "The text inside the parentheses of the module's printed form; a class overrides it to show its settings.",
  [[
local Scale = nn.Module:extend("Scale")
function Scale:init(k) self.k = k end
function Scale:forward(x) return x * self.k end
function Scale:extra_repr() return "k=" .. self.k end
print(Scale(3))]])

-- registration -------------------------------------------------------------

--- Adds a parameter (or nil, which keeps the name with no value, like PyTorch's None).
function Module:register_parameter(name, p)
  if not KIND_CHECK.parameter(p) then
    error(string.format("%s.register_parameter: '%s' must be an nn.Parameter or nil, got %s", self:_type(), name,
      describe(p)), 2)
  end
  register(self, "parameter", name, p)
end

--- Adds a buffer: a tensor saved in state_dict but not trained (running statistics).
-- `{persistent = false}` keeps it out of state_dict.
function Module:register_buffer(name, t, opts)
  if not KIND_CHECK.buffer(t) then
    error(string.format("%s.register_buffer: '%s' must be a tensor or nil, got %s", self:_type(), name, describe(t)),
      2)
  end
  register(self, "buffer", name, t)
  if opts and opts.persistent == false then
    rawset(self, "_non_persistent", rawget(self, "_non_persistent") or {})
    rawget(self, "_non_persistent")[name] = true
  end
end

--- Adds a submodule under `name` (what assigning a field does).
function Module:add_module(name, m)
  if not KIND_CHECK.module(m) then
    error(string.format("%s.add_module: '%s' must be a Module or nil, got %s", self:_type(), name, describe(m)), 2)
  end
  register(self, "module", tostring(name), m)
end
Module.register_module = Module.add_module

torch.doc(Module.register_parameter, "module:register_parameter(name, p)",
  "Registers an nn.Parameter (or nil) under name; assigning self.name = nn.Parameter(t) does the same.",
  [[
local m = nn.Module()
m:register_parameter("scale", nn.Parameter(torch.ones(2)))
m:register_parameter("shift", nil)            -- a name with no value, PyTorch's None
for name, p in m:named_parameters() do print(name, p) end]])
torch.doc(Module.register_buffer, "module:register_buffer(name, t, {persistent=true})",
  "Registers a tensor saved in state_dict but not returned by parameters() (e.g. running statistics).",
  [[
local m = nn.Module()
m:register_buffer("count", torch.zeros(1))
m:register_buffer("scratch", torch.zeros(3), {persistent = false})
print(#m:parameters(), #m:buffers())
for name in pairs(m:state_dict()) do print(name) end   -- only the persistent one]])
torch.doc(Module.add_module, "module:add_module(name, m)", "Registers a submodule under name.",
  [[
local m = nn.Module()
m:add_module("encoder", nn.Linear(4, 2))
print(m)]])

-- traversal ------------------------------------------------------------------

-- The name a child is known by in PyTorch's dotted paths: positional
-- containers (Sequential, ModuleList) override it to count from 0.
function Module:_child_key_zero_based(name) return name end

-- Calls visit(prefix .. name, value) for each member of the given kind, in order.
local function each_member(self, kind, visit)
  local kinds, values = rawget(self, "_kinds"), rawget(self, "_values")
  for _, name in ipairs(rawget(self, "_names")) do
    if kinds[name] == kind and values[name] ~= nil then visit(name, values[name]) end
  end
end

-- All (path, module) pairs, self first, depth first in registration order;
-- a module reachable twice is listed once.
local function walk_modules(self, prefix, zero_based, out, seen)
  if seen[self] then return out end
  seen[self] = true
  out[#out + 1] = {prefix, self}
  each_member(self, "module", function(name, m)
    local key = zero_based and self:_child_key_zero_based(name) or name
    walk_modules(m, prefix == "" and key or prefix .. "." .. key, zero_based, out, seen)
  end)
  return out
end

-- (path, tensor) pairs of one kind across the tree, each tensor once.
local function walk_tensors(self, kind, opts)
  opts = opts or {}
  local modules = opts.recurse == false and {{"", self}} or walk_modules(self, "", opts.zero_based, {}, {})
  local out, seen = {}, {}
  for _, entry in ipairs(modules) do
    local path, m = entry[1], entry[2]
    local skip = kind == "buffer" and opts.persistent_only and rawget(m, "_non_persistent") or {}
    each_member(m, kind, function(name, t)
      if not seen[t] and not skip[name] then
        seen[t] = true
        out[#out + 1] = {path == "" and name or path .. "." .. name, t}
      end
    end)
  end
  return out
end

local function pairs_iterator(list, prefix)
  local i = 0
  prefix = (prefix and prefix ~= "") and prefix .. "." or ""
  return function()
    i = i + 1
    local e = list[i]
    if e then return prefix .. e[1], e[2] end
  end
end

local function values_of(list)
  local out = {}
  for i, e in ipairs(list) do out[i] = e[2] end
  return out
end

--- A flat list of the parameters of this module and its submodules (each once).
function Module:parameters(opts) return values_of(walk_tensors(self, "parameter", opts)) end

--- Iterator over (dotted name, parameter): `for name, p in m:named_parameters() do`.
function Module:named_parameters(opts)
  return pairs_iterator(walk_tensors(self, "parameter", opts), opts and opts.prefix)
end

function Module:buffers(opts) return values_of(walk_tensors(self, "buffer", opts)) end

function Module:named_buffers(opts)
  return pairs_iterator(walk_tensors(self, "buffer", opts), opts and opts.prefix)
end

--- The direct submodules, in registration order.
function Module:children()
  local out = {}
  each_member(self, "module", function(_, m) out[#out + 1] = m end)
  return out
end

function Module:named_children()
  local list = {}
  each_member(self, "module", function(name, m) list[#list + 1] = {name, m} end)
  return pairs_iterator(list)
end

--- Every module of the tree, self first.
function Module:modules() return values_of(walk_modules(self, "", false, {}, {})) end

--- Iterator over (dotted path, module), self first with path "".
function Module:named_modules() return pairs_iterator(walk_modules(self, "", false, {}, {})) end

torch.doc(Module.parameters, "module:parameters({recurse=true})",
  "A flat list of the module's parameters and its submodules' (a shared parameter appears once).",
  [[
local model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
local n = 0
for _, p in ipairs(model:parameters()) do n = n + p:numel() end
print(#model:parameters(), n)]])
torch.doc(Module.named_parameters, "module:named_parameters({prefix=, recurse=true})",
  "Iterator over (name, parameter) with PyTorch's dotted names: for name, p in m:named_parameters() do ... end.",
  [[
local model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
for name, p in model:named_parameters() do print(name, table.concat(p.shape, "x")) end]])
torch.doc(Module.buffers, "module:buffers({recurse=true})", "A flat list of the module tree's buffers.",
  [[
local model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
print(#model:buffers())      -- running_mean, running_var, num_batches_tracked]])
torch.doc(Module.named_buffers, "module:named_buffers({prefix=, recurse=true})",
  "Iterator over (name, buffer).",
  [[
local model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
for name, b in model:named_buffers() do print(name, b.dtype) end]])
torch.doc(Module.children, "module:children()", "The direct submodules, in registration order.",
  [[
local model = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
for _, child in ipairs(model:children()) do print(child) end]])
torch.doc(Module.named_children, "module:named_children()", "Iterator over (name, submodule) of direct children.",
  [[
local model = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
for name, child in model:named_children() do print(name, child) end]])
torch.doc(Module.modules, "module:modules()", "Every module of the tree (self first), as a list.",
  [[
local model = nn.Sequential(nn.Linear(3, 4), nn.Sequential(nn.ReLU(), nn.Linear(4, 1)))
print(#model:modules())     -- itself, the Linear, the inner Sequential and its two]])
torch.doc(Module.named_modules, "module:named_modules()",
  "Iterator over (dotted path, module) for the whole tree, self first with path \"\".",
  [[
local model = nn.Sequential(nn.Linear(3, 4), nn.Sequential(nn.ReLU(), nn.Linear(4, 1)))
for name, m in model:named_modules() do print(name == "" and "(root)" or name, m:_type()) end]])

-- modes and gradients ----------------------------------------------------------

--- Sets training mode (default true) on the whole tree; returns self.
function Module:train(mode)
  if mode == nil then mode = true end
  for _, m in ipairs(self:modules()) do rawset(m, "training", mode and true or false) end
  return self
end

--- Evaluation mode (dropout off, batch norm on running statistics); returns self.
function Module:eval() return self:train(false) end

--- Clears the gradients of every parameter: set to nil (PyTorch 2's default),
-- or zeroed in place with {set_to_none = false}.
function Module:zero_grad(opts)
  local to_none = not (opts and opts.set_to_none == false)
  for _, p in ipairs(self:parameters()) do
    if p.grad ~= nil then
      if to_none then p.grad = nil else p.grad:zero_() end
    end
  end
end

--- Calls fn(m) on every submodule (children first) and then on self; returns self.
function Module:apply(fn)
  for _, m in ipairs(self:children()) do m:apply(fn) end
  fn(self)
  return self
end

--- Converts every floating parameter and buffer to `dtype` ("float64", ...); returns self.
-- Parameters become new Parameter objects (there is no in-place dtype change),
-- so build the optimizer after calling to().
function Module:to(dtype)
  if type(dtype) ~= "string" then error(self:_type() .. ".to: expected a dtype name such as \"float64\"", 2) end
  for _, m in ipairs(self:modules()) do
    local kinds, values = rawget(m, "_kinds"), rawget(m, "_values")
    for _, name in ipairs(rawget(m, "_names")) do
      local t = values[name]
      if (kinds[name] == "parameter" or kinds[name] == "buffer") and t ~= nil and is_floating(t)
        and t.dtype ~= dtype then
        if kinds[name] == "parameter" then
          values[name] = Parameter(t:detach():to(dtype), t.requires_grad)
        else
          values[name] = t:to(dtype)
        end
      end
    end
  end
  return self
end
function Module:double() return self:to("float64") end
function Module:float() return self:to("float32") end
torch.doc(Module.double, "module:double()", "module:to(\"float64\"); returns the module.",
  [[
print(nn.Linear(2, 2):double().weight.dtype)]])
torch.doc(Module.float, "module:float()", "module:to(\"float32\"); returns the module.",
  [[
print(nn.Linear(2, 2):double():float().weight.dtype)]])

torch.doc(Module.train, "module:train(mode=true)", "Sets training mode on the whole tree; returns the module.",
  [[
local model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
model:eval()
print(model.training, model[2].training)
model:train()
print(model.training, model[2].training)]])
torch.doc(Module.eval, "module:eval()", "Sets evaluation mode on the whole tree; returns the module.",
  [[
local drop = nn.Dropout(0.5):eval()
print(drop.training, drop(torch.ones(4)))]])
torch.doc(Module.zero_grad, "module:zero_grad({set_to_none=true})",
  "Clears parameter gradients: sets .grad to nil (PyTorch 2's default) or, with set_to_none=false, zeroes them.",
  [[
local fc = nn.Linear(2, 1)
fc(torch.ones(1, 2)):sum():backward()
print(fc.weight.grad)
fc:zero_grad()
print(fc.weight.grad)]])
torch.doc(Module.apply, "module:apply(fn)", "Calls fn on every submodule and then on the module itself.",
  [[
local model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
model:apply(function(m)
  if m:_type() == "Linear" then nn.init.zeros_(m.weight) end
end)
print(model[1].weight:abs():sum(), model[3].weight:abs():sum())]])
torch.doc(Module.to, "module:to(dtype)",
  "Converts floating parameters and buffers to dtype (new Parameter objects: build optimizers afterwards).",
  [[
local fc = nn.Linear(2, 1):to("float64")
print(fc.weight.dtype, fc(torch.ones(1, 2, {dtype = "float64"})).dtype)]])

-- state_dict -------------------------------------------------------------------

--- A table from dotted names to tensors (parameters detached, persistent
-- buffers), sharing storage with the module.  {zero_based = true} numbers the
-- children of Sequential/ModuleList from 0, as PyTorch's files do.
function Module:state_dict(opts)
  opts = opts or {}
  local sd = {}
  for _, e in ipairs(walk_tensors(self, "parameter", {zero_based = opts.zero_based})) do
    sd[e[1]] = opts.keep_vars and e[2] or e[2]:detach()
  end
  for _, e in ipairs(walk_tensors(self, "buffer", {zero_based = opts.zero_based, persistent_only = true})) do
    sd[e[1]] = e[2]
  end
  return sd
end

local function quoted_sorted(keys)
  table.sort(keys)
  local q = {}
  for i, k in ipairs(keys) do q[i] = '"' .. k .. '"' end
  return table.concat(q, ", ")
end

--- Copies the tensors of `sd` into the module's parameters and buffers.
-- strict (default true) makes missing and unexpected keys an error; shape
-- mismatches always are.  {zero_based = true} reads PyTorch's 0-based keys
-- for positional containers.  Returns the lists of missing and unexpected keys.
function Module:load_state_dict(sd, opts)
  opts = opts or {}
  if type(sd) ~= "table" then error(self:_type() .. ".load_state_dict: expected a table of tensors, got " .. type(sd), 2) end
  local strict = opts.strict ~= false
  local own = self:state_dict({zero_based = opts.zero_based, keep_vars = true})
  local missing, unexpected, problems = {}, {}, {}
  for name in pairs(own) do
    if sd[name] == nil then missing[#missing + 1] = name end
  end
  for name, v in pairs(sd) do
    local target = own[name]
    if target == nil then
      unexpected[#unexpected + 1] = name
    elseif not torch.is_tensor(v) then
      problems[#problems + 1] = string.format('"%s" is %s, not a tensor', name, describe(v))
    elseif shape_text(v) ~= shape_text(target) then
      problems[#problems + 1] = string.format(
        "size mismatch for %s: copying a tensor of shape %s from the checkpoint, the shape in the model is %s",
        name, shape_text(v), shape_text(target))
    end
  end
  if strict and #missing > 0 then problems[#problems + 1] = "missing key(s): " .. quoted_sorted(missing) end
  if strict and #unexpected > 0 then problems[#problems + 1] = "unexpected key(s): " .. quoted_sorted(unexpected) end
  if #problems > 0 then
    local hint = ""
    for _, name in ipairs(unexpected) do
      if not opts.zero_based and (name:match "^0%." or name:match "%.0%.") then
        hint = " (PyTorch numbers Sequential children from 0: pass {zero_based = true})"
      end
    end
    error(string.format("%s.load_state_dict: %s%s", self:_type(), table.concat(problems, "; "), hint), 2)
  end
  torch.no_grad(function()
    for name, v in pairs(sd) do
      if own[name] then own[name]:copy_(v) end
    end
  end)
  return missing, unexpected
end

torch.doc(Module.state_dict, "module:state_dict({zero_based=false, keep_vars=false})",
  "A table from PyTorch's dotted names (fc1.weight) to the parameters and persistent buffers; "
    .. "zero_based=true numbers Sequential/ModuleList children from 0 as PyTorch's files do.",
  [[
local model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
local keys = {}
for k in pairs(model:state_dict()) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, " "))
keys = {}
for k in pairs(model:state_dict({zero_based = true})) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, " "))      -- PyTorch's numbering]])
torch.doc(Module.load_state_dict, "module:load_state_dict(sd, {strict=true, zero_based=false})",
  "Copies tensors into the parameters and buffers; strict makes missing or unexpected keys an error, "
    .. "shape mismatches always are; zero_based=true loads a state_dict saved by PyTorch. "
    .. "Returns the missing and unexpected keys.",
  [[
torch.manual_seed(0)
local a, b = nn.Linear(2, 1), nn.Linear(2, 1)
b:load_state_dict(a:state_dict())
print((a.weight - b.weight):abs():max(), (a.bias - b.bias):abs():max())]])

-- printing ---------------------------------------------------------------------

local function indent(text)
  return (text:gsub("\n", "\n  "))
end

function Module:_repr()
  local lines = {}
  each_member(self, "module", function(name, m)
    lines[#lines + 1] = "(" .. name .. "): " .. indent(m:_repr())
  end)
  local extra = self:extra_repr()
  local head = self:_type() .. "("
  if #lines == 0 then return head .. extra .. ")" end
  local body = {}
  if extra ~= "" then body[1] = "  " .. indent(extra) end
  for _, l in ipairs(lines) do body[#body + 1] = "  " .. l end
  return head .. "\n" .. table.concat(body, "\n") .. "\n)"
end

local function count(list)
  local n = 0
  for _, p in ipairs(list) do n = n + p:numel() end
  return n
end

local function with_commas(n)
  local s = tostring(math.tointeger(n) or n)
  return (s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", ""))
end

--- The architecture as a table: one row per module with its own parameter
-- count, then the totals.  Returns the text (print(model:summary())).
function Module:summary()
  local rows = {{"name", "type", "params"}}
  for path, m in self:named_modules() do
    local own = {}
    each_member(m, "parameter", function(_, p) own[#own + 1] = p end)
    local depth = path == "" and 0 or select(2, path:gsub("%.", "")) + 1
    rows[#rows + 1] = {path == "" and "(model)" or string.rep("  ", depth - 1) .. path:match "[^.]*$",
      m:_type(), with_commas(count(own))}
  end
  local widths = {0, 0, 0}
  for _, r in ipairs(rows) do
    for i = 1, 3 do widths[i] = math.max(widths[i], utf8.len(r[i])) end
  end
  local out = {}
  for i, r in ipairs(rows) do
    out[#out + 1] = string.format("%-" .. widths[1] .. "s  %-" .. widths[2] .. "s  %" .. widths[3] .. "s", r[1], r[2], r[3])
    if i == 1 then out[#out + 1] = string.rep("-", widths[1] + widths[2] + widths[3] + 4) end
  end
  local params = self:parameters()
  local trainable = {}
  for _, p in ipairs(params) do if p.requires_grad then trainable[#trainable + 1] = p end end
  out[#out + 1] = string.rep("-", widths[1] + widths[2] + widths[3] + 4)
  out[#out + 1] = "total parameters:     " .. with_commas(count(params))
  out[#out + 1] = "trainable parameters: " .. with_commas(count(trainable))
  return table.concat(out, "\n")
end

torch.doc(Module.summary, "module:summary()",
  "The architecture with each module's parameter count and the totals, as text: print(model:summary()).",
  [[
local model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
print(model:summary())]])

return Module
