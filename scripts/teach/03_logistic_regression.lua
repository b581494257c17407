-- 03_logistic_regression.lua — sigmoid + binary cross-entropy, and why the
-- gradient with respect to the logit is simply p - y.
--   luagrad scripts/teach/03_logistic_regression.lua [--step]
local lesson = require("luagrad.lesson").new(arg, "Lesson 3: logistic regression, and why the gradient is p - y")
torch.manual_seed(1)

lesson:say([[
A logit z = w . x + b becomes a probability p = sigmoid(z) = 1 / (1 + exp(-z)).
Binary cross-entropy for a label y in {0, 1}:  L = -(y log p + (1 - y) log(1 - p)).]])

lesson:heading("The derivative, one factor at a time")
lesson:say([[
  dL/dp = -y/p + (1 - y)/(1 - p)
  dp/dz = p (1 - p)                      (the sigmoid's derivative)
  dL/dz = dL/dp * dp/dz = -y (1 - p) + (1 - y) p = p - y
Everything cancels but the error: predicted probability minus the label.]])
local z = torch.tensor({-2.0, 0.5, 3.0}, {dtype = "float64", requires_grad = true})
local y = torch.tensor({0.0, 1.0, 0.0}, {dtype = "float64"})
local p = torch.sigmoid(z)
local L = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
L:sum():backward()
lesson:show("z", z:detach())
lesson:show("p = sigmoid(z)", p:detach())
lesson:show("y", y)
lesson:compare("dL/dz = p - y", p:detach() - y, z.grad)

lesson:heading("A whole model: p = sigmoid(X w + b), mean loss over N points")
lesson:say([[
With the mean over N points, dL/dz_i = (p_i - y_i) / N, and by the chain rule
  dL/dw = X^T (p - y) / N        dL/db = sum_i (p_i - y_i) / N]])
local X = torch.randn(8, 2, {dtype = "float64"})
local labels = X:select(2, 1):gt(0):double()
local w = torch.tensor({0.3, -0.2}, {dtype = "float64", requires_grad = true})
local b = torch.tensor(0.0, {dtype = "float64", requires_grad = true})
local probs = torch.sigmoid(X:mv(w) + b)
local loss = -(labels * torch.log(probs) + (1 - labels) * torch.log(1 - probs)):mean()
loss:backward()
local err = probs:detach() - labels
lesson:compare("dL/dw", X:t():mv(err) / 8, w.grad)
lesson:compare("dL/db", err:sum() / 8, b.grad)
lesson:finish()
