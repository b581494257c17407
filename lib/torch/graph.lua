-- graph.lua — pictures of a graph: torch.autograd.dot (Graphviz DOT text),
-- torch.autograd.draw (rendered to .svg/.png/.pdf by Graphviz's `dot`) and
-- torch.autograd.print_graph (an indented tree in the terminal).
--
-- The picture is micrograd's: a box per value (its name, shape, value when
-- small, gradient when known) and an oval per op between them, leaves on the
-- left and the output on the right.  Names are the program's (see
-- describe.lua); gradients are the leaves' .grad, any retained .grad, or every
-- gradient of a pass when drawn from explain's result (narrative:dot()).
local torch = require "torch"
local autograd = torch.autograd
local D = require "torch.describe"

local key = D.key

-- The graph behind y (a tensor), labelled with the names seen from `level`.
local function labelled(fname, y, level)
  if not torch.is_tensor(y) then
    error(string.format("%s: expected a tensor, got %s", fname, type(y)), level + 1)
  end
  local node = autograd._edge(y)
  if not node then
    error(fname .. ": the tensor has no graph (it does not require grad)", level + 1)
  end
  local g = D.graph(node)
  D.label(g, D.scope(level + 1), y)
  return g
end

-- The gradient known for value k: from the pass drawn, else its tensor's .grad.
local function known_grad(g, k, grads)
  if grads and grads[k] then return grads[k] end
  local t = g.value[k]
  return t and t.grad
end

-- ---- DOT ---------------------------------------------------------------------------

local function escape(s)
  return (s:gsub("[\\{}|<>\"]", "\\%0"))
end

