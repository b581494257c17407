-- 02_linear_regression.lua — y = w x + b with mean squared error: the
-- gradient derived by hand, checked against the engine, then gradient
-- descent watching the loss fall.
--   luagrad scripts/teach/02_linear_regression.lua [--step]
local lesson = require("luagrad.lesson").new(arg, "Lesson 2: linear regression by gradient descent")
torch.manual_seed(0)

lesson:say([[
Data: 20 points near the line y = 3x + 2.  Model: y_hat = w x + b.
Loss: L = (1/N) * sum_i (y_hat_i - y_i)^2.]])
local x = torch.linspace(-1, 1, 20, {dtype = "float64"})
local y = x * 3 + 2 + torch.randn(20, {dtype = "float64"}) * 0.1
local w = torch.tensor(0.5, {dtype = "float64", requires_grad = true})
local b = torch.tensor(0.0, {dtype = "float64", requires_grad = true})

lesson:heading("The gradient by hand")
lesson:say([[
With r_i = y_hat_i - y_i (the residual):
  dL/dw = (2/N) * sum_i r_i * x_i      dL/db = (2/N) * sum_i r_i]])
local y_hat = x * w + b
local loss = ((y_hat - y) ^ 2):mean()
local r = (y_hat - y):detach()
local hand_w = (r * x):sum():item() * 2 / 20
local hand_b = r:sum():item() * 2 / 20
lesson:show("loss", loss)
loss:backward()
lesson:compare("dL/dw", hand_w, w.grad)
lesson:compare("dL/db", hand_b, b.grad)

lesson:heading("Gradient descent: w <- w - lr * dL/dw, the same for b")
local lr, losses = 0.3, {}
for step = 1, 60 do
  w.grad, b.grad = nil, nil
  local l = ((x * w + b - y) ^ 2):mean()
  l:backward()
  torch.no_grad(function()
    w:sub_(w.grad * lr)
    b:sub_(b.grad * lr)
  end)
  losses[step] = l:item()
  if step % 10 == 0 then print(string.format("  step %2d  loss %.5f  w %.4f  b %.4f", step, l:item(), w:item(), b:item())) end
end
print(torch.plot{losses, title = "loss while descending", xlabel = "step", ylabel = "loss", height = 10})
lesson:say(string.format("The fit: w = %.3f, b = %.3f (the data came from w = 3, b = 2).", w:item(), b:item()))
lesson:check("w is within 0.1 of 3", math.abs(w:item() - 3) < 0.1)
lesson:finish()
