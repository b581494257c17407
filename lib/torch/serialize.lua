-- serialize.lua — torch.save and torch.load: tensors, state_dicts and nested
-- tables of them as safetensors files, single tensors as NumPy .npy.
--
-- A safetensors file holds named tensors plus string metadata, nothing else.
-- A table whose values are all tensors under string keys (a state_dict) is
-- written as exactly that: the names are its keys, and the file is what
-- PyTorch's safetensors.torch.save_file writes for the same tensors.  Any
-- other value (a lone tensor, nested tables, numbers, strings, booleans) is
-- written as tensors named by their path, the keys joined with "."
-- ("model.fc1.weight", "optimizer.state.1.exp_avg"), plus one metadata entry,
-- "luagrad.tree": the JSON text of the whole value with every tensor replaced
-- by {"__tensor__": name}.  Tables that are sequences are JSON arrays, tables
-- with string keys objects; other tables (integer keys with holes, mixed
-- keys) are {"__pairs__": [[key, value], ...]}.  Integers stay integers,
-- floats are written to round-trip exactly (NaN and ±Infinity as Python's
-- json writes them).  torch.load rebuilds the value from the tree, so it gets
-- back what was saved; files without the tree (from PyTorch) load as a table
-- of tensors by name.
local torch = require "torch"

local SAVE_OPTIONS = {metadata = true}
local TREE_KEY = "luagrad.tree"

-- ---- JSON text of the tree --------------------------------------------------------

