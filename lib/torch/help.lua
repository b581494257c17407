-- help.lua — help(x) for every API name.
--
-- Help texts live beside the code that defines each function: C bindings list
-- them in their BindFn tables, Lua code calls torch.doc(fn, signature, text)
-- right after the definition.  Both land in torch._docs, keyed by the value
-- itself, so help(torch.zeros), help("torch.zeros") and help(x.add) all find
-- the same entry however the function was reached.
local torch = require "torch"

local docs = torch._docs

--- Records the help text of `value` (a function or a module table) and,
--- optionally, an example: Lua lines that run as they stand.
function torch.doc(value, signature, text, example)
  docs[value] = {signature = signature, doc = text, example = example}
  return value
end

-- Finds a value by its dotted name from the globals: "torch.zeros", "nn.Linear".
local function lookup(name)
  local value = _G
  for part in name:gmatch "[^.:]+" do
    if type(value) ~= "table" then return nil end
    value = rawget(value, part)
  end
  return value
end

local function first_sentence(text)
  return (text or ""):match "^(.-%.)%s" or text or ""
end

-- The documented fields of a module, as "  name    first sentence" lines.
local function module_listing(module)
  local names = {}
  for k, v in pairs(module) do
    if type(k) == "string" and docs[v] and not k:match "^_" then names[#names + 1] = k end
  end
  table.sort(names)
  local width = 0
  for _, k in ipairs(names) do width = math.max(width, #k) end
  local lines = {}
  for _, k in ipairs(names) do
    lines[#lines + 1] = string.format("  %-" .. width .. "s  %s", k, first_sentence(docs[module[k]].doc))
  end
  return table.concat(lines, "\n")
end

local INTRO = [[
luagrad: tensors, autograd and neural networks in Lua.
  help(torch)          the tensor library        help(nn)    layers and losses
  help(optim)          optimizers                help(data)  datasets and loaders
  help(torch.zeros)    one function (or help "torch.zeros")
Tab completes names; Ctrl-C interrupts; Ctrl-D leaves.]]

--- Returns the help text of a function, module or name.
function torch.helptext(x)
  if x == nil then return INTRO end
  local name, value = nil, x
  if type(x) == "string" then
    name, value = x, lookup(x)
    if value == nil then return "help: no such name: " .. name end
  end
  local entry = docs[value]
  local text
  if entry then
    text = entry.signature .. "\n  " .. entry.doc
    if entry.example then
      text = text .. "\n\n  Example:\n    " .. entry.example:gsub("\n", "\n    ")
    end
  elseif type(value) == "function" then
    text = (name or "this function") .. ": no help text"
  end
  if type(value) == "table" then
    local listing = module_listing(value)
    if listing ~= "" then text = (text and text .. "\n\n" or "") .. listing end
  end
  return text or ("help: no help for a " .. type(value) .. " value")
end

--- Prints the help text of a function, module or name.
function torch.help(x)
  print(torch.helptext(x))
end

torch.doc(torch, "torch", "Tensors, their operations and autograd.")
torch.doc(torch.doc, "torch.doc(value, signature, text, example)",
  "Records the help text shown by help(value), with an optional example (Lua lines that run as they stand); returns value.",
  [[
local function double(x) return 2 * x end
torch.doc(double, "double(x)", "Twice x.", "print(double(21))")
print(torch.helptext(double))]])
torch.doc(torch.helptext, "torch.helptext(x)", "Returns the text help(x) prints.",
  [[
print(torch.helptext(torch.autograd.gradcheck):match "^[^\n]*")]])
torch.doc(torch.help, "help(x)",
  "Prints the signature and description of a function, the contents of a module, or an introduction when called with no argument. x may also be a dotted name such as \"torch.zeros\".",
  [[
help(torch.zeros_like)]])

-- Nothing to return: this part adds to torch.  (Returning torch would make
-- Lua name its functions "torch.help.zeros" in tracebacks.)
return true
