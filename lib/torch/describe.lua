-- describe.lua — how the teaching tools (explain.lua, graph.lua, trace.lua)
-- put a graph into words: numbers and tensors as short text, the names a
-- reader knows each value by, the forward expression of each node, and its
-- derivative formula (the `formula` string beside each op's backward in C,
-- see autograd/node.h) with those names filled in.
--
-- Names come from the program: the caller's locals, its upvalues and the
-- globals, matched by identity to the graph's tensors; in teaching mode
-- (torch.autograd.set_trace) each op also remembers what its inputs were
-- called when it ran.  Unnamed intermediate values are called t1, t2, ... in
-- the order they were computed, unnamed leaves p1, p2, ..., and numbers in an
-- expression (x^2) are written as themselves.
local torch = require "torch"
local term = require "torch.term"
local autograd = torch.autograd

local D = {}

-- ---- numbers, tensors, shapes -------------------------------------------------

--- A number as a person writes it: 28, 0.5, -1.25e-07 (`digits` significant
--- digits, 6 unless given).
function D.number(v, digits)
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" elseif v == -math.huge then return "-inf" end
  if v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%d", v) end
  return string.format("%." .. (digits or 6) .. "g", v)
end

--- "3x4", or "scalar" for a 0-dim shape.
function D.shape(shape)
  if #shape == 0 then return "scalar" end
  local parts = {}
  for i, n in ipairs(shape) do parts[i] = tostring(n) end
  return table.concat(parts, "x")
end

local SMALL = 12         -- tensors with at most this many elements are shown in full

-- Elements of a tensor get four digits: enough to follow the arithmetic.
local function nested(values)
  if type(values) ~= "table" then return D.number(values, 4) end
  local parts = {}
  for i, v in ipairs(values) do parts[i] = nested(v) end
  return "[" .. table.concat(parts, ", ") .. "]"
end

local function to_number(v)
  if type(v) == "boolean" then return v and 1 or 0 end
  return v
end

--- A tensor as short text: its value when small, else its shape and a summary.
function D.value(t)
  if t == nil then return nil end
  local n = t:numel()
  if n == 1 then return D.number(to_number(t:reshape(1):totable()[1])) end
  if n <= SMALL then return nested(t:totable()) end
  local f = t:double()
  local lo, hi = f:min():item(), f:max():item()
  if lo == hi then return string.format("%s tensor of %s", D.shape(t.shape), D.number(lo)) end
  return string.format("%s tensor (min %s, mean %s, max %s)", D.shape(t.shape), D.number(lo, 4),
    D.number(f:mean():item(), 4), D.number(hi, 4))
end

--- Whether D.value shows t in full.
function D.is_small(t)
  return t:numel() <= SMALL
end

--- A copy of t kept for an explanation (later in-place changes do not show), or nil.
function D.keep(t)
  return t and t:detach():clone()
end

-- ---- colour -----------------------------------------------------------------------

local ANSI = {name = "1", number = "36", note = "2", good = "32"}   -- bold, cyan, dim, green

--- Whether text for stdout should be coloured: a terminal, NO_COLOR unset, TERM not dumb.
function D.colour_default()
  return term.is_terminal(io.stdout) and os.getenv("NO_COLOR") == nil and os.getenv("TERM") ~= "dumb"
end

--- A palette: paint[kind](text) wraps text in that colour, or leaves it as it is.
function D.palette(on)
  local paint = {}
  for kind, code in pairs(ANSI) do
    paint[kind] = on and function(s) return "\27[" .. code .. "m" .. s .. "\27[0m" end
      or function(s) return s end
  end
  return paint
end

