-- trace.lua — torch.autograd.trace(fn, ...): the forward half of the story.
-- It runs fn in teaching mode and lists the ops it recorded, in the order
-- they ran: each op's node, its expression in the program's names, its
-- inputs and output (shape, and values when small) and the source line that
-- made it.  Only recorded ops appear: those with an input that requires grad,
-- which are the ones backward will go through.
--
--   local listing, y = torch.autograd.trace(function() return (w * x + b):relu() end)
--   print(listing)
local torch = require "torch"
local autograd = torch.autograd
local D = require "torch.describe"

local key = D.key

local Trace = {}
Trace.__index = Trace

local function describe_value(label, shape, value)
  if value then return label .. " = " .. D.value(value) end
  return label .. (shape and " (" .. D.shape(shape) .. ")" or "")
end

function Trace:text(opts)
  local paint = D.paint(opts, self.colour)
  local rows, widths = {}, {0, 0}
  for _, e in ipairs(self.ops) do
    local ins, outs = {}, {}
    for _, input in ipairs(e.inputs) do ins[#ins + 1] = describe_value(input.label, input.shape, input.value) end
    for _, output in ipairs(e.outputs) do
      outs[#outs + 1] = describe_value(paint.name(output.label), output.shape, output.value)
    end
    local row = {paint.note(string.format("%d", e.index)) .. "  " .. e.node,
      paint.name(e.output) .. " = " .. e.expr,
      table.concat(ins, ", ") .. "  ->  " .. table.concat(outs, ", "),
      e.origin and paint.note("(" .. e.origin .. ")")}
    widths[1] = math.max(widths[1], D.width(row[1]))
    widths[2] = math.max(widths[2], D.width(row[2]))
    rows[#rows + 1] = row
  end
  local out = {string.format("%d op%s recorded", #self.ops, #self.ops == 1 and "" or "s")}
  for _, row in ipairs(rows) do
    out[#out + 1] = "  " .. D.pad(row[1], widths[1]) .. "  " .. D.pad(row[2], widths[2]) .. "  "
      .. row[3] .. (row[4] and "   " .. row[4] or "")
  end
  return table.concat(out, "\n")
end

Trace.__tostring = function(self) return self:text() end

-- The nodes fn made, with the older nodes they take inputs from before them,
-- as a graph describe.lua can label.
local function traced_graph(nodes)
  local g = {nodes = {}, info = {}}
  local function add(node)
    g.info[node] = g.info[node] or autograd._node(node)
    g.nodes[#g.nodes + 1] = node
  end
  local traced = {}
  for _, node in ipairs(nodes) do traced[node] = true end
  for _, node in ipairs(nodes) do
    local info = autograd._node(node)
    g.info[node] = info
    for _, input in ipairs(info.inputs) do
      if input.node and not traced[input.node] and not g.info[input.node] then add(input.node) end
    end
    g.nodes[#g.nodes + 1] = node
  end
  return g
end

function autograd.set_trace(on)
  if type(on) ~= "boolean" then error("set_trace: expected true or false, got " .. type(on), 2) end
  autograd._set_trace(on)
end
torch.doc(autograd.set_trace, "torch.autograd.set_trace(on)",
  "Teaching mode: ops recorded while it is on remember the source line that made them, the "
    .. "names of their inputs and copies of their values (up to 65,536 elements), which explain, "
    .. "dot and trace show. Off, it costs nothing.",
  [[
torch.autograd.set_trace(true)
local x = torch.tensor({1.0, 2.0}, {requires_grad = true})
local y = (x * 3):sum()
torch.autograd.set_trace(false)
print(torch.autograd.explain(y))]])

function autograd.trace(fn, ...)
  if type(fn) ~= "function" then error("trace: expected a function, got " .. type(fn), 2) end
  local results = table.pack(autograd._traced(fn, ...))
  local nodes = results[1]
  local scope = {}
  for i = 1, 250 do
    local name, v = debug.getupvalue(fn, i)
    if not name then break end
    if torch.is_tensor(v) then scope[#scope + 1] = {name, v} end
  end
  for _, entry in ipairs(D.scope(2)) do scope[#scope + 1] = entry end
  local g = traced_graph(nodes)
  D.label(g, scope)
  local ops = {}
  for i, node in ipairs(nodes) do
    local info = g.info[node]
    local e = {index = i, node = info.name, grad_fn = node, expr = g.expr[node],
      output = g.label[key(node, 1)], origin = D.origin(info.origin), inputs = {}, outputs = {}}
    for _, input in ipairs(info.inputs) do
      if input.node or input.shape then
        local v = input.value or (input.node and g.value[key(input.node, input.output_nr)])
        e.inputs[#e.inputs + 1] = {label = input.label, shape = input.shape, value = v}
      end
    end
    for k = 1, info.n_outputs do
      e.outputs[k] = {label = g.label[key(node, k)], shape = info.output_shapes[k], value = info.outputs[k]}
    end
    ops[i] = e
  end
  return setmetatable({ops = ops}, Trace), table.unpack(results, 2, results.n)
end
torch.doc(autograd.trace, "torch.autograd.trace(fn, ...)",
  "Runs fn(...) in teaching mode and returns a listing of the ops it recorded (each with its "
    .. "expression, input and output shapes, small values and source line), then fn's results.",
  [[
local x = torch.tensor({1.0, 2.0}, {requires_grad = true})
local listing, y = torch.autograd.trace(function() return (x * 3):sum() end)
print(listing)
print(y)]])

return true
