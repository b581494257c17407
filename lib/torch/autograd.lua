-- autograd.lua — torch.autograd.Function: differentiable ops written in Lua.
--
--   local Cube = torch.autograd.Function:extend("Cube")
--   function Cube.forward(ctx, x) ctx:save_for_backward(x); return x ^ 3 end
--   function Cube.backward(ctx, grad) local x = ctx.saved_tensors[1]; return grad * 3 * x ^ 2 end
--   local y = Cube.apply(x)              -- y.grad_fn is <CubeBackward>
--
-- forward runs without recording; then one graph node (made in C by
-- torch.autograd._record) joins the tensor inputs to the outputs and calls
-- backward(ctx, grad_1, ..., grad_m) when gradients flow, which returns one
-- gradient (or nil) per argument of forward.  Saved tensors are checked
-- against in-place changes when backward reads them, as built-in ops do.
local torch = require "torch"
local autograd = torch.autograd

local Ctx = {}
Ctx.__index = Ctx

--- Keeps tensors for backward, where ctx.saved_tensors returns them.
function Ctx:save_for_backward(...)
  self._saved = table.pack(...)
end

local function check_saved(ctx)
  local saved = rawget(ctx, "_saved") or {n = 0}
  for i = 1, saved.n do
    local t = saved[i]
    if torch.is_tensor(t) and t._version ~= ctx._versions[i] then
      error(string.format("saved tensor %d has been modified by an in-place operation "
        .. "(version %d, now %d)", i, ctx._versions[i], t._version), 0)
    end
  end
  return saved
end

torch.doc(autograd, "torch.autograd",
  "Gradients beyond backward(): grad, gradcheck, custom functions in Lua, and the teaching tools that "
    .. "explain, trace and draw the backward pass.")

local Function = {}
autograd.Function = Function
torch.doc(Function, "torch.autograd.Function",
  "The base of differentiable ops written in Lua: Function:extend(name) makes one, with forward(ctx, ...) "
    .. "and backward(ctx, grad...) defined on it; ctx:save_for_backward(...) keeps tensors for backward "
    .. "(ctx.saved_tensors) and ctx.needs_input_grad tells which inputs need a gradient.",
  [[
local Clip = torch.autograd.Function:extend("Clip")
function Clip.forward(ctx, x) ctx:save_for_backward(x); return x:clamp(0, 1) end
function Clip.backward(ctx, grad)
  local x = ctx.saved_tensors[1]
  return grad * x:ge(0):logical_and(x:le(1)):float()   -- 1 inside [0, 1], 0 outside
end
local x = torch.tensor({-0.5, 0.5, 2.0}, {requires_grad = true})
Clip.apply(x):sum():backward()
print(x.grad)]])

--- A new custom function class named `name`; define cls.forward and cls.backward.
function Function:extend(name)
  local cls = {name = name}
  cls.apply = function(...) return Function.apply(cls, ...) end
  return cls
end
torch.doc(Function.extend, "torch.autograd.Function:extend(name)",
  "A new differentiable op written in Lua: define cls.forward(ctx, ...) and "
    .. "cls.backward(ctx, grad...), then call cls.apply(...).",
  [[
local Cube = torch.autograd.Function:extend("Cube")
function Cube.forward(ctx, x) ctx:save_for_backward(x); return x ^ 3 end
function Cube.backward(ctx, grad) local x = ctx.saved_tensors[1]; return grad * 3 * x ^ 2 end
local x = torch.tensor({1.0, 2.0}, {requires_grad = true})
local y = Cube.apply(x)
print(y.grad_fn)
y:sum():backward()
print(x.grad)]])

local function is_output(outputs, t)
  for k = 1, outputs.n do
    if rawequal(outputs[k], t) then return true end
  end
  return false
end

function Function.apply(cls, ...)
  local args = table.pack(...)
  local needs = {}
  for i = 1, args.n do
    needs[i] = torch.is_tensor(args[i]) and args[i].requires_grad or false
  end
  local ctx = setmetatable({needs_input_grad = needs}, Ctx)
  local outputs = table.pack(torch.no_grad(cls.forward, ctx, ...))
  for k = 1, outputs.n do
    -- An input returned as it is becomes a new tensor over the same data, so
    -- that the input itself keeps its own history.
    if torch.is_tensor(outputs[k]) and is_output(args, outputs[k]) then outputs[k] = outputs[k]:detach() end
  end
  local saved = rawget(ctx, "_saved")
  if saved then
    ctx._versions = {}
    for i = 1, saved.n do
      -- An output kept whole would keep its own graph node alive forever.
      if torch.is_tensor(saved[i]) and is_output(outputs, saved[i]) then saved[i] = saved[i]:detach() end
      ctx._versions[i] = torch.is_tensor(saved[i]) and saved[i]._version
    end
  end
  local name = cls.name or "Function"
  autograd._record(name .. "Backward", function(...)
    ctx.saved_tensors = check_saved(ctx)
    return cls.backward(ctx, ...)
  end, args, outputs)
  return table.unpack(outputs, 1, outputs.n)
end
torch.doc(Function.apply, "torch.autograd.Function.apply(cls, ...)",
  "Runs cls.forward(ctx, ...) without recording and joins its outputs to the tensor inputs with one graph "
    .. "node, <name>Backward, that calls cls.backward; cls.apply(...) is this with cls filled in.",
  [[
local Square = torch.autograd.Function:extend("Square")
function Square.forward(ctx, x) ctx:save_for_backward(x); return x * x end
function Square.backward(ctx, grad) return 2 * ctx.saved_tensors[1] * grad end
local x = torch.tensor(3.0, {requires_grad = true})
local y = torch.autograd.Function.apply(Square, x)
y:backward()
print(y, x.grad)]])

return true
