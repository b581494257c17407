-- catalog.lua — every documented name of the API, found by walking the module
-- tables, in the order the reference pages show them.
--
-- The help texts (torch._docs) are keyed by value, so a name is found by
-- walking: each page has a module table (torch, nn, optim.lr_scheduler, ...);
-- its documented functions come first, sorted by name, then its classes,
-- each followed by the documented methods defined on it.  A value reachable
-- under several names (torch.abs is also the method x:abs) gets one entry,
-- under the name its signature starts with (else the first one found); the
-- others are aliases.  gen.lua writes the pages from this list and the tests
-- run its examples and check that nothing exported lacks help.
--
-- What counts as exported (and so must have help): every function and class
-- in a module table whose name does not start with "_", and every method of
-- a class except init (the constructor, documented as the class), names
-- starting with "_", and methods that override a documented method of the
-- class's base (the base's text covers them: LBFGS:step is opt:step).
local torch = require "torch"
require "luagrad.globals"

local catalog = {}

local docs = torch._docs
local Tensor_methods = getmetatable(torch.zeros(0)).__methods

-- The pages in reading order; names on a page start with its `name` (default
-- its id; nn.functional is known by its global name, F).
catalog.PAGES = {
  {id = "torch", module = torch},
  {id = "Tensor", title = "Tensor methods", module = Tensor_methods, methods = true,
    doc = "The methods of a tensor, x:name(...). Most are also functions of torch (x:sum() is torch.sum(x)); "
      .. "those are listed at the end with a link to their entry."},
  {id = "torch.autograd", module = torch.autograd},
  {id = "nn", module = nn},
  {id = "nn.functional", name = "F", module = nn.functional},
  {id = "nn.init", module = nn.init},
  {id = "nn.utils", module = nn.utils},
  {id = "optim", module = optim},
  {id = "optim.lr_scheduler", module = optim.lr_scheduler},
  {id = "data", module = data},
  {id = "data.datasets", module = data.datasets},
  {id = "data.transforms", module = data.transforms},
  {id = "torch.metrics", module = torch.metrics},
  {id = "dist", module = dist},
}

local page_of_module = {}
for _, page in ipairs(catalog.PAGES) do page_of_module[page.module] = page end

local function is_class(v)
  return type(v) == "table" and page_of_module[v] == nil
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    if type(k) == "string" and not k:match "^_" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  return keys
end

-- The class a class extends (nil for a root): its metatable's __index.
local function base_of(cls)
  local mt = getmetatable(cls)
  local base = mt and rawget(mt, "__index")
  return type(base) == "table" and base or nil
end

-- Whether `name` is documented on a base class of cls (so cls's own version
-- is covered by that text).
local function documented_above(cls, name)
  local base = base_of(cls)
  while base do
    local v = rawget(base, name)
    if v ~= nil and docs[v] then return true end
    base = base_of(base)
  end
  return false
end

-- Every (qualified name, value, page, class) the walk finds, in page order.
local function walk()
  local found = {}
  local function add(name, value, page, class)
    found[#found + 1] = {name = name, value = value, page = page, class = class, index = #found + 1}
  end
  for _, page in ipairs(catalog.PAGES) do
    local m, classes = page.module, {}
    for _, k in ipairs(sorted_keys(m)) do
      local v = m[k]
      if type(v) == "function" then
        add(page.methods and "x:" .. k or (page.name or page.id) .. "." .. k, v, page)
      elseif is_class(v) then
        classes[#classes + 1] = k
      end
    end
    for _, k in ipairs(classes) do
      local cls, cname = m[k], (page.name or page.id) .. "." .. k
      add(cname, cls, page)
      for _, mk in ipairs(sorted_keys(cls)) do
        local v = rawget(cls, mk)
        if type(v) == "function" then add(cname .. ":" .. mk, v, page, cls) end
      end
    end
  end
  return found
end

-- The name a signature is written for, when it is `name` or `name` with a
-- static function's "." for the method ":" ("torch.abs(x)  or  x:abs()" is
-- for torch.abs; signatures call torch.metrics by its module name, metrics).
local function named_by(signature, name)
  for _, candidate in ipairs {name, (name:gsub(":", "."))} do
    local short = candidate:gsub("^torch%.metrics%.", "metrics.")
    local after = signature:sub(#short + 1, #short + 1)
    if signature:sub(1, #short) == short and (after == "" or after:match "[({ ]") then return candidate end
  end
end

--- The entries, in page order: {name, value, page, signature, doc, example,
--- aliases = {{name, page}, ...}}; and the undocumented exported names.
function catalog.build()
  local found = walk()
  local by_value, order, undocumented = {}, {}, {}
  for _, f in ipairs(found) do
    local entry = docs[f.value]
    if entry then
      local e = by_value[f.value]
      if not e then
        e = {value = f.value, signature = entry.signature, doc = entry.doc, example = entry.example,
          locations = {}}
        by_value[f.value] = e
        order[#order + 1] = e
      end
      e.locations[#e.locations + 1] = f
    elseif not (f.class and (f.name:match ":init$" or documented_above(f.class, f.name:match ":(.*)$"))) then
      undocumented[#undocumented + 1] = f.name
    end
  end
  -- Each entry lives where its signature says (help(x) is torch.help).
  for _, e in ipairs(order) do
    local home, name = e.locations[1], e.locations[1].name
    for _, loc in ipairs(e.locations) do
      local named = named_by(e.signature, loc.name)
      if named then
        home, name = loc, named
        break
      end
    end
    e.name, e.page, e.index, e.aliases = name, home.page, home.index, {}
    for _, loc in ipairs(e.locations) do
      if loc ~= home then e.aliases[#e.aliases + 1] = loc end
    end
  end
  -- In the walk's order of each entry's home: page by page.
  table.sort(order, function(a, b) return a.index < b.index end)
  return order, undocumented
end

--- The entries of one page (a PAGES element), in order.
function catalog.page_entries(entries, page)
  local list = {}
  for _, e in ipairs(entries) do
    if e.page == page then list[#list + 1] = e end
  end
  return list
end

--- Whether the value is written in Lua (a class table, or a Lua function).
function catalog.is_lua(value)
  return type(value) == "table" or debug.getinfo(value, "S").what == "Lua"
end

return catalog
