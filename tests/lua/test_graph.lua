-- test_graph.lua — pictures of the graph and forward traces:
-- torch.autograd.dot (checked by Graphviz's own parser when `dot` is
-- installed), draw, print_graph, and torch.autograd.trace, which must list
-- the ops in the order they ran with their shapes and values.
local T = require "testing"

local A = torch.autograd

local function scalar(v) return torch.tensor(v, {requires_grad = true}) end

local function have_dot()
  local ok = os.execute("command -v dot >/dev/null 2>&1")
  return ok == true or ok == 0
end

-- Whether Graphviz accepts `text` (nil, with a visible note, when it is absent).
local function dot_accepts(text)
  if not have_dot() then
    io.stderr:write("SKIP test_graph.lua: Graphviz's dot is not installed, DOT output not parsed\n")
    return nil
  end
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  local ok = os.execute("dot -Tsvg " .. path .. " -o /dev/null 2>/dev/null")
  os.remove(path)
  return ok == true or ok == 0
end

T.test("dot: a box per value, an oval per op, accepted by Graphviz", function()
  local w, x, b = scalar(3.0), scalar(2.0), scalar(1.0)
  local y = (w * x + b) ^ 2
  local text = A.dot(y)
  T.truthy(text:match("^digraph autograd {"), "a digraph")
  T.truthy(text:find('label="{ w | data 3 }"', 1, true), text)
  T.truthy(text:find('label="{ y | data 49 }"', 1, true))
  T.truthy(text:find('label="Mul", shape=ellipse', 1, true))
  T.truthy(text:find('label="2"', 1, true), "the exponent is a constant")
  local edges = select(2, text:gsub("%->", ""))
  T.eq(edges, 9)                   -- 3 ops: 2 + 2 + 1 inputs, 1 output each, the constant
  T.truthy(dot_accepts(text) ~= false, "dot parses the output")
  -- after explain every value knows its gradient
  local story = A.explain(y)
  local with = story:dot()
  T.truthy(with:find('label="{ w | data 3 | grad 28 }"', 1, true), with)
  T.truthy(with:find('label="{ y | data 49 | grad 1 }"', 1, true))
  T.truthy(dot_accepts(with) ~= false)
  -- leaves show their .grad afterwards, and names that need escaping are escaped
  T.truthy(A.dot(w * 1):find("grad 28", 1, true))
end)

T.test("dot writes large tensors as their shape", function()
  local m = torch.randn(5, 5, {requires_grad = true})
  local text = A.dot(m:matmul(m):sum())
  T.truthy(text:find("{ m | 5x5 }", 1, true), text)
  T.eq(text:find("data [[", 1, true), nil, "large values are not written out")
  T.truthy(dot_accepts(text) ~= false)
end)

T.test("draw renders with dot, and says how to get it otherwise", function()
  local x = scalar(2.0)
  local y = x * x
  T.errors("draw: the file name must end in .svg, .png or .pdf", function() A.draw(y, "graph.txt") end)
  if not have_dot() then
    T.errors("apt-get install graphviz", function() A.draw(y, "/tmp/never.svg") end)
    io.stderr:write("SKIP test_graph.lua: draw not run, Graphviz's dot is not installed\n")
    return
  end
  local path = os.tmpname() .. ".svg"
  T.eq(A.draw(y, path), path)
  local f = assert(io.open(path))
  local svg = f:read("a")
  f:close()
  os.remove(path)
  T.truthy(svg:find("<svg", 1, true), "an SVG file")
  T.truthy(svg:find("Mul", 1, true))
end)

local function tree_of(y)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  A.print_graph(y, {file = f})
  f:close()
  f = assert(io.open(path))
  local text = f:read("a")
  f:close()
  os.remove(path)
  return text
end

T.test("print_graph draws the graph as a tree", function()
  local w, x = scalar(3.0), scalar(2.0)
  local y = (w * x) + (w * x):exp() * 0
  local text = tree_of(y)
  local lines = {}
  for line in text:gmatch("[^\n]+") do lines[#lines + 1] = line end
  T.truthy(lines[1]:find("^y = t%d+ %+ t%d+  AddBackward"), lines[1])
  T.truthy(text:find("├─ t1 = w*x  MulBackward", 1, true), text)
  T.truthy(text:find("w  leaf   value 3", 1, true))
  T.truthy(text:find("0  constant", 1, true))
  T.eq(text:find("\27[", 1, true), nil, "no colour in a file")
  y:backward()
  T.truthy(tree_of(y * 1):find("w  leaf   value 3, grad 2", 1, true))
  T.errors("print_graph: the tensor has no graph", function() A.print_graph(torch.ones(2)) end)
end)

T.test("a shared value appears once, then as 'shown above'", function()
  local x = scalar(1.0)
  local h = x:exp()
  local y = h * h + h
  local text = tree_of(y)
  T.truthy(text:find("(shown above)", 1, true), text)
  local _, exps = text:gsub("ExpBackward", "")
  T.eq(exps, 1)
end)

T.test("trace lists the ops in the order they ran, with shapes and values", function()
  local w = torch.tensor({{1.0, 2.0}, {3.0, 4.0}}, {requires_grad = true})
  local x = torch.tensor({1.0, -1.0})
  local b = torch.tensor({0.5, -0.5}, {requires_grad = true})
  local line = debug.getinfo(1, "l").currentline
  local listing, y, extra = A.trace(function(k)
    local h = w:mv(x) + b
    return h:relu():sum() * k, "extra"
  end, 2)
  T.eq(extra, "extra", "fn's results come back after the listing")
  T.eq(y:item(), 0)
  local names = {}
  for i, op in ipairs(listing.ops) do names[i] = op.node end
  T.eq(table.concat(names, " "), "MvBackward AddBackward ReluBackward SumBackward MulBackward")
  local mv = listing.ops[1]
  T.eq(mv.expr, "w@x")
  T.eq(mv.inputs[1].label, "w")
  T.eq(mv.inputs[2].label, "x")
  T.allclose(mv.inputs[2].value:totable(), {1, -1})
  T.allclose(mv.outputs[1].value:totable(), {-1, -1})
  T.eq(#mv.outputs[1].shape, 1)
  T.truthy(mv.origin:find("test_graph.lua:" .. (line + 2) .. ": local h = w:mv(x) + b", 1, true), mv.origin)
  T.eq(listing.ops[5].expr, "t4*2")
  T.eq(listing.ops[5].inputs[2].label, "2")
  local text = listing:text({colour = false})
  T.truthy(text:find("5 ops recorded", 1, true))
  T.truthy(text:find("t1 = w@x", 1, true))
  T.truthy(text:find("w = [[1, 2], [3, 4]], x = [1, -1]  ->  t1 = [-1, -1]", 1, true), text)
  T.eq(A.is_tracing(), false, "teaching mode ends with the trace")
  -- the traced graph explains with values known
  local story = A.explain(y)
  T.truthy(story:text({colour = false}):find("t2 = w@x + b = [-0.5, -1.5]", 1, true))
end)

T.test("trace passes errors through and ends teaching mode", function()
  T.errors("boom", function() A.trace(function() error("boom") end) end)
  T.eq(A.is_tracing(), false)
  T.errors("trace: expected a function", function() A.trace(42) end)
  local listing = A.trace(function() return torch.ones(2) * 2 end)
  T.eq(#listing.ops, 0, "ops on tensors that need no gradient are not recorded")
end)