local function value_label(g, k, grads, short)
  local fields = {escape(g.label[k])}
  local v = g.value[k]
  if v then
    if v:numel() > 1 then fields[#fields + 1] = D.shape(v.shape) end
    if v:numel() <= 4 then fields[#fields + 1] = "data " .. escape(D.value(v)) end
  end
  local grad = known_grad(g, k, grads)
  if grad and grad:numel() <= 4 then fields[#fields + 1] = "grad " .. escape(D.value(grad))
  elseif grad then fields[#fields + 1] = "grad " .. escape(D.shape(grad.shape)) end
  return short and fields[1] or "{ " .. table.concat(fields, " | ") .. " }"
end

local function ident(k) return "v" .. k:gsub("#", "_") end

local M = {}

--- DOT text for a labelled graph g (describe.lua), with gradients `grads`
--- ({[key] = tensor}) written in where given.
function M.dot_text(g, grads)
  local out = {"digraph autograd {", "  rankdir=LR;",
    '  node [fontname="Helvetica", fontsize=11];'}
  local function add(fmt, ...) out[#out + 1] = "  " .. string.format(fmt, ...) end
  local constants = 0
  for _, node in ipairs(g.nodes) do
    local info = g.info[node]
    for k = 1, info.n_outputs do
      local vk = key(node, k)
      add('%s [shape=record, label="%s"%s];', ident(vk), value_label(g, vk, grads),
        info.variable and ', style=filled, fillcolor="#e8f0fe"' or "")
    end
    if not info.variable then
      local op = "op" .. key(node, 1):gsub("#.*", "")
      add('%s [label="%s", shape=ellipse, style=filled, fillcolor="#fff4d6"];', op,
        escape(D.op_title(info)))
      for k = 1, info.n_outputs do add("%s -> %s;", op, ident(key(node, k))) end
      for _, input in ipairs(info.inputs) do
        if input.node then
          add("%s -> %s;", ident(key(input.node, input.output_nr)), op)
        elseif input.scalar or input.shape then
          constants = constants + 1
          add('c%d [shape=plaintext, label="%s"];', constants, escape(input.label or "?"))
          add("c%d -> %s [style=dashed];", constants, op)
        end
      end
    end
  end
  out[#out + 1] = "}"
  return table.concat(out, "\n") .. "\n"
end

--- The graph of y as Graphviz DOT text.
function autograd.dot(y)
  return M.dot_text(labelled("dot", y, 2))
end
torch.doc(autograd.dot, "torch.autograd.dot(y)",
  "The graph behind y as Graphviz DOT text: a box per value (name, shape, data when small, "
    .. "grad when known) and an oval per op. explain(y):dot() writes in every gradient of the pass.",
  [[
local x = torch.tensor({1.0, 2.0}, {requires_grad = true})
local y = (x * x):sum()
local text = torch.autograd.dot(y)
print(text:match "^[^\n]*")
print(select(2, text:gsub("shape=ellipse", "")) .. " ops")]])

-- ---- rendering -----------------------------------------------------------------------

local FORMATS = {svg = true, png = true, pdf = true}

local function have_dot()
  local ok = os.execute("command -v dot >/dev/null 2>&1")
  return ok == true or ok == 0
end

--- Renders the graph of y (or a DOT string) to path with Graphviz's `dot`.
function autograd.draw(y, path)
  if type(path) ~= "string" then error("draw: expected a file name such as \"graph.svg\"", 2) end
  local format = path:match("%.(%w+)$")
  if not (format and FORMATS[format:lower()]) then
    error("draw: the file name must end in .svg, .png or .pdf, got \"" .. path .. "\"", 2)
  end
  if not have_dot() then
    error("draw: Graphviz's `dot` is not installed; install it (Debian: apt-get install graphviz, "
      .. "or make teach-deps), or write torch.autograd.dot(y) to a .dot file "
      .. "and render it elsewhere", 2)
  end
  local text
  if torch.is_tensor(y) then text = M.dot_text(labelled("draw", y, 2))
  elseif type(y) == "string" then text = y
  elseif type(y) == "table" and y.dot then text = y:dot()
  else error("draw: expected a tensor, an explanation or DOT text, got " .. type(y), 2) end
  local source = os.tmpname()
  local f = assert(io.open(source, "w"))
  f:write(text)
  f:close()
  local quote = function(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
  local ok = os.execute(string.format("dot -T%s %s -o %s", format:lower(), quote(source), quote(path)))
  os.remove(source)
  if not (ok == true or ok == 0) then error("draw: dot failed to render " .. path, 2) end
  return path
end
torch.doc(autograd.draw, "torch.autograd.draw(y, \"graph.svg\")",
  "Renders the graph of y (or of explain(y), with its gradients) to an .svg, .png or .pdf file "
    .. "with Graphviz's dot (apt-get install graphviz); returns the file name.",
  [[
local x = torch.tensor(2.0, {requires_grad = true})
local y = x * x + 1
local base = os.tmpname()
if os.execute("command -v dot >/dev/null") then torch.autograd.draw(y, base .. ".svg") end
print(torch.autograd.dot(y):match "^%w+")   -- the text dot renders
os.remove(base .. ".svg"); os.remove(base)]])

-- ---- the tree ---------------------------------------------------------------------------

local function value_text(g, k, paint)
  local parts = {}
  local v = g.value[k]
  if v then parts[#parts + 1] = "value " .. paint.number(D.value(v)) end
  local grad = known_grad(g, k)
  if grad then parts[#parts + 1] = "grad " .. paint.good(D.value(grad)) end
  return table.concat(parts, ", ")
end

local function constant_text(input, paint)
  local text = paint.number(input.label or "?") .. paint.note("  constant")
  if input.value and not input.scalar then
    text = text .. "   value " .. paint.number(D.value(input.value))
  elseif input.shape and #input.shape > 0 then
    text = text .. paint.note(" (" .. D.shape(input.shape) .. ")")
  end
  return text
end

--- The graph behind y as lines of an indented tree, the output at the top.
local function tree(g, paint)
  local lines, shown = {}, {}
  local function visit(node, nr, prefix, last, is_root)
    local info = g.info[node]
    local k = key(node, nr)
    local branch = is_root and "" or (last and "└─ " or "├─ ")
    local names = {}
    for out = 1, info.n_outputs do names[out] = g.label[key(node, out)] end
    local head = paint.name(table.concat(names, ", "))      -- all outputs of split and the like
    if info.variable then
      head = head .. paint.note("  leaf")
    else
      head = head .. " = " .. g.expr[node] .. paint.note("  " .. info.name)
    end
    local extra = value_text(g, k, paint)
    if shown[node] and not info.variable then
      lines[#lines + 1] = prefix .. branch .. paint.name(g.label[k]) .. paint.note("  (shown above)")
      return
    end
    shown[node] = true
    lines[#lines + 1] = prefix .. branch .. head .. (extra ~= "" and "   " .. extra or "")
    local children = {}
    for _, input in ipairs(info.inputs) do
      if input.node or input.scalar or input.shape then children[#children + 1] = input end
    end
    local inner = prefix .. (is_root and "" or (last and "   " or "│  "))
    for i, input in ipairs(children) do
      local is_last = i == #children
      if input.node then
        visit(input.node, input.output_nr, inner, is_last, false)
      else
        lines[#lines + 1] = inner .. (is_last and "└─ " or "├─ ") .. constant_text(input, paint)
      end
    end
  end
  local root_node, root_nr = g.root, 1
  for k = 1, g.info[root_node].n_outputs do
    if g.value[key(root_node, k)] then root_nr = k break end
  end
  visit(root_node, root_nr, "", true, true)
  return lines
end

--- Prints the graph behind y as an indented tree (to opts.file, default io.stdout).
function autograd.print_graph(y, opts)
  opts = opts or {}
  local file = opts.file or io.stdout
  local g = labelled("print_graph", y, 2)
  local paint = D.paint(opts, file ~= io.stdout and false or nil)   -- files get no colour
  file:write(table.concat(tree(g, paint), "\n"), "\n")
end
torch.doc(autograd.print_graph, "torch.autograd.print_graph(y, {file=, colour=})",
  "Prints the graph behind y as a tree: the output at the top, each value with its op, "
    .. "expression, value and gradient when known, down to the leaves and constants.",
  [[
local w = torch.tensor(3.0, {requires_grad = true})
local y = (w * 2 + 1) ^ 2
torch.autograd.print_graph(y)]])

return M
