-- 06_gradient_checking.lua — checking a gradient by finite differences, and
-- what a wrong backward formula looks like to gradcheck.
--   luagrad scripts/teach/06_gradient_checking.lua [--step]
local lesson = require("luagrad.lesson").new(arg, "Lesson 6: gradient checking by finite differences")

lesson:say([[
A derivative is a limit: f'(x) ~ (f(x + eps) - f(x - eps)) / (2 eps) for a small eps.
The central difference is accurate to about eps^2, so in float64 with eps = 1e-6
it matches a correct analytical gradient to many digits.]])

lesson:heading("One derivative, two ways")
local f = function(v) return torch.sin(v) * v ^ 2 end
local x = torch.tensor(0.7, {dtype = "float64", requires_grad = true})
f(x):backward()
local eps = 1e-6
local numeric = (f(torch.tensor(0.7 + eps, {dtype = "float64"})) - f(torch.tensor(0.7 - eps, {dtype = "float64"})))
  :item() / (2 * eps)
print(string.format("  f(x) = sin(x) x^2 at x = 0.7: finite difference %.10f, engine %.10f", numeric, x.grad:item()))
lesson:compare("f'(0.7)", numeric, x.grad, 1e-8)

lesson:heading("gradcheck does this for every input element")
local ok = torch.autograd.gradcheck(f, {torch.randn(5, {dtype = "float64"}):requires_grad_()})
print("  torch.autograd.gradcheck(f, {x}) ->", ok)
lesson:check("gradcheck passes on the correct formula", ok)

lesson:heading("A wrong backward formula")
lesson:say([[
Here is sin written as a custom function whose backward says d sin(x)/dx = -cos(x)
(the sign is wrong).  The forward values are right, so nothing looks amiss until
gradcheck compares the rows of the Jacobian:]])
local BadSin = torch.autograd.Function:extend("BadSin")
function BadSin.forward(ctx, v) ctx:save_for_backward(v); return torch.sin(v) end
function BadSin.backward(ctx, grad) return grad * -torch.cos(ctx.saved_tensors[1]) end
local ok_bad, err = pcall(torch.autograd.gradcheck, BadSin.apply, {torch.randn(3, {dtype = "float64"}):requires_grad_()})
print("  gradcheck(BadSin) ->", ok_bad and "passed" or "failed:")
if not ok_bad then print("  " .. tostring(err):gsub("\n", "\n  ")) end
lesson:check("gradcheck catches the wrong formula", not ok_bad)
lesson:finish()
