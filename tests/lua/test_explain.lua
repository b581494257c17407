-- test_explain.lua — torch.autograd.explain and torch.autograd.stepper: the
-- narrative's numbers read back equal the engine's gradients, explain leaves
-- exactly the .grad a plain backward leaves (checked against backward on
-- clones of the same inputs), the stepper runs every node once, and the
-- derivative formulas beside the ops parse for every op kind.  Teaching mode
-- (set_trace) and its zero cost when off are checked here too.
local T = require "testing"
local D = require "torch.describe"

local A = torch.autograd

local function scalar(v) return torch.tensor(v, {requires_grad = true}) end

-- "[1, 2]" / "[[1, 2], [3, 4]]" / "28" as Lua values.
local function parse(text)
  local lua = text:gsub("%[", "{"):gsub("%]", "}")
  return assert(load("return " .. lua))()
end

local function plain(x) return x:text({colour = false}) end

-- The "name.grad = value" of each leaf, from the narrative's text.
local function leaf_grads(text)
  local found = {}
  for name, value in text:gmatch("\n    leaf%s+([%w_]+)%.grad = ([^\n]+)") do
    found[name] = parse(value:match("= ([^=]+)$") or value)
  end
  return found
end

T.test("the issue's example: y = (w*x + b)^2 at w = 3, x = 2, b = 1", function()
  local w, x, b = scalar(3.0), scalar(2.0), scalar(1.0)
  local y = (w * x + b) ^ 2
  local text = plain(A.explain(y))
  T.truthy(text:find("backward of y = (w*x + b)^2 = 49", 1, true), "the title shows y and 49")
  T.truthy(text:find("d(t2^2)/dt2 = 2*t2^(2-1) = 14   dy/dt2 = 1 * 14 = 14", 1, true), "pow step")
  T.truthy(text:find("d(t1 + b)/db = 1    dy/db = 14 * 1 = 14", 1, true), "add step")
  T.truthy(text:find("d(w*x)/dw = x = 2   dy/dw = 14 * 2 = 28", 1, true), "mul step, w")
  T.truthy(text:find("d(w*x)/dx = w = 3   dy/dx = 14 * 3 = 42", 1, true), "mul step, x")
  T.truthy(text:find("MulBackward: t1 = w*x", 1, true), "the op and its expression")
  local grads = leaf_grads(text)
  T.eq(grads.w, 28)
  T.eq(grads.x, 42)
  T.eq(grads.b, 14)
  T.eq(w.grad:item(), 28)
  T.eq(x.grad:item(), 42)
  T.eq(b.grad:item(), 14)
end)

T.test("the narrative's numbers read back equal the engine's gradients", function()
  torch.manual_seed(7)
  local W = torch.randn(2, 3, {dtype = "float64", requires_grad = true})
  local v = torch.randn(3, {dtype = "float64", requires_grad = true})
  local c = torch.randn(2, {dtype = "float64", requires_grad = true})
  local loss = ((W:mv(v) + c):sigmoid() * c):sum()
  local story = A.explain(loss)
  local text = plain(story)
  local grads = leaf_grads(text)
  T.allclose(grads.W, W.grad:totable(), 1e-3)
  T.allclose(grads.v, v.grad:totable(), 1e-3)
  T.allclose(grads.c, c.grad:totable(), 1e-3)
  -- every chain-rule line "dloss/dX = U * L = G" multiplies out
  for u, l, g in text:gmatch("dloss/d[%w_]+ = (%S+) %* (%S+) = (%S+)\n") do
    T.close(parse(u) * parse(l), parse(g), 1e-5)
  end
  -- and the data behind the text are the engine's tensors
  for _, step in ipairs(story.steps) do
    for _, gr in ipairs(step.grads) do
      T.truthy(torch.is_tensor(gr.grad), "each gradient is kept")
      if gr.local_value and step.upstream[1].grad:numel() == 1 then
        T.allclose((gr.local_value * step.upstream[1].grad:item()):totable(), gr.grad:totable(), 1e-12)
      end
    end
  end
end)

-- f(inputs) builds a graph; explain on one set of leaves and backward on
-- clones of them must leave bit-for-bit the same .grad.
local function same_as_backward(f, values, opts)
  local a, b = {}, {}
  for i, v in ipairs(values) do
    a[i] = torch.tensor(v, {dtype = "float64", requires_grad = true})
    b[i] = a[i]:detach():clone():requires_grad_()
  end
  if opts and opts.grad_before then
    for i = 1, #a do
      a[i].grad = torch.ones_like(a[i]:detach())
      b[i].grad = torch.ones_like(b[i]:detach())
    end
  end
  A.explain(f(table.unpack(a)))
  f(table.unpack(b)):backward()
  for i = 1, #a do
    if b[i].grad == nil then
      T.eq(a[i].grad, nil)
    else
      T.eq((a[i].grad - b[i].grad):abs():max():item(), 0, "input " .. i)
    end
  end