local function json_string(s, where)
  if not utf8.len(s) then error("save: the string at '" .. where .. "' is not valid UTF-8", 0) end
  return '"' .. s:gsub('[%c"\\]', function(c)
    local short = {['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n",
      ["\r"] = "\\r", ["\t"] = "\\t"}
    return short[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

-- The shortest decimal that reads back as the same float, always with a
-- fraction or exponent so that it reads back as a float.
local function json_float(x)
  if x ~= x then return "NaN" end
  if x == math.huge then return "Infinity" end
  if x == -math.huge then return "-Infinity" end
  local s
  for digits = 15, 17 do
    s = string.format("%." .. digits .. "g", x)
    if tonumber(s) == x then break end
  end
  if not s:find "[%.e]" then s = s .. ".0" end
  return s
end

local function is_sequence(t)
  local n = #t
  if n == 0 then return false end
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n
end

-- Keys in a stable order: integers ascending, then strings.
local function sorted_keys(t, where)
  local keys = {}
  for k in pairs(t) do
    if math.type(k) ~= "integer" and type(k) ~= "string" then
      error(string.format("save: keys must be strings or integers, got a %s key in '%s'",
        math.type(k) or type(k), where), 0)
    end
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b)
    if type(a) ~= type(b) then return type(a) == "number" end
    return a < b
  end)
  return keys
end

local function join(path, key)
  return path == "" and tostring(key) or path .. "." .. tostring(key)
end

-- Appends the JSON of `v` to `out`; tensors go into `tensors` by path.
local function encode(v, path, tensors, out, visiting)
  local where = path == "" and "the top" or path
  if torch.is_tensor(v) then
    local name = path == "" and "tensor" or path
    if tensors[name] then error("save: two tensors would be stored as '" .. name .. "'", 0) end
    tensors[name] = v
    out[#out + 1] = '{"__tensor__":' .. json_string(name, where) .. "}"
  elseif math.type(v) == "integer" then
    out[#out + 1] = string.format("%d", v)
  elseif type(v) == "number" then
    out[#out + 1] = json_float(v)
  elseif type(v) == "string" then
    out[#out + 1] = json_string(v, where)
  elseif type(v) == "boolean" then
    out[#out + 1] = tostring(v)
  elseif type(v) == "table" and getmetatable(v) == nil then
    if visiting[v] then error("save: the table at '" .. where .. "' contains itself", 0) end
    visiting[v] = true
    local keys = sorted_keys(v, where)
    local plain = true
    for _, k in ipairs(keys) do
      if type(k) ~= "string" or k == "__tensor__" or k == "__pairs__" then plain = false end
    end
    if is_sequence(v) then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        encode(v[i], join(path, i), tensors, out, visiting)
      end
      out[#out + 1] = "]"
    elseif plain then
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        out[#out + 1] = (i > 1 and "," or "") .. json_string(k, where) .. ":"
        encode(v[k], join(path, k), tensors, out, visiting)
      end
      out[#out + 1] = "}"
    else
      out[#out + 1] = '{"__pairs__":['
      for i, k in ipairs(keys) do
        out[#out + 1] = (i > 1 and ",[" or "[") .. (type(k) == "string" and json_string(k, where) or k) .. ","
        encode(v[k], join(path, k), tensors, out, visiting)
        out[#out + 1] = "]"
      end
      out[#out + 1] = "]}"
    end
    visiting[v] = nil
  elseif type(v) == "table" and type(v.state_dict) == "function" then
    error(string.format("save: cannot save an object (at '%s'): save its state_dict() instead", where), 0)
  else
    error(string.format("save: cannot save a %s (at '%s'): only tensors, numbers, strings, booleans "
      .. "and plain tables of them", type(v), where), 0)
  end
end

-- A table of tensors under string keys: stored as it is, without a tree.
local function is_flat(obj)
  if type(obj) ~= "table" or torch.is_tensor(obj) or getmetatable(obj) ~= nil then return false end
  for k, v in pairs(obj) do
    if type(k) ~= "string" or not torch.is_tensor(v) then return false end
  end
  return true
end

-- ---- rebuilding the tree ----------------------------------------------------------

local function decode(node, tensors, used, path)
  if type(node) ~= "table" then return node end
  if node.__tensor__ ~= nil then
    local t = tensors[node.__tensor__]
    if not t then error(string.format("load: %s: the tree names a tensor '%s' the file does not have",
      path, tostring(node.__tensor__)), 0) end
    used[node.__tensor__] = true
    return t
  end
  local out = {}
  if node.__pairs__ ~= nil then
    for _, kv in ipairs(node.__pairs__) do out[kv[1]] = decode(kv[2], tensors, used, path) end
  else
    for k, v in pairs(node) do out[k] = decode(v, tensors, used, path) end
  end
  return out
end

local function check_options(opts, fn, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then error(fn .. ": options must be a table, got " .. type(opts), 3) end
  for k in pairs(opts) do
    if not allowed[k] then error(string.format("%s: unknown option '%s'", fn, tostring(k)), 3) end
  end
  return opts
end

local function is_npy_path(path)
  return path:sub(-4):lower() == ".npy"
end

--- Saves obj to path (atomically): .npy for a tensor when path ends in .npy,
--- safetensors otherwise.
function torch.save(obj, path, opts)
  if type(path) ~= "string" then error("save: path must be a string, got " .. type(path), 2) end
  opts = check_options(opts, "save", SAVE_OPTIONS)
  if is_npy_path(path) then
    if not torch.is_tensor(obj) then
      error("save: a .npy file holds one tensor, got a " .. type(obj) .. " (use a .safetensors path)", 2)
    end
    return torch._write_npy(path, obj)
  end
  local metadata = {format = "pt"}
  for k, v in pairs(opts.metadata or {}) do
    if type(k) ~= "string" or type(v) ~= "string" then
      error("save: metadata must map strings to strings", 2)
    end
    if k == TREE_KEY then error("save: the metadata key '" .. TREE_KEY .. "' is luagrad's own", 2) end
    metadata[k] = v
  end
  local tensors = obj
  if not is_flat(obj) then
    tensors = {}
    local out = {}
    encode(obj, "", tensors, out, {})
    metadata[TREE_KEY] = table.concat(out)
  end
  torch._write_safetensors(path, tensors, metadata)
end

--- Loads what torch.save wrote, a safetensors file from elsewhere (a table of
--- tensors by name) or a .npy file; returns it and the file's metadata.
function torch.load(path)
  if type(path) ~= "string" then error("load: path must be a string, got " .. type(path), 2) end
  local f = io.open(path, "rb")
  local magic = f and f:read(6)
  if f then f:close() end
  if magic == "\x93NUMPY" or is_npy_path(path) then return torch._read_npy(path) end
  local tensors, metadata = torch._read_safetensors(path)
  local tree = metadata[TREE_KEY]
  if not tree then return tensors, metadata end
  local ok, node = pcall(torch._json_decode, tree, {nonfinite = true})
  if not ok then error(string.format("load: %s: bad %s metadata: %s", path, TREE_KEY, node), 2) end
  local used = {}
  local obj = decode(node, tensors, used, path)
  for name in pairs(tensors) do
    if not used[name] then
      error(string.format("load: %s: the file has a tensor '%s' that its %s does not mention", path, name,
        TREE_KEY), 2)
    end
  end
  metadata[TREE_KEY] = nil
  return obj, metadata
end

torch.doc(torch.save, "torch.save(obj, path, {metadata=})",
  "Saves a tensor, a state_dict or a nested table of tensors, numbers, strings and booleans as a "
  .. "safetensors file (a path ending in .npy saves one tensor as NumPy .npy). The write is atomic: a "
  .. "crash leaves the old file. metadata adds strings to the file's __metadata__.",
  [[
local path = os.tmpname()
torch.save({fc = {weight = torch.eye(2)}, note = "hello"}, path, {metadata = {author = "me"}})
local obj, meta = torch.load(path)
print(obj.fc.weight, obj.note, meta.author)
os.remove(path)]])
torch.doc(torch.load, "torch.load(path)",
  "Loads a file torch.save wrote and returns the same value; a safetensors file from elsewhere gives a "
  .. "table of tensors by name (F16/BF16 as float32, I8..U32 as int64), and a .npy file a tensor. The "
  .. "second result is the file's metadata.",
  [[
local path = os.tmpname()
torch.save({weight = torch.ones(2, 2), step = 3}, path)
local obj = torch.load(path)
print(obj.weight, obj.step)
os.remove(path)]])

return true
