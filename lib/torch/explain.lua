-- explain.lua — torch.autograd.explain and torch.autograd.stepper: the
-- backward pass told as a story, one step per graph node in the order the
-- engine runs them.
--
--   w, x, b = torch.tensor(3.0, {requires_grad = true}), ...
--   y = (w*x + b)^2
--   print(torch.autograd.explain(y))      -- runs y:backward() and says how
--
-- Both run the engine's own backward (torch.autograd._run, the C engine one
-- node at a time), so they leave exactly the .grad that y:backward() leaves
-- and free the graph the same way (unless {retain_graph = true}).  Each step
-- shows the node and its forward expression, the gradient that reached it
-- (and how gradients from several paths added up), the local derivative of
-- each input as a formula with its value, and the chain-rule product each
-- input receives.  The local derivative's value is the engine's gradient
-- divided by the upstream one, so the arithmetic shown is the arithmetic done.
-- Steps are data as well as text: narrative.steps[i].grads[j].grad, ...
local torch = require "torch"
local autograd = torch.autograd
local D = require "torch.describe"

local key = D.key

-- A number written after an operator: -3 as (-3).
local function signed(text)
  return text:sub(1, 1) == "-" and "(" .. text .. ")" or text
end

-- ---- one step ----------------------------------------------------------------------

local Step = {}
Step.__index = Step