end

T.test("explain leaves exactly the .grad that backward leaves", function()
  same_as_backward(function(w, x, b) return (w * x + b) ^ 2 end, {3, 2, 1})
  -- x used on two paths, broadcasting, reductions
  same_as_backward(function(x, s) return (x * s):sum() + (x ^ 2):mean() end, {{1, 2, 3}, 0.5})
  -- matrices, views, a unary op, a non-differentiated input
  same_as_backward(function(m, v)
    return m:matmul(v:view(3, 1)):tanh():t():sum() + m[1]:sum()
  end, {{{1, 2, 3}, {4, 5, 6}}, {0.1, -0.2, 0.3}})
  -- gradients already in .grad are added to, as backward does
  same_as_backward(function(x, y) return (x * y):exp():sum() end, {{0.1, 0.2}, {1, 2}},
    {grad_before = true})
  -- a custom function written in Lua
  local Cube = A.Function:extend("Cube")
  function Cube.forward(ctx, v) ctx:save_for_backward(v); return v ^ 3 end
  function Cube.backward(ctx, g) return g * 3 * ctx.saved_tensors[1] ^ 2 end
  same_as_backward(function(x) return Cube.apply(x):sum() end, {{1, -2}})
end)

T.test("explain frees the graph as backward does, unless retain_graph", function()
  local x = scalar(2.0)
  local y = x * x
  A.explain(y)
  T.errors("backward through the graph a second time", function() y:backward() end)
  local z = x * x
  A.explain(z, {retain_graph = true})
  z:backward()
  T.eq(x.grad:item(), 4 + 4 + 4)
  -- a gradient for a non-scalar output, given as in backward
  local v = torch.tensor({1.0, 2.0}, {requires_grad = true})
  A.explain(v * 3, torch.tensor({1.0, -1.0}))
  T.allclose(v.grad:totable(), {3, -3})
end)

T.test("explain's errors name it and say what to do", function()
  local v = torch.tensor({1.0, 2.0}, {requires_grad = true})
  T.errors("explain: grad can be implicitly created only for outputs with one element",
    function() A.explain(v * 2) end)
  T.errors("explain: output 1 does not require grad", function() A.explain(torch.ones(1)) end)
  T.errors("explain: unknown option 'retain'", function() A.explain(v:sum(), {retain = true}) end)
  T.errors("explain: expected a tensor", function() A.explain("y") end)
  T.errors("stepper: unknown option 'x'", function() A.stepper(v:sum(), {x = 1}) end)
end)

