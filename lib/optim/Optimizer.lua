-- Optimizer.lua — optim.Optimizer, the base class of every optimizer:
-- parameter groups, option checking, per-parameter state, zero_grad,
-- step(closure), state_dict and load_state_dict, with PyTorch's semantics.
--
--   local SGD = Optimizer:extend("SGD", {{"lr", Optimizer.required, ">=0"}, {"momentum", 0, ">=0"}, ...})
--   function SGD:_update(p, grad, state, group) ... end    -- one parameter, one step
--
-- A class lists its options in PyTorch's order as {name, default, rule}:
-- the rule is ">=0", "[0,1]", "betas" (a pair in [0, 1)), "number" or
-- "string" (for options whose default is nil), or is left out for a plain
-- number or boolean.  Every option name a user passes, for the optimizer or
-- for one parameter group, must be in that list: a typo such as `momentun`
-- is an error, never a silently ignored key.
--
-- Parameters are the Lua tensor values the user passed; state is kept in a
-- table keyed by them (as PyTorch keys it by tensor), so pass the tensors
-- model:parameters() returns, not new handles of the same tensor.
local torch = require "torch"

local Optimizer = {__name = "Optimizer"}

--- The default of an option the user must give (SGD's lr).
Optimizer.required = setmetatable({}, {__tostring = function() return "<required parameter>" end})

-- Groups may carry one key of PyTorch's that is not an option: the learning
-- rate a scheduler started from, which a scheduler resumed with last_epoch
-- expects to find.
local EXTRA_GROUP_KEYS = {initial_lr = true}

local function describe(v)
  if torch.is_tensor(v) then return "a tensor" end
  return type(v) == "table" and "a table" or tostring(v)
end

local function fail(self, fmt, ...)
  error(self.__name .. ": " .. string.format(fmt, ...), 0)
end

-- Checks one option value against its rule; `where` names the group.
local function check_option(self, spec, value, where)
  local name, default, rule = spec[1], spec[2], spec[3]
  if value == nil and rule ~= "number" and rule ~= "string" then
    fail(self, "option '%s' is required%s", name, where)
  end
  local kind = rule == "string" and "string" or type(default) == "boolean" and "boolean" or "number"
  if rule == "betas" then
    if type(value) ~= "table" or type(value[1]) ~= "number" or type(value[2]) ~= "number" then
      fail(self, "option 'betas' must be a pair of numbers {beta1, beta2}, got %s%s", describe(value), where)
    end
    for i = 1, 2 do
      if not (value[i] >= 0 and value[i] < 1) then
        fail(self, "invalid beta parameter at index %d: %s (it must be in [0, 1))%s", i, value[i], where)
      end
    end
  elseif value ~= nil and type(value) ~= kind then
    fail(self, "option '%s' must be a %s, got %s%s", name, kind, describe(value), where)
  elseif rule == ">=0" and not (value >= 0) then
    local what = name == "lr" and "learning rate" or "value for '" .. name .. "'"
    fail(self, "invalid %s: %s (it must be >= 0)%s", what, value, where)
  elseif rule == "[0,1]" and not (value >= 0 and value <= 1) then
    fail(self, "invalid value for '%s': %s (it must be in [0, 1])%s", name, value, where)
  end
end

local function copy_option(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = x end
  return out
end

local function construct(cls, params, opts)
  local self = setmetatable({state = {}, param_groups = {}, defaults = {}}, cls)
  if opts ~= nil and type(opts) ~= "table" then
    fail(self, "options must be a table, got %s", describe(opts))
  end
  opts = opts or {}
  for k in pairs(opts) do
    if cls._spec_by_name[k] == nil then fail(self, "unknown option '%s'", tostring(k)) end
  end
  for _, spec in ipairs(cls._spec) do
    local v = opts[spec[1]]
    if v == nil then v = spec[2] end
    if v ~= Optimizer.required then
      check_option(self, spec, v, "")
      self.defaults[spec[1]] = copy_option(v)
    end
  end
  if torch.is_tensor(params) then
    fail(self, "params must be a list of tensors or of parameter groups, got a tensor (wrap it: {t})")
  elseif type(params) ~= "table" then
    fail(self, "params must be a list of tensors or of parameter groups, got %s", describe(params))
  elseif params.parameters then
    fail(self, "params must be a list of tensors or of parameter groups (did you mean model:parameters()?)")
  elseif params[1] == nil then
    fail(self, "got an empty parameter list")
  end
  local groups = torch.is_tensor(params[1]) and {{params = params}} or params
  for _, group in ipairs(groups) do self:add_param_group(group) end
  self:_check_groups()
  return self
end

--- A new optimizer class named `name` with the options in `spec` (see the top of this file).
function Optimizer:extend(name, spec)
  local cls = {__name = name, _spec = spec, _spec_by_name = {}}
  for _, s in ipairs(spec) do cls._spec_by_name[s[1]] = s end
  cls.__index = cls
  cls.__tostring = self.__tostring
  return setmetatable(cls, {__index = self, __call = construct, __tostring = function() return "class " .. name end})
end
torch.doc(Optimizer.extend, "optim.Optimizer:extend(name, spec)",
  "A new optimizer class: spec lists its options as {name, default, rule}; define cls:_update(p, grad, "
    .. "state, group), which updates one parameter in place.",
  [[
-- Plain gradient descent with a learning rate and an optional sign-only update.
local SignSGD = optim.Optimizer:extend("SignSGD", {{"lr", optim.Optimizer.required, ">=0"}, {"sign", false}})
function SignSGD:_update(p, grad, state, group)
  p:sub_((group.sign and grad:sign() or grad) * group.lr)
end
local w = torch.tensor({1.0, -2.0}, {requires_grad = true})
local opt = SignSGD({w}, {lr = 0.5, sign = true})
for step = 1, 3 do
  opt:zero_grad()
  local loss = (w * w):sum()
  loss:backward()
  opt:step()
end
print(opt)
print(w)]])

-- Class-specific checks of a group's combination of options (SGD's nesterov).
function Optimizer:_check_group(group, where) end
-- Checks that need every group (LBFGS takes one).
function Optimizer:_check_groups() end

--- Adds a parameter group: {params = tensor or list of tensors, <option> = value, ...}.
function Optimizer:add_param_group(group)
  local where = string.format(" (parameter group %d)", #self.param_groups + 1)
  if type(group) ~= "table" or torch.is_tensor(group) then
    fail(self, "a parameter group must be a table {params = ..., <option> = ...}, got %s%s", describe(group), where)
  end
  local params = group.params
  if torch.is_tensor(params) then params = {params} end
  if type(params) ~= "table" then
    fail(self, "a parameter group needs params (a tensor or a list of tensors), got %s%s", describe(params), where)
  end
  local seen = {}
  for _, g in ipairs(self.param_groups) do
    for _, p in ipairs(g.params) do seen[p] = true end
  end
  local new = {params = {}}
  for i, p in ipairs(params) do
    if not torch.is_tensor(p) then
      fail(self, "parameter %d is %s, not a tensor%s", i, describe(p), where)
    elseif not (p.dtype == "float32" or p.dtype == "float64") then
      fail(self, "parameter %d has dtype %s; only float32 and float64 tensors can be optimized%s", i, p.dtype, where)
    elseif not p.is_leaf then
      fail(self, "parameter %d is not a leaf tensor (it was computed by %s); optimize the leaves it came from, "
        .. "or a detached copy (x:detach():requires_grad_())%s", i, p.grad_fn.name, where)
    elseif seen[p] then
      fail(self, "parameter %d appears more than once among the parameter groups%s", i, where)
    end
    seen[p] = true
    new.params[i] = p
  end
  for k, v in pairs(group) do
    if k ~= "params" then
      if self._spec_by_name[k] == nil and not EXTRA_GROUP_KEYS[k] then
        fail(self, "unknown option '%s'%s", tostring(k), where)
      end
      new[k] = copy_option(v)
    end
  end
  for _, spec in ipairs(self._spec) do
    local name = spec[1]
    if new[name] == nil then new[name] = copy_option(self.defaults[name]) end
    check_option(self, spec, new[name], where)
  end
  self:_check_group(new, where)
  self.param_groups[#self.param_groups + 1] = new
  return new
end

--- Clears every parameter's gradient: sets it to nil (PyTorch 2's default), or
-- with {set_to_none = false} zeroes it in place.
function Optimizer:zero_grad(opts)
  for k in pairs(opts or {}) do
    if k ~= "set_to_none" then fail(self, "zero_grad: unknown option '%s'", tostring(k)) end
  end
  local to_none = not (opts and opts.set_to_none == false)
  for _, group in ipairs(self.param_groups) do
    for _, p in ipairs(group.params) do
      local g = p.grad
      if g ~= nil then
        if to_none then
          p.grad = nil
        else
          if g.grad_fn ~= nil then g:detach_() end
          g:zero_()
        end
      end
    end
  end
end

--- One optimization step over every parameter that has a gradient; with a
-- closure (which recomputes the loss, calls backward and returns the loss),
-- calls it first with gradients enabled and returns its result.
function Optimizer:step(closure)
  local loss
  if closure ~= nil then
    if type(closure) ~= "function" then
      fail(self, "step: the closure must be a function, got %s", describe(closure))
    end
    loss = torch.enable_grad(closure)
  end
  -- Without recording, as PyTorch's step: an _update written with tensor
  -- ops (a class of the user's) writes into leaves that require grad.
  torch.no_grad(function()
    for _, group in ipairs(self.param_groups) do
      for _, p in ipairs(group.params) do
        local grad = p.grad
        if grad ~= nil then
          local state = self.state[p]
          if state == nil then
            state = {}
            self.state[p] = state
          end
          self:_update(p, grad, state, group)
        end
      end
    end
  end)
  return loss
end

--- For _update: counts a step in state.step, and the first time creates a
-- zero tensor like p under each of the names given.
function Optimizer:_count_step(p, state, ...)
  if state.step == nil then
    state.step = 0
    for _, name in ipairs {...} do state[name] = torch.zeros_like(p) end
  end
  state.step = state.step + 1
end

-- state_dict ---------------------------------------------------------------------

--- PyTorch's layout: {state = {[id] = {...}}, param_groups = {{<options>..., params = {ids}}}},
-- where parameters are numbered 1, 2, ... in group order.  The state tensors
-- are the optimizer's own (not copies), as in PyTorch.
function Optimizer:state_dict()
  local ids, n, groups, state = {}, 0, {}, {}
  for gi, group in ipairs(self.param_groups) do
    local packed = {params = {}}
    for k, v in pairs(group) do
      if k ~= "params" then packed[k] = copy_option(v) end
    end
    for i, p in ipairs(group.params) do
      if ids[p] == nil then
        n = n + 1
        ids[p] = n
      end
      packed.params[i] = ids[p]
    end
    groups[gi] = packed
  end
  for p, s in pairs(self.state) do
    local entry = {}
    for k, v in pairs(s) do entry[k] = copy_option(v) end
    state[ids[p]] = entry
  end
  return {state = state, param_groups = groups}
end

-- Entries that are numbers here and 0-dim tensors in PyTorch's own state
-- dicts (converted on load, so either loads).
local SCALAR_KEYS = {step = true, mu_product = true, t = true, H_diag = true, prev_loss = true, ro = true,
  al = true, func_evals = true, n_iter = true}

-- A deep copy of a state value for parameter p: tensors copied (floating ones
-- in p's dtype), PyTorch's 0-dim scalars turned into numbers.
local function load_value(p, value, scalar)
  if torch.is_tensor(value) then
    if scalar and value:numel() == 1 then return value:item() end
    if value.dtype == "float32" or value.dtype == "float64" then return value:detach():to(p.dtype):contiguous() end
    return value:clone()
  elseif type(value) == "table" then
    local out = {}
    for k, v in pairs(value) do out[k] = load_value(p, v, scalar or SCALAR_KEYS[k]) end
    return out
  end
  return value
end

--- Restores what state_dict returned (or PyTorch's equivalent, with ids from
-- 1): the groups must match this optimizer's in number and sizes.
function Optimizer:load_state_dict(sd)
  if type(sd) ~= "table" or type(sd.param_groups) ~= "table" or type(sd.state) ~= "table" then
    fail(self, "load_state_dict: expected a table {state = ..., param_groups = ...}")
  end
  local saved = sd.param_groups
  if #saved ~= #self.param_groups then
    fail(self, "load_state_dict: the state dict has %d parameter groups, the optimizer %d", #saved,
      #self.param_groups)
  end
  local by_id = {}
  for gi, group in ipairs(self.param_groups) do
    local ids = saved[gi].params or {}
    if #ids ~= #group.params then
      fail(self, "load_state_dict: parameter group %d has %d parameters in the state dict, %d in the optimizer",
        gi, #ids, #group.params)
    end
    for i, id in ipairs(ids) do by_id[id] = group.params[i] end
  end
  local state = {}
  for id, s in pairs(sd.state) do
    local p = by_id[id]
    if p ~= nil then state[p] = load_value(p, s, false) end
  end
  local groups = {}
  for gi, group in ipairs(self.param_groups) do
    local new = {}
    for k, v in pairs(saved[gi]) do new[k] = copy_option(v) end
    for _, spec in ipairs(self._spec) do
      if new[spec[1]] == nil then new[spec[1]] = group[spec[1]] end
    end
    new.params = group.params
    groups[gi] = new
  end
  self.state, self.param_groups = state, groups
end

-- repr ---------------------------------------------------------------------------

local function format_option(v)
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = tostring(x) end
    return "(" .. table.concat(parts, ", ") .. ")"
  end
  return tostring(v)
end

--- PyTorch's repr: each group's options in alphabetical order (groups counted from 1).
function Optimizer:__tostring()
  local lines = {self.__name .. " ("}
  for gi, group in ipairs(self.param_groups) do
    lines[#lines + 1] = "Parameter Group " .. gi
    local keys = {}
    for k in pairs(group) do
      if k ~= "params" then keys[#keys + 1] = k end
    end
    table.sort(keys)
    for _, k in ipairs(keys) do lines[#lines + 1] = "    " .. k .. ": " .. format_option(group[k]) end
  end
  lines[#lines + 1] = ")"
  return table.concat(lines, "\n")
end

torch.doc(Optimizer, "optim.Optimizer",
  "The base class of the optimizers: param_groups, state, zero_grad(), step(closure), state_dict(), "
    .. "load_state_dict(sd), add_param_group(group).",
  [[
local fc = nn.Linear(3, 1)
local opt = optim.SGD(fc:parameters(), {lr = 0.1})
print(opt.param_groups[1].lr, #opt.param_groups[1].params)]])
torch.doc(Optimizer.add_param_group, "opt:add_param_group({params = ..., <option> = ...})",
  "Adds a group of parameters with options of its own; options it leaves out take the optimizer's.",
  [[
local body, head = nn.Linear(4, 4), nn.Linear(4, 1)
local opt = optim.SGD(body:parameters(), {lr = 0.01, momentum = 0.9})
opt:add_param_group({params = head:parameters(), lr = 0.1})
for i, group in ipairs(opt.param_groups) do print(i, group.lr, group.momentum, #group.params) end]])
torch.doc(Optimizer.zero_grad, "opt:zero_grad({set_to_none = true})",
  "Clears the gradients: sets them to nil (PyTorch 2's default) or, with set_to_none = false, zeroes them.",
  [[
local w = torch.ones(2, {requires_grad = true})
local opt = optim.SGD({w}, {lr = 0.1})
local loss = (w * 3):sum()
loss:backward()
print(w.grad)
opt:zero_grad()
print(w.grad)]])
torch.doc(Optimizer.step, "opt:step(closure)",
  "Updates every parameter that has a gradient; closure (optional, required by LBFGS) recomputes the loss "
    .. "and its gradients and returns the loss, which step returns.",
  [[
local w = torch.tensor({2.0}, {requires_grad = true})
local opt = optim.SGD({w}, {lr = 0.25})
local loss = opt:step(function()     -- a closure recomputes the loss and its gradient
  opt:zero_grad()
  local l = (w * w):sum()
  l:backward()
  return l
end)
print(loss, w)                       -- the loss before the step; w - 0.25 * 2w]])
torch.doc(Optimizer.state_dict, "opt:state_dict()",
  "{state = {[id] = {...}}, param_groups = {{lr = ..., params = {ids}}}}: PyTorch's layout with parameters "
    .. "numbered from 1; the state tensors are shared, not copied.",
  [[
local w = torch.ones(2, {requires_grad = true})
local opt = optim.Adam({w}, {lr = 0.1})
local loss = (w * w):sum()
loss:backward()
opt:step()
local sd = opt:state_dict()
print(sd.state[1].step, sd.state[1].exp_avg, sd.param_groups[1].lr, sd.param_groups[1].params[1])]])
torch.doc(Optimizer.load_state_dict, "opt:load_state_dict(sd)",
  "Restores a state_dict (copying its tensors into each parameter's dtype); the parameter groups must "
    .. "match in number and size.",
  [[
local w = torch.ones(2, {requires_grad = true})
local opt = optim.SGD({w}, {lr = 0.1, momentum = 0.9})
local loss = (w * w):sum()
loss:backward()
opt:step()
local again = optim.SGD({w}, {lr = 0.5, momentum = 0.9})
again:load_state_dict(opt:state_dict())
print(again.param_groups[1].lr, again.state[w].momentum_buffer)]])

return Optimizer
