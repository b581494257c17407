-- 07_custom_function.lua — a differentiable op written in Lua with
-- torch.autograd.Function, explained by the engine like a built-in.
--   luagrad scripts/teach/07_custom_function.lua [--step]
local lesson = require("luagrad.lesson").new(arg, "Lesson 7: your own differentiable function")

lesson:say([[
softplus(x) = log(1 + exp(x)) is a smooth ReLU.  Its derivative is the sigmoid:
  d softplus(x)/dx = exp(x) / (1 + exp(x)) = sigmoid(x)
We write it as a custom function: forward computes the value and saves what
backward needs; backward multiplies the incoming gradient by the local derivative.]])
local Softplus = torch.autograd.Function:extend("Softplus")
function Softplus.forward(ctx, x)
  ctx:save_for_backward(x)
  return torch.log(torch.exp(x) + 1)
end
function Softplus.backward(ctx, grad)
  local x = ctx.saved_tensors[1]
  return grad * torch.sigmoid(x)
end

lesson:heading("Using it in an expression")
local x = torch.tensor({-1.0, 0.0, 2.0}, {dtype = "float64", requires_grad = true})
local y = (Softplus.apply(x) * 3):sum()
lesson:show("x", x:detach())
lesson:show("y = sum(3 * softplus(x))", y)
print(torch.autograd.explain(y))

lesson:heading("By hand: dy/dx = 3 sigmoid(x)")
lesson:compare("dy/dx", torch.sigmoid(x:detach()) * 3, x.grad)
lesson:check("gradcheck passes", torch.autograd.gradcheck(Softplus.apply, {x:detach():requires_grad_()}))
lesson:finish()