local function count_nodes(y)
  local seen, count, stack = {}, 0, {y.grad_fn}
  while #stack > 0 do
    local n = table.remove(stack)
    if not seen[n] then
      seen[n] = true
      count = count + 1
      for _, edge in ipairs(n.next_functions) do
        if edge[1] then stack[#stack + 1] = edge[1] end
      end
    end
  end
  return count
end

T.test("the stepper runs every node once, one step at a time", function()
  local w, x = scalar(3.0), scalar(2.0)
  local y = (w * x) * (w + x)                     -- w and x each reached by two paths
  local nodes = count_nodes(y)
  local s = A.stepper(y)
  T.truthy(tostring(s):find("0 steps taken", 1, true))
  local first = s:step()
  T.eq(first.node, "MulBackward")
  T.eq(first.index, 1)
  local state = plain(s:state())
  T.truthy(state:find("w.grad = (nothing has reached it yet)", 1, true), state)
  T.truthy(state:find("waiting in", 1, true), "gradients waiting at nodes not run yet")
  local seen, steps = {[first.grad_fn] = true}, 1
  while true do
    local step = s:step()
    if not step then break end
    T.eq(seen[step.grad_fn], nil, "a node ran twice")
    seen[step.grad_fn] = true
    steps = steps + 1
  end
  T.eq(steps, nodes)
  T.eq(s:step(), nil)
  T.eq(w.grad:item(), 2 * 3 * 2 + 2 * 2)          -- d/dw (w x (w + x)) = 2wx + x^2
  T.eq(x.grad:item(), 3 * 3 + 2 * 3 * 2)          -- w^2 + 2wx
  local final = plain(s:state())
  T.truthy(final:find("(finished)", 1, true))
  T.truthy(final:find("w.grad = 16", 1, true), final)
  -- run() finishes what is left and tells the whole story
  local story = A.stepper((w * x):exp()):run()
  T.eq(#story.steps, 4)
end)

T.test("gradients meeting from two paths are shown adding up", function()
  local x = scalar(3.0)
  local y = x * 2 + x ^ 2
  local text = plain(A.explain(y))
  T.truthy(text:find("dy/dx = 6 (from t2) + 2 (from t1) = 8", 1, true), text)
  T.truthy(text:find("2 paths meet here", 1, true))
  T.eq(x.grad:item(), 8)
end)

T.test("a leaf's earlier .grad shows in its step", function()
  local x = scalar(1.0)
  x.grad = torch.tensor(5.0)
  local text = plain(A.explain(x * 3))
  T.truthy(text:find("x.grad = 5 + 3 = 8", 1, true), text)
end)

T.test("every op's formula parses, with one letter per input", function()
  local x = torch.tensor({{0.5, -1.0}, {2.0, 0.25}}, {requires_grad = true})
  local v = torch.tensor({1.0, 2.0}, {requires_grad = true})
  local outputs = {
    x + v, x - v, x * v, x / v, x ^ 2, torch.maximum(x, v:view(1, 2)), x:abs(), x:exp(), x:abs():log(),
    x:sigmoid(), x:tanh(), x:relu(), x:sin(), x:sum(), x:mean(), x:sum(1), x:max(), x:matmul(x),
    x:mv(v), v:dot(v), x:t(), x:transpose(1, 2), x:view(4), x:reshape(4), x:unsqueeze(1),
    x:expand(3, 2, 2), x[1], x:narrow(2, 1, 1), x:softmax(2), x:log_softmax(2), x:cumsum(1),
    torch.cat({x, x}, 1), torch.stack({v, v}), torch.where(x:gt(0), x, v), x:clamp(0, 1),
    x:std(), x:var(), x:norm(), x:logsumexp(2), x:clone(), x:prod(), x:permute(2, 1), x:flip(1),
    torch.addmm(v, x, x), x:gather(2, torch.tensor({{1}, {2}})), x:index_select(1, torch.tensor({2})),
    x:masked_fill(x:lt(0), 0), x:tril(), x:diag(), x:cumprod(2), x:flatten(), x:lerp(x * 2, 0.5),
  }
  local img = torch.randn(1, 2, 4, 4, {requires_grad = true})
  local w, b = torch.ones(2, {requires_grad = true}), torch.zeros(2, {requires_grad = true})
  for _, y in ipairs({F.max_pool2d(img, 2), F.avg_pool2d(img, 2), F.adaptive_avg_pool2d(img, 1),
    F.dropout(img, {p = 0.5, training = true}), F.layer_norm(img, {4}),
    F.batch_norm(img, nil, nil, {weight = w, bias = b, training = true}),
    F.group_norm(img, 1, {weight = w, bias = b}), F.embedding(torch.tensor({1, 2}), img:view(8, 4)),
    F.cross_entropy(x, torch.tensor({1, 2})), F.nll_loss(x, torch.tensor({2, 1})),
    F.binary_cross_entropy(v:sigmoid(), torch.tensor({0.0, 1.0})),
    F.binary_cross_entropy_with_logits(v, torch.tensor({1.0, 0.0})), F.leaky_relu(x, 0.1), F.elu(x),
    F.softplus(x), F.hardtanh(x), nn.LSTM(2, 2)(x:view(2, 1, 2)), nn.GRU(2, 2)(x:view(2, 1, 2)),
    nn.GRU(2, 2, {bias = false})(x:view(2, 1, 2)), nn.RNN(2, 2)(x:view(2, 1, 2)),
    nn.RNN(2, 2, {nonlinearity = "relu"})(x:view(2, 1, 2))}) do
    outputs[#outputs + 1] = y
  end
  local kinds = 0
  for _, y in ipairs(outputs) do
    local info = A._node(y.grad_fn)
    local f = D.parse_formula(info.formula, #info.inputs)
    T.truthy(f, info.name .. " has a formula that parses: " .. tostring(info.formula))
    T.truthy(f.variadic or #f.vars == #info.inputs,
      string.format("%s: %d letters for %d inputs", info.name, #f.vars, #info.inputs))
    for i, input in ipairs(info.inputs) do
      if input.node then T.truthy(f.clauses[i], info.name .. ": a clause for input " .. i) end
    end
    kinds = kinds + 1
  end
  T.truthy(kinds > 50)
end)

T.test("softmax + cross-entropy: the local derivative is (softmax(z) - onehot(y))/N", function()
  local z = torch.tensor({{2.0, 1.0, 0.1}}, {dtype = "float64", requires_grad = true})
  local target = torch.tensor({1})
  local story = A.explain(F.cross_entropy(z, target))
  local text = plain(story)
  -- the target needs no gradient, so nothing records its name outside teaching mode
  T.truthy(text:find("y = cross_entropy(z, c1)", 1, true), text)
  T.truthy(text:find("d(cross_entropy(z, c1))/dz = (softmax(z) - onehot(c1))/N", 1, true), text)
  local traced = plain(A.explain(function() return F.cross_entropy(z, target) end))
  T.truthy(traced:find("y = cross_entropy(z, target)", 1, true), traced)
  local want = z:detach():softmax(2)
  want[1][1] = want[1][1] - 1
  T.allclose(story.steps[1].grads[1].local_value:totable(), want:totable(), 1e-12)
end)

T.test("expressions are written with the program's names and sensible parentheses", function()
  local a, b = scalar(1.0), scalar(2.0)
  local function full(y)
    local g = D.graph(y.grad_fn)
    D.label(g, {{"a", a}, {"b", b}}, y)
    return g.full[y.grad_fn]
  end
  T.eq(full((a + b) * a), "(a + b)*a")
  T.eq(full(a * b + a), "a*b + a")
  T.eq(full(a - (b - a)), "a - (b - a)")
  T.eq(full((a * b) ^ 2), "(a*b)^2")
  T.eq(full(-(a + b)), "-(a + b)")
  T.eq(full((a + b):exp()), "exp(a + b)")
  T.eq(full((a + b):sum()), "sum(a + b)")
  T.eq(full((a / (a * b))), "a/(a*b)")
  T.eq(D.fill("x:view(shape)", {x = "a + b"}), "(a + b):view(shape)")
end)

T.test("teaching mode records where each op was made, and costs nothing when off", function()
  local w, x = scalar(3.0), scalar(2.0)
  local plain_node = A._node((w * x).grad_fn)
  T.eq(plain_node.origin, nil)
  T.eq(plain_node.inputs[1].name, nil)
  T.eq(A.is_tracing(), false)
  A.set_trace(true)
  T.eq(A.is_tracing(), true)
  local here = debug.getinfo(1, "l").currentline + 1
  local z = w * x + 1
  A.set_trace(false)
  local info = A._node(z.grad_fn)
  T.truthy(info.origin:find("test_explain.lua:" .. here, 1, true), info.origin)
  T.eq(info.outputs[1]:item(), 7)
  local mul = A._node(info.inputs[1].node)
  T.eq(mul.inputs[1].name, "w")
  T.eq(mul.inputs[2].name, "x")
  T.eq(mul.inputs[1].value:item(), 3)
  local text = plain(A.explain(z))
  T.truthy(text:find("local z = w * x + 1", 1, true), "the source line is quoted")
  T.truthy(text:find("t1 = w*x = 6", 1, true), "intermediate values are known")
end)

T.test("explain(fn) runs fn in teaching mode first", function()
  local w, x = scalar(3.0), scalar(2.0)
  local story = A.explain(function() return (w * x):sigmoid() end)
  local text = plain(story)
  T.truthy(text:find("t1 = w*x = 6", 1, true), text)
  T.close(w.grad:item(), 2 * (1 / (1 + math.exp(-6))) * (1 - 1 / (1 + math.exp(-6))), 1e-6)
  T.eq(A.is_tracing(), false)
end)

T.test("colour only when asked or on a terminal", function()
  local x = scalar(1.0)
  local story = A.explain(x * 2)
  T.truthy(story:text({colour = true}):find("\27[", 1, true))
  T.eq(story:text({colour = false}):find("\27[", 1, true), nil)
  T.eq(tostring(story):find("\27[", 1, true), nil)      -- the test's stdout is not a terminal
  T.eq(torch.isatty(io.stdout), false)
end)

T.test("an abandoned stepper lets go of its graph", function()
  local x = torch.tensor({1.0, 2.0}, {requires_grad = true})
  collectgarbage()
  collectgarbage()
  local before = torch.memory()
  do
    local big = torch.ones(1000, {requires_grad = true})
    local s = A.stepper((big * x:sum()):exp():sum())
    s:step()
    s:step()
  end
  collectgarbage()
  collectgarbage()
  T.eq(torch.memory(), before)
  -- the stepper keeps the graph alive when the program drops the output
  local s = A.stepper((x * 3):sum())
  s:step()
  collectgarbage()
  T.truthy(s:step(), "the next node still runs")
  s:run()
  T.allclose(x.grad:totable(), {3, 3})
  x.grad = nil
  -- and the graph a stepper finished with retain_graph can run again
  local y = (x * x):sum()
  A.stepper(y, {retain_graph = true}):run()
  y:backward()
  T.allclose(x.grad:totable(), {4, 8})
end)