--- The palette for text asked for with `opts` ({colour = true|false}),
--- falling back on `own` (the object's setting) and then on the terminal.
function D.paint(opts, own)
  local colour = opts and opts.colour
  if colour == nil then colour = own end
  if colour == nil then colour = D.colour_default() end
  return D.palette(colour)
end

D.width = term.width

--- s padded with spaces to `width` columns on screen.
function D.pad(s, width)
  return s .. string.rep(" ", width - term.width(s))
end

-- ---- formulas -------------------------------------------------------------------------

-- A placeholder for an input is a word of one letter that is not a method or
-- field name (after : or .) and not a function being called.
local function each_word(text, fn)
  return (text:gsub("()([%a_][%w_]*)()", function(s, word, e)
    local before, after = text:sub(s - 1, s - 1), text:sub(e, e)
    local is_input = #word == 1 and before ~= ":" and before ~= "." and after ~= "("
    return fn(word, is_input, s, e)
  end))
end

--- The parts of an op's formula string (node.h): the forward expression with
--- its input letters, and per input the clause of its derivative:
--- {expr =, vars = {"a", "b"}, variadic = "x"|nil, clauses = {[i] = {var =, kind = "="|":"|"none", rhs =}}}.
function D.parse_formula(text, n_inputs)
  if not text then return nil end
  local f = {clauses = {}, vars = {}}
  local by_var = {}
  for clause in (text .. "; "):gmatch("(.-); ") do
    local expr, var, kind, rhs = clause:match("^d(%b())/d([%a_][%w_]*)%s*([=:])%s*(.*)$")
    if not expr then
      var, kind, rhs = clause:match("^d/d([%a_][%w_]*)%s*([=:])%s*(.*)$")
    end
    if not var then return nil end
    if expr and not f.expr then f.expr = expr:sub(2, -2) end
    if kind == ":" and rhs:match("^none") then kind = "none" end
    by_var[var] = {var = var, kind = kind, rhs = rhs}
  end
  if not f.expr then return nil end
  f.variadic = f.expr:match("([%a])%.%.%.")
  local seen = {}
  each_word(f.expr, function(word, is_input)
    if is_input and not seen[word] then
      seen[word] = true
      f.vars[#f.vars + 1] = word
    end
  end)
  for i = 1, n_inputs do
    local var = f.variadic or f.vars[i]
    f.clauses[i] = var and by_var[var]
  end
  return f
end

-- How tightly a piece of expression binds: 1 a sum, 2 a product, 3 a power or
-- negation, 4 an atom (a name, a number, a call, something in parentheses).
local function binding(text)
  local depth, level = 0, 4
  local prev = ""
  for i = 1, #text do
    local c = text:sub(i, i)
    if c == "(" or c == "[" then depth = depth + 1
    elseif c == ")" or c == "]" then depth = depth - 1
    elseif depth == 0 then
      if (c == "+" or c == "-") and i > 1 and prev == " " then level = math.min(level, 1)
      elseif c == "*" or c == "/" or c == "@" or c == "%" then level = math.min(level, 2)
      elseif c == "^" or (c == "-" and i == 1) then level = math.min(level, 3) end
    end
    if c ~= " " then prev = c elseif depth == 0 then prev = " " end
  end
  return level
end

D.binding = binding

-- The binding an operand needs between the characters left and right of it.
local function needed(left, right)
  local need = 1
  if left == "^" or right == "^" or right == ":" or right == "." or right == "[" or left == "-u" then
    return 4
  end
  if left == "*" or right == "*" or left == "@" or right == "@" or left == "%" or right == "%"
    or right == "/" then need = 2 end
  if left == "/" then need = 3 end
  if left == "-" then need = math.max(need, 2) end
  return need
end

local function neighbour(text, s, e)
  local left = text:sub(1, s - 1):match("(%S)%s*$") or ""
  local right = text:sub(e):match("^%s*(%S)") or ""
  -- a minus with nothing before it, or after an opening, is a negation
  if left == "-" and (text:sub(1, s - 1):match("^%s*%-%s*$") or text:sub(1, s - 1):match("[(,]%s*%-%s*$")) then
    left = "-u"
  end
  return left, right
end

--- The expression (or formula clause) `template` with each input letter
--- replaced by words[letter], in parentheses where precedence needs them;
--- "x..." becomes the list words["..."].
function D.fill(template, words)
  if words["..."] then template = template:gsub("[%a]%.%.%.", function() return words["..."] end) end
  return each_word(template, function(word, is_input, s, e)
    local text = is_input and words[word]
    if not text then return nil end
    local left, right = neighbour(template, s, e)
    if binding(text) < needed(left, right) then text = "(" .. text .. ")" end
    return text
  end)
end

-- ---- names from the program ------------------------------------------------------------

local function skip_name(name)
  return name:match("^%(") or name == "_"
end

--- The tensors the program can see by name from stack `level` (1 = the
--- caller of scope): the locals and upvalues of that function, then of the
--- functions that called it (a helper's caller names things too), then the
--- globals, as a list of {name, tensor} in that order of preference.
function D.scope(level)
  local found = {}
  local function add(name, v)
    if type(name) == "string" and torch.is_tensor(v) and not skip_name(name) then
      found[#found + 1] = {name, v}
    end
  end
  for frame = level + 1, level + 50 do
    local info = debug.getinfo(frame, "fS")
    if not info then break end
    if info.what ~= "C" then                          -- pcall(explain, ...) has no locals
      for i = 1, 250 do
        local name, v = debug.getlocal(frame, i)
        if not name then break end
        add(name, v)
      end
      for i = 1, 250 do
        local name, v = debug.getupvalue(info.func, i)
        if not name then break end
        add(name, v)
      end
    end
  end
  local globals = {}
  for name in pairs(_G) do
    if type(name) == "string" then globals[#globals + 1] = name end
  end
  table.sort(globals)
  for _, name in ipairs(globals) do add(name, rawget(_G, name)) end
  return found
end

-- ---- the graph ------------------------------------------------------------------------

--- The graph behind `root` (a grad_fn object): every node reachable, with
--- what it tells about itself.  Returns {root =, nodes = {...} (every node
--- after the nodes it takes inputs from, as the forward pass made them),
--- info = {[node] = torch.autograd._node(node)}}.
function D.graph(root)
  local g = {root = root, nodes = {}, info = {}}
  g.info[root] = autograd._node(root)
  local stack, next_input, done = {root}, {[root] = 1}, {}
  while #stack > 0 do                                -- depth first, inputs before users
    local node = stack[#stack]
    local inputs = g.info[node].inputs
    local i = next_input[node]
    if i <= #inputs then
      next_input[node] = i + 1
      local child = inputs[i].node
      if child and not g.info[child] then
        g.info[child] = autograd._node(child)
        next_input[child] = 1
        stack[#stack + 1] = child
      end
    else
      stack[#stack] = nil
      if not done[node] then
        done[node] = true
        g.nodes[#g.nodes + 1] = node
      end
    end
  end
  return g
end

-- A value of the graph: output nr of node.  grad_fn objects are one per node
-- (while referenced), so they key tables; their text is only the op's name.
local serial = setmetatable({}, {__mode = "k"})
local count = 0
local function key(node, nr)
  if not serial[node] then
    count = count + 1
    serial[node] = count
  end
  return serial[node] .. "#" .. nr
end

local function op_title(info)
  return (info.name:gsub("Backward$", ""))
end

--- Names and expressions for every value of graph g (from D.graph), using
--- `scope` (from D.scope) and, for the root output, `root_tensor` (called y
--- when the program has no name for it and y is free).  Fills
---   g.label[key]  the name a value goes by ("w", "t1")
---   g.expr[node]  its forward expression in terms of its inputs' labels ("t1 + b")
---   g.full[node]  the same with unnamed intermediates written out ("w*x + b")
---   g.value[key]  a tensor holding the value, when known
---   g.formula[node]  its parsed formula (D.parse_formula)
--- where key = D.key(node, output number); each input of g.info[node].inputs
--- gets a .label too.
function D.label(g, scope, root_tensor)
  g.label, g.expr, g.full, g.value, g.formula = {}, {}, {}, {}, {}
  local used, counters = {}, {t = 0, p = 0, c = 0}
  local named = {}
  for _, entry in ipairs(scope) do
    local name, t = entry[1], entry[2]
    used[name] = true
    local node, nr = autograd._edge(t)
    if node and g.info[node] and not named[key(node, nr)] then
      named[key(node, nr)] = name
      g.value[key(node, nr)] = t
    end
  end
  local function fresh(prefix)
    repeat
      counters[prefix] = counters[prefix] + 1
    until not used[prefix .. counters[prefix]]
    used[prefix .. counters[prefix]] = true
    return prefix .. counters[prefix]
  end
  local root_key                       -- an unnamed output is y, as in dy/dw: keep y for it
  if root_tensor then
    local node, nr = autograd._edge(root_tensor)
    root_key = key(node, nr)
    g.value[root_key] = root_tensor
  end
  local keep_y = root_key and not named[root_key] and not used.y
  used.y = used.y or keep_y
  for _, node in ipairs(g.nodes) do
    local info = g.info[node]
    local f = D.parse_formula(info.formula, #info.inputs)
    g.formula[node] = f
    local words, full, list, full_list = {}, {}, {}, {}
    for i, input in ipairs(info.inputs) do
      local word, whole
      if input.node then
        local k = key(input.node, input.output_nr)
        word = g.label[k]
        local inner = g.info[input.node]
        whole = (not named[k] and not inner.variable and inner.n_outputs == 1) and g.full[input.node] or word
        g.value[k] = g.value[k] or input.value
      elseif input.scalar then
        word = D.number(input.scalar)
      elseif input.name then
        word = input.name
      elseif input.shape then              -- an unnamed constant goes by the formula's letter
        local letter = f and not f.variadic and f.vars[i]
        word = letter and not used[letter] and letter or fresh("c")
        used[word] = true
      end
      word = word or (f and f.vars[i]) or "?"
      whole = whole or word
      if f and not f.variadic and f.vars[i] then words[f.vars[i]], full[f.vars[i]] = word, whole end
      list[i], full_list[i] = word, whole
      input.label = word
    end
    if f and f.variadic then
      words["..."], full["..."] = table.concat(list, ", "), table.concat(full_list, ", ")
    end
    if not info.variable then
      local title = op_title(info)
      g.expr[node] = f and D.fill(f.expr, words) or title .. "(" .. table.concat(list, ", ") .. ")"
      g.full[node] = f and D.fill(f.expr, full) or title .. "(" .. table.concat(full_list, ", ") .. ")"
      -- a custom function's formula says fn(...): call it by its own name
      g.expr[node] = g.expr[node]:gsub("^fn%(", title .. "(")
      g.full[node] = g.full[node]:gsub("^fn%(", title .. "(")
    end
    for k = 1, info.n_outputs do
      g.value[key(node, k)] = g.value[key(node, k)] or info.outputs[k] or (k == 1 and info.variable)
      g.label[key(node, k)] = named[key(node, k)] or fresh(info.variable and "p" or "t")
    end
  end
  if keep_y then g.label[root_key] = "y" end
end

-- ---- source lines ---------------------------------------------------------------------

local file_lines = {}       -- read once per session

--- Line `n` of a source file, trimmed (nil when it cannot be read).
function D.source_line(path, n)
  local lines = file_lines[path]
  if lines == nil then
    local f = io.open(path, "r")
    lines = false
    if f then
      lines = {}
      for line in f:lines() do lines[#lines + 1] = line end
      f:close()
    end
    file_lines[path] = lines
  end
  local text = lines and lines[n]
  return text and text:match("^%s*(.-)%s*$")
end

--- Where a node made in teaching mode came from: "file.lua:12: z = w * x"
--- (the source text when the file can be read, shortened); nil for none.
function D.origin(origin)
  local file, line = (origin or ""):match("^(.*):(%d+)$")
  if not file or file == "stdin" then return nil end   -- each prompt line is a line 1
  local text = D.source_line(file, tonumber(line))
  if text and #text > 60 then text = text:sub(1, 57) .. "..." end
  return origin .. (text and ": " .. text or "")
end

D.key = key
D.op_title = op_title

return D