-- The text of a step, as rows {left, middle, right} aligned per step.
function Step:lines(paint)
  local rows, out = {}, {}
  local head = paint.name(string.format("[%d] %s", self.index, self.node))
  if self.leaf then
    head = head .. ": " .. paint.name(self.leaf.name .. ".grad") .. " += " .. self.upstream[1].name
  elseif self.expr then
    local value = self.value and " = " .. paint.number(self.value) or ""
    head = head .. ": " .. paint.name(self.output) .. " = " .. self.expr .. value
  end
  if self.origin then head = head .. paint.note("   (" .. self.origin .. ")") end
  out[1] = head
  local known = {}
  for _, input in ipairs(self.inputs) do
    if input.definition or input.value then
      local text = paint.name(input.label)
      if input.definition then text = text .. " = " .. input.definition end
      if input.value then text = text .. " = " .. paint.number(input.value) end
      known[#known + 1] = text
    end
  end
  if #known > 0 then rows[#rows + 1] = {"inputs", table.concat(known, ", ")} end
  for _, up in ipairs(self.upstream) do
    local text = up.name .. " = " .. paint.number(up.text)
    if up.arrivals and #up.arrivals > 1 then
      local parts = {}
      for i, a in ipairs(up.arrivals) do
        parts[i] = paint.number(i > 1 and signed(a.text) or a.text) .. " (from " .. a.from .. ")"
      end
      text = up.name .. " = " .. table.concat(parts, " + ") .. " = " .. paint.number(up.text)
      rows[#rows + 1] = {"upstream", text}
      rows[#rows + 1] = {"", paint.note(#up.arrivals .. " paths meet here: their gradients add up")}
    else
      rows[#rows + 1] = {"upstream", text}
    end
  end
  for _, gr in ipairs(self.grads) do
    rows[#rows + 1] = {"to " .. gr.label, gr.formula, gr.product}
  end
  if self.leaf then
    local l = self.leaf
    local text = l.before and l.name .. ".grad = " .. paint.number(l.before) .. " + "
      .. paint.number(signed(self.upstream[1].text)) .. " = " .. paint.good(l.after)
      or l.name .. ".grad = " .. paint.good(l.after)
    rows[#rows + 1] = {"leaf", text}
  end
  local w1, w2 = 0, 0
  for _, r in ipairs(rows) do
    w1 = math.max(w1, D.width(r[1]))
    if r[3] then w2 = math.max(w2, D.width(r[2])) end
  end
  for _, r in ipairs(rows) do
    local line = "    " .. D.pad(r[1], w1) .. "  " .. (r[3] and D.pad(r[2], w2) .. "   " .. r[3] or r[2])
    out[#out + 1] = line:gsub("%s+$", "")
  end
  return out
end

function Step:text(opts)
  return table.concat(self:lines(D.paint(opts, self.colour)), "\n")
end

Step.__tostring = function(self) return self:text() end

-- ---- the whole pass ----------------------------------------------------------------

local Narrative = {}
Narrative.__index = Narrative

function Narrative:text(opts)
  local paint = D.paint(opts, self.colour)
  local out = {self.title}
  for _, step in ipairs(self.steps) do
    out[#out + 1] = ""
    for _, line in ipairs(step:lines(paint)) do out[#out + 1] = line end
  end
  local leaves = {}
  for _, step in ipairs(self.steps) do
    if step.leaf then leaves[#leaves + 1] = step.leaf.name .. ".grad = " .. paint.good(step.leaf.after) end
  end
  if #leaves > 0 then
    out[#out + 1] = ""
    out[#out + 1] = "gradients: " .. table.concat(leaves, ", ")
  end
  return table.concat(out, "\n")
end

Narrative.__tostring = function(self) return self:text() end

--- The graph as Graphviz DOT with every gradient of this pass written in.
function Narrative:dot()
  return require("torch.graph").dot_text(self.g, self.grads)
end

-- ---- the stepper -------------------------------------------------------------------

local Stepper = {}
Stepper.__index = Stepper

local OPTIONS = {retain_graph = true, create_graph = true, colour = true}

-- y, grad, opts from explain(y), explain(y, grad), explain(y, opts), explain(y, grad, opts).
local function arguments(fname, y, grad, opts)
  if type(grad) == "table" and not torch.is_tensor(grad) and opts == nil then grad, opts = nil, grad end
  opts = opts or {}
  for k in pairs(opts) do
    if not OPTIONS[k] then error(string.format("%s: unknown option '%s'", fname, tostring(k)), 4) end
  end
  if not torch.is_tensor(y) then
    error(string.format("%s: expected a tensor (or a function returning one), got %s", fname, type(y)), 4)
  end
  return y, grad, opts
end

local function rename(msg, fname)
  return (tostring(msg):gsub("^backward: ", fname .. ": "))
end

function Stepper.new(fname, level, y, grad, opts)
  local scope = {}
  if type(y) == "function" then                   -- explain(fn): its forward in teaching mode
    local fn = y
    for i = 1, 250 do
      local name, v = debug.getupvalue(fn, i)
      if not name then break end
      if torch.is_tensor(v) then scope[#scope + 1] = {name, v} end
    end
    y = select(2, autograd._traced(fn))
  end
  y, grad, opts = arguments(fname, y, grad, opts)
  for _, entry in ipairs(D.scope(level + 1)) do scope[#scope + 1] = entry end
  local ok, run = pcall(autograd._run, y, grad, opts)
  if not ok then error(rename(run, fname), level + 1) end
  local self = setmetatable({fname = fname, pass = run, steps = {}, arrivals = {}, ran = {},
    grads = {}, colour = opts.colour}, Stepper)
  local node, nr = autograd._edge(y)
  local g = D.graph(node)
  D.label(g, scope, y)
  self.g, self.root = g, y
  local root_key = key(node, nr)
  self.root_name = g.label[root_key]
  local seed = grad and D.keep(grad) or torch.ones_like(y:detach())
  self.arrivals[root_key] = {{from = "the seed", grad = seed}}
  self.before = {}
  for _, n in ipairs(g.nodes) do
    local v = g.info[n].variable
    if v and v.grad then self.before[n] = D.keep(v.grad) end
  end
  local name = self.root_name
  local shown = g.full[node] and g.full[node] ~= name and " = " .. g.full[node] or ""
  self.title = string.format("backward of %s%s = %s, starting from d%s/d%s = %s", name, shown,
    D.value(y), name, name, D.value(seed))
  return self
end

-- d<root>/d<label>
function Stepper:dname(label)
  return "d" .. self.root_name .. "/d" .. label
end

-- What input i received: the formula with names, the local derivative's
-- value (grad / upstream, when that division is the chain rule: the same
-- shape or a one-element upstream, and no zeros in it) and the product.
function Stepper:input_grad(node, i, upstream, grad, upname)
  local g = self.g
  local info, f = g.info[node], g.formula[node]
  local input = info.inputs[i]
  local gr = {input = i, label = input.label, grad = grad}
  local dname, grad_text = self:dname(input.label), D.value(grad)
  local clause = f and f.clauses[i]
  if not clause then
    gr.formula = "local derivative: see " .. info.name .. "'s backward"
    gr.product = dname .. " = " .. grad_text
    return gr
  end
  local words = {}
  for j, inp in ipairs(info.inputs) do
    local var = not f.variadic and f.vars[j]
    if var then words[var] = inp.label end
  end
  local lhs = "d(" .. g.expr[node] .. ")/d" .. input.label
  local rhs = D.fill(clause.rhs, words)
  local up_text = D.is_small(upstream) and D.value(upstream) or upname
  -- a function written in Lua has no formula, but an elementwise one has a
  -- local derivative all the same: what its backward returned, over g
  local custom = f.expr:match("^fn%(")
  if clause.kind ~= "=" and not custom then
    gr.formula = lhs .. ": " .. rhs
    gr.product = dname .. " = " .. grad_text .. "   (g = " .. up_text .. ")"
    return gr
  end
  local nonzero = upstream:ne(0):all():item()
  if nonzero and upstream:numel() == 1 then
    gr.local_value = grad:double() / upstream:double():reshape(1):totable()[1]
  elseif nonzero and #upstream.shape == #grad.shape and upstream:numel() == grad:numel() then
    gr.local_value = grad:double() / upstream:double()
  end
  local lt = gr.local_value and D.value(gr.local_value)
  if custom then
    rhs = "what its backward (in Lua) returns, over g"
    if not lt then
      gr.formula = lhs .. ": " .. rhs
      gr.product = dname .. " = " .. grad_text .. "   (g = " .. up_text .. ")"
      return gr
    end
  end
  gr.formula = lhs .. " = " .. rhs .. ((lt and lt ~= rhs) and " = " .. lt or "")
  if lt and not (D.is_small(gr.local_value) and D.is_small(upstream)) then
    local bare = rhs:gsub("%s+%b()$", "")                    -- too big to multiply out: in words
    lt = D.binding(bare) < 2 and "(" .. bare .. ")" or bare
  end
  gr.product = dname .. " = " .. (lt and up_text .. " * " .. signed(lt) .. " = " or "") .. grad_text
  if not lt and grad:numel() < upstream:numel() then
    gr.product = gr.product .. "   (summed: " .. input.label .. " was broadcast)"
  end
  return gr
end

-- The inputs a step shows: values when known, and the definition of an
-- unnamed intermediate (t2 = w*x + b) when its value is not.
function Stepper:step_inputs(info)
  local g, list = self.g, {}
  for _, input in ipairs(info.inputs) do
    if (input.node or input.shape) and not input.scalar then
      local k = input.node and key(input.node, input.output_nr)
      local inner = input.node and g.info[input.node]
      local v = k and g.value[k] or input.value
      local entry = {label = input.label, value = D.value(v)}
      if inner and not inner.variable and input.label:match("^t%d+$") then
        entry.definition = g.full[input.node]
          .. (inner.n_outputs > 1 and "[" .. input.output_nr .. "]" or "")
      end
      list[#list + 1] = entry
    end
  end
  return list
end

-- The Step for what the engine reported (s = {node, grad_outputs, grad_inputs}).
function Stepper:describe(s)
  local g, node = self.g, s.node
  local info = g.info[node]
  local labels = {}
  for k = 1, info.n_outputs do labels[k] = g.label[key(node, k)] end
  local step = setmetatable({index = #self.steps + 1, node = info.name, grad_fn = node,
    colour = self.colour, output = table.concat(labels, ", "), expr = g.expr[node],
    value = info.n_outputs == 1 and D.value(g.value[key(node, 1)]) or nil,
    origin = D.origin(info.origin), inputs = self:step_inputs(info),
    upstream = {}, grads = {}}, Step)
  for k = 1, s.grad_outputs.n do
    local grad = s.grad_outputs[k]
    if grad then
      local arrivals = {}
      for i, a in ipairs(self.arrivals[key(node, k)] or {}) do
        arrivals[i] = {from = a.from, grad = a.grad, text = D.value(a.grad)}
      end
      local up = {output = k, name = self:dname(g.label[key(node, k)]), grad = D.keep(grad),
        text = D.value(grad), arrivals = arrivals}
      step.upstream[#step.upstream + 1] = up
      self.grads[key(node, k)] = up.grad
    end
  end
  local upstream = step.upstream[1]          -- the first output a gradient reached
  for i = 1, s.grad_inputs.n do
    local grad = s.grad_inputs[i]
    if grad then
      local gr = self:input_grad(node, i, upstream.grad, D.keep(grad), upstream.name)
      step.grads[#step.grads + 1] = gr
      local input = info.inputs[i]
      local k = key(input.node, input.output_nr)
      self.arrivals[k] = self.arrivals[k] or {}
      table.insert(self.arrivals[k], {from = step.output, grad = gr.grad})
    end
  end
  if info.variable then
    local leaf = info.variable
    step.leaf = {name = step.output, tensor = leaf, grad = D.keep(leaf.grad),
      before = self.before[node] and D.value(self.before[node])}
    step.leaf.after = D.value(step.leaf.grad)
  end
  self.ran[node] = true
  return step
end

--- Runs the next node of the backward pass; returns its Step, or nil when done.
function Stepper:step()
  if self.finished then return nil end
  local s
  repeat
    local ok, got = pcall(self.pass.step, self.pass)
    if not ok then
      self.finished = true
      error(rename(got, self.fname), 2)
    end
    s = got
  until s == nil or s.node
  if not s then
    self.finished = true
    self.pass:close()
    return nil
  end
  local step = self:describe(s)
  self.steps[#self.steps + 1] = step
  return step
end

--- Runs the rest of the pass; returns the Narrative of every step.
function Stepper:run()
  while self:step() do end
  return self:narrative()
end

function Stepper:narrative()
  return setmetatable({title = self.title, steps = self.steps, root = self.root,
    grads = self.grads, g = self.g, colour = self.colour}, Narrative)
end

-- ---- the gradients so far --------------------------------------------------------------

local State = {}
State.__index = State

function State:text(opts)
  local paint = D.paint(opts, self.colour)
  local out = {string.format("%d step%s of the backward pass of %s%s", self.steps,
    self.steps == 1 and "" or "s", self.root, self.finished and " (finished)" or "")}
  for _, l in ipairs(self.leaves) do
    out[#out + 1] = "  " .. l.name .. ".grad = " .. (l.grad and paint.good(D.value(l.grad))
      or paint.note("(nothing has reached it yet)"))
  end
  for _, p in ipairs(self.pending) do
    out[#out + 1] = "  " .. p.name .. " = " .. paint.number(D.value(p.grad))
      .. paint.note("   waiting in " .. p.node)
  end
  return table.concat(out, "\n")
end

State.__tostring = function(self) return self:text() end

--- The gradients so far: each leaf's .grad, and the gradients waiting at
--- nodes that have not run yet (summed over the paths that reached them).
function Stepper:state()
  local g = self.g
  local st = setmetatable({steps = #self.steps, root = self.root_name, finished = self.finished,
    leaves = {}, pending = {}}, State)
  for _, node in ipairs(g.nodes) do
    local info = g.info[node]
    if info.variable then
      st.leaves[#st.leaves + 1] = {name = g.label[key(node, 1)],
        grad = info.variable.grad and D.keep(info.variable.grad)}
    end
  end
  for i = #g.nodes, 1, -1 do
    local node = g.nodes[i]
    for k = 1, g.info[node].n_outputs do
      local arrivals = self.arrivals[key(node, k)]
      if arrivals and not self.ran[node] and not self.finished then
        local sum = arrivals[1].grad
        for j = 2, #arrivals do sum = sum + arrivals[j].grad end
        st.pending[#st.pending + 1] = {name = self:dname(g.label[key(node, k)]), grad = sum,
          node = g.info[node].name}
      end
    end
  end
  return st
end

Stepper.__tostring = function(self)
  return string.format("stepper over the backward pass of %s: %d step%s taken%s", self.root_name,
    #self.steps, #self.steps == 1 and "" or "s", self.finished and ", finished" or "")
end

-- ---- the API ----------------------------------------------------------------------------

function autograd.explain(y, grad, opts)
  return Stepper.new("explain", 2, y, grad, opts):run()
end
torch.doc(autograd.explain,
  "torch.autograd.explain(y, grad, {retain_graph=, create_graph=, colour=})",
  "Runs y:backward(grad) (the same .grads, the same graph freeing) and returns its story: one "
    .. "step per node with its expression, the upstream gradient, each input's local derivative "
    .. "as a formula and the chain-rule product. Prints as text; .steps holds the numbers. y may "
    .. "be a function returning the output, run in teaching mode (see set_trace).",
  [[
local w = torch.tensor(3.0, {requires_grad = true})
local x = torch.tensor(2.0, {requires_grad = true})
local story = torch.autograd.explain((w * x + 1) ^ 2)
print(story)
print(w.grad, story.steps[1].node)]])

function autograd.stepper(y, grad, opts)
  local stepper = Stepper.new("stepper", 2, y, grad, opts)   -- not a tail call: the caller's
  return stepper                                             -- names are read from the stack
end
torch.doc(autograd.stepper, "torch.autograd.stepper(y, grad, {retain_graph=, create_graph=})",
  "The backward pass of y one node at a time: s:step() runs the next node and returns its "
    .. "explanation (nil when done), s:run() finishes and returns the whole story, s:state() "
    .. "shows the gradients so far.",
  [[
local w = torch.tensor(3.0, {requires_grad = true})
local y = w * w
local s = torch.autograd.stepper(y)
print(s:step())
print(s:state())
s:run()
print(w.grad)]])

return true
