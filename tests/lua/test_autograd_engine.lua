-- test_autograd_engine.lua — the autograd engine as a user meets it: leaves
-- and attributes, backward and its errors, retained graphs, hooks, grad mode,
-- detach, torch.autograd.grad (also second order), custom functions, and
-- memory.  Expected gradients are derived by hand in the comments.
local T = require "testing"

local G = require "gradtest"
local f64, leaf = G.f64, G.leaf

T.test("leaves and their attributes", function()
  local x = f64({1, 2})
  T.eq(x.requires_grad, false)
  T.eq(x.is_leaf, true)
  x.requires_grad = true
  T.eq(x.requires_grad, true)
  T.eq(x.is_leaf, true)
  T.eq(x.grad, nil)
  T.eq(x.grad_fn, nil)
  T.errors("only floating tensors can require gradients", function()
    torch.tensor({1, 2}).requires_grad = true
  end)
end)

T.test("a non-leaf names its node and the nodes it feeds", function()
  local x, y = leaf({1, 2}), leaf({3, 4})
  local z = x * y + x
  T.eq(z.is_leaf, false)
  T.eq(z.requires_grad, true)
  T.eq(tostring(z.grad_fn), "AddBackward")
  T.eq(z.grad_fn.name, "AddBackward")
  local next = z.grad_fn.next_functions
  T.eq(#next, 2)
  T.eq(next[1][1].name, "MulBackward")
  T.eq(next[2][1].name, "AccumulateGrad")
  T.truthy(rawequal(next[2][1].variable, nil) == false)
  T.eq(next[2][1].variable:totable()[2], 2)
  -- one node per leaf: both paths into x meet in the same AccumulateGrad
  T.truthy(next[1][1].next_functions[1][1] == next[2][1], "shared accumulator")
  T.errors("only leaf tensors can stop requiring grad", function() z.requires_grad = false end)
end)

T.test("printing shows requires_grad and grad_fn", function()
  local x = leaf({1, 2})
  T.truthy(tostring(x):find("requires_grad=true", 1, true))
  T.truthy(tostring(x * 2):find("grad_fn=<MulBackward>", 1, true))
end)

T.test("hand-derived gradients of x*y + x and of a chain", function()
  -- z = sum(x*y + x): dz/dx = y + 1, dz/dy = x
  local x, y = leaf({1, 2, 3}), leaf({4, 5, 6})
  local loss = (x * y + x):sum(); loss:backward()
  T.allclose(x.grad:totable(), {5, 6, 7})
  T.allclose(y.grad:totable(), {1, 2, 3})
  -- w = sum(exp(2x) / x): dw/dx = exp(2x) (2x - 1) / x^2
  local a = leaf({0.5, 1.5})
  local loss = ((a * 2):exp() / a):sum(); loss:backward()
  for i, v in ipairs({0.5, 1.5}) do
    T.close(a.grad:totable()[i], math.exp(2 * v) * (2 * v - 1) / (v * v), 1e-12)
  end
end)

T.test("gradients accumulate across backward calls", function()
  local x = leaf({1, 2})
  local once = (x * 3):sum(); once:backward()
  local twice = (x * 3):sum(); twice:backward()
  T.allclose(x.grad:totable(), {6, 6})
  x.grad = nil
  T.eq(x.grad, nil)
  local loss = (x * x):sum(); loss:backward()
  T.allclose(x.grad:totable(), {2, 4})
end)

T.test("a second backward through a freed graph is an error; retain_graph keeps it", function()
  local x = leaf({1, 2})
  local y = (x * x):sum()
  y:backward(nil, {retain_graph = true})
  y:backward()
  T.allclose(x.grad:totable(), {4, 8})
  T.errors("backward through the graph a second time", function() y:backward() end)
end)

T.test("a non-scalar output needs a gradient of its shape", function()
  local x = leaf({1, 2, 3})
  local y = x * 2
  T.errors("grad can be implicitly created only for outputs with one element", function() y:backward() end)
  T.errors("the gradient has shape 2 but output 1 has shape 3", function() y:backward(f64({1, 1})) end)
  y:backward(f64({1, 10, 100}))
  T.allclose(x.grad:totable(), {2, 20, 200})
end)

T.test("backward on a tensor outside any graph is an error", function()
  T.errors("does not require grad and has no grad_fn", function() f64({1}):backward() end)
end)

T.test("modifying a saved tensor in place makes backward fail, naming the op", function()
  local x = leaf({1, 2})
  local a = x * 1
  local y = a * a                     -- MulBackward saves a
  a:add_(1)
  T.errors("MulBackward: a tensor needed for gradient computation has been modified by an in-place operation",
    function() y:sum():backward() end)
  local e = x:exp()                   -- ExpBackward saves its output
  e:mul_(2)
  T.errors("ExpBackward", function() e:sum():backward() end)
end)

T.test("in-place ops on leaves that require grad are refused outside no_grad", function()
  local x = leaf({1, 2})
  T.errors("mul_: a leaf tensor that requires grad cannot be modified in place", function() x:mul_(2) end)
  torch.no_grad(function() x:mul_(2) end)
  T.allclose(x:totable(), {2, 4})
  T.eq(x.is_leaf, true)
end)

T.test("a chain of 10,000 ops runs backward without recursion", function()
  local x = leaf({1})
  local y = x
  for _ = 1, 10000 do y = y * 1.0001 end
  y:sum():backward()
  T.close(x.grad:item(), 1.0001 ^ 10000, 1e-9)
  y = nil
  collectgarbage()
end)

T.test("retain_grad keeps a non-leaf's gradient", function()
  local x = leaf({1, 2})
  local h = x * 3
  h:retain_grad()
  T.eq(h.retains_grad, true)
  local loss = (h * h):sum(); loss:backward()
  T.allclose(h.grad:totable(), {6, 12})      -- d(h^2)/dh = 2h
  T.allclose(x.grad:totable(), {18, 36})
end)

T.test("hooks see gradients and may replace them", function()
  local x = leaf({1, 2})
  local h = x * 1
  local seen
  h:register_hook(function(g) seen = g:totable() end)
  h:register_hook(function(g) return g * 10 end)
  h:retain_grad()
  local loss = (h * 2):sum(); loss:backward()
  T.allclose(seen, {2, 2})
  T.allclose(h.grad:totable(), {20, 20})     -- retain_grad sees the hooked value
  T.allclose(x.grad:totable(), {20, 20})
  -- a leaf's hooks run once, on its whole gradient
  local calls = 0
  local a = leaf({1})
  a:register_hook(function(g) calls = calls + 1; return g + 1 end)
  local loss = (a * 2 + a * 3):sum(); loss:backward()
  T.eq(calls, 1)
  T.allclose(a.grad:totable(), {6})
  -- an error in a hook ends backward with the hook's message
  local b = leaf({1})
  local c = b * 2
  c:register_hook(function() error("boom") end)
  T.errors("boom", function() c:sum():backward() end)
  T.errors("register_hook: cannot register a hook on a tensor that does not require grad",
    function() f64({1}):register_hook(print) end)
end)

T.test("grad mode: no_grad, enable_grad, set_grad_enabled", function()
  local x = leaf({1, 2})
  local y, extra = torch.no_grad(function(a) return a * 2, "extra" end, x)
  T.eq(y.requires_grad, false)
  T.eq(extra, "extra")
  local z = torch.no_grad(function() return torch.enable_grad(function() return x * 2 end) end)
  T.eq(z.requires_grad, true)
  T.eq(torch.is_grad_enabled(), true)
  T.errors("inside", function() torch.no_grad(function() error("inside") end) end)
  T.eq(torch.is_grad_enabled(), true, "the mode is restored after an error")
  torch.set_grad_enabled(false)
  T.eq((x * 2).requires_grad, false)
  torch.set_grad_enabled(true)
  T.eq((x * 2).requires_grad, true)
end)

T.test("detach and detach_", function()
  local x = leaf({1, 2})
  local y = x * 2
  local d = y:detach()
  T.eq(d.requires_grad, false)
  T.eq(d.grad_fn, nil)
  d[1] = 7                                   -- shares y's data
  T.allclose(y:totable(), {7, 4})
  local w = x * 3
  w:detach_()
  T.eq(w.requires_grad, false)
  T.eq(w.is_leaf, true)
end)

T.test("torch.autograd.grad returns gradients without touching .grad", function()
  local x, y = leaf({1, 2}), leaf({3, 4})
  local z = (x * y):sum()
  local g = torch.autograd.grad(z, {x, y})
  T.allclose(g[1]:totable(), {3, 4})
  T.allclose(g[2]:totable(), {1, 2})
  T.eq(x.grad, nil)
  -- several outputs with grad_outputs
  local a = leaf({1, 2})
  local g2 = torch.autograd.grad({a * 2, a * a}, a, {grad_outputs = {f64({1, 1}), f64({1, 0})}})
  T.allclose(g2[1]:totable(), {4, 2})        -- 2 + 2a*[1,0]
  -- unused inputs
  local u = leaf({5})
  T.errors("input 2 was not used", function() torch.autograd.grad((a * 2):sum(), {a, u}) end)
  local g3 = torch.autograd.grad((a * 2):sum(), {a, u}, {allow_unused = true})
  T.eq(g3[2], nil)
  T.errors("input 1 does not require grad", function() torch.autograd.grad((a * 2):sum(), f64({1})) end)
end)

T.test("create_graph gives second derivatives (Hessian-vector products)", function()
  local x = leaf({1, 2, 3})
  local y = (x ^ 3):sum()
  local g = torch.autograd.grad(y, x, {create_graph = true})[1]    -- 3x^2
  T.allclose(g:totable(), {3, 12, 27})
  T.truthy(g.grad_fn ~= nil, "the gradient has a graph")
  local v = f64({1, 0, 2})
  local hv = torch.autograd.grad((g * v):sum(), x)[1]              -- 6x * v
  T.allclose(hv:totable(), {6, 0, 36})
  -- gradient penalty style: backward through a gradient into .grad
  local w = leaf({2})
  local gw = torch.autograd.grad((w * w * w):sum(), w, {create_graph = true})[1]   -- 3w^2
  local penalty = (gw * gw):sum(); penalty:backward()      -- d(9w^4) = 36 w^3
  T.allclose(w.grad:totable(), {288})
end)

T.test("gradcheck reports the element where a wrong gradient differs", function()
  local Bad = torch.autograd.Function:extend("Bad")
  function Bad.forward(ctx, x) return x * x end
  function Bad.backward(ctx, g) return g end        -- wrong: should be 2x g
  local x = f64({1.5, 2}):requires_grad_()
  T.errors("Jacobian mismatch for output 1 (2 (float64)) with respect to input 1 (2 (float64)), output element 1, input element 1: numerical 3",
    function() torch.autograd.gradcheck(Bad.apply, {x}) end)
end)

T.test("custom functions: forward, backward, saved tensors, gradcheck", function()
  local Cube = torch.autograd.Function:extend("Cube")
  function Cube.forward(ctx, x, k)
    ctx:save_for_backward(x)
    ctx.k = k
    return x ^ 3 * k
  end
  function Cube.backward(ctx, g)
    local x = ctx.saved_tensors[1]
    return g * x ^ 2 * 3 * ctx.k, nil
  end
  local x = leaf({1, 2})
  local y = Cube.apply(x, 2)
  T.eq(tostring(y.grad_fn), "CubeBackward")
  y:sum():backward()
  T.allclose(x.grad:totable(), {6, 24})
  local z = leaf({0.3, -0.7, 1.1})
  T.truthy(torch.autograd.gradcheck(function(a) return Cube.apply(a, 1.5) end, {z}))
  T.truthy(torch.autograd.gradgradcheck(function(a) return Cube.apply(a, 1.5) end, {z}))
  -- two outputs, one of them unused
  local Split = torch.autograd.Function:extend("Split")
  function Split.forward(ctx, a) return a * 2, a * 3 end
  function Split.backward(ctx, g1, g2) return g1 * 2 + g2 * 3 end
  local p, q = Split.apply(x)
  q:sum():backward()
  T.allclose(x.grad:totable(), {9, 27})
  -- an output saved for backward, then modified in place
  local Exp = torch.autograd.Function:extend("MyExp")
  function Exp.forward(ctx, a) local r = a:exp(); ctx:save_for_backward(r); return r end
  function Exp.backward(ctx, g) return g * ctx.saved_tensors[1] end
  local r = Exp.apply(leaf({0}))
  r:add_(1)
  T.errors("MyExpBackward: saved tensor 1 has been modified by an in-place operation",
    function() r:sum():backward() end)
  -- an error in backward ends backward with its message
  local Err = torch.autograd.Function:extend("Err")
  function Err.forward(ctx, a) return a * 1 end
  function Err.backward() error("no gradient for you") end
  T.errors("no gradient for you", function() Err.apply(leaf({1})):sum():backward() end)
end)

T.test("graphs are freed: a training-style loop runs in flat memory", function()
  torch.manual_seed(1)
  local w1 = torch.randn(8, 16):requires_grad_()
  local w2 = torch.randn(16, 1):requires_grad_()
  local x = torch.randn(32, 8)
  local function step()
    local h = (x:matmul(w1)):tanh()
    local loss = (h:matmul(w2) ^ 2):mean()
    loss:backward()
    torch.no_grad(function()
      w1:sub_(w1.grad * 1e-3); w2:sub_(w2.grad * 1e-3)
      w1.grad:zero_(); w2.grad:zero_()
    end)
  end
  for _ = 1, 200 do step() end
  collectgarbage()
  local before = torch.memory()
  for _ = 1, 10000 do step() end
  collectgarbage()
  T.truthy(torch.memory() <= before + 4096, "memory after 10,000 steps: " .. torch.memory() .. " vs " .. before)
end)

T.test("a graph kept only by a collected output is freed", function()
  collectgarbage()
  local before = torch.memory()
  -- In a function of its own: temporaries left in a frame's registers stay
  -- reachable until the frame returns.
  local function make()
    local x = torch.randn(1000, {dtype = "float64"}):requires_grad_()
    local y = (x:exp() * x):tanh()        -- saved tensors: 3 x 8 KB
    T.eq(y.requires_grad, true)
  end
  make()
  collectgarbage()
  T.eq(torch.memory(), before)
end)

-- Regression (found by the bad-input sweep): a leaf given as the output of
-- backward reaches its own accumulator, which nothing else owned.
T.test("backward of a leaf accumulates the given gradient into it", function()
  local x = torch.randn(2, 3, {dtype = "float64"}):requires_grad_()
  torch.autograd.backward({x}, {torch.ones(2, 3, {dtype = "float64"})})
  x:backward(torch.ones(2, 3, {dtype = "float64"}) * 2)
  T.eq(x.grad:sum():item(), 18)
end)

-- Regression: the list built from the first argument was taken for grad_tensors.
T.test("torch.autograd.backward and grad take their tensors without the optional arguments", function()
  local x = torch.tensor({1.0, 2}, {requires_grad = true})
  torch.autograd.backward(x:sum())
  torch.autograd.backward({(x * x):sum()})
  T.allclose(x.grad:totable(), {3, 5})
  T.allclose(torch.autograd.grad((x * x):sum(), x)[1]:totable(), {2, 4})
end)
