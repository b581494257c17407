-- repl.lua — the Lua half of the prompt: how values print (show) and what Tab
-- offers (complete).  The C half (vm/repl.c) reads lines and calls these.
local repl = {}

local MAX_ITEMS, MAX_DEPTH = 24, 3

local function is_identifier(s)
  return type(s) == "string" and s:match "^[%a_][%w_]*$" ~= nil
end

local format

-- Tables print like Lua constructors, shortened past MAX_ITEMS or MAX_DEPTH;
-- a table with __tostring prints as its tostring.
local function format_table(t, depth, seen)
  local mt = getmetatable(t)
  if type(mt) == "table" and mt.__tostring then return tostring(t) end
  if seen[t] then return "<cycle>" end
  if depth > MAX_DEPTH then return "{...}" end
  seen[t] = true
  local parts, n = {}, #t
  for i = 1, math.min(n, MAX_ITEMS) do parts[#parts + 1] = format(t[i], depth + 1, seen) end
  local keys = {}
  for k in pairs(t) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "string" or type(a) == "number") then return a < b end
    return type(a) < type(b)
  end)
  for _, k in ipairs(keys) do
    if #parts >= MAX_ITEMS then break end
    local key = is_identifier(k) and k or "[" .. format(k, depth + 1, seen) .. "]"
    parts[#parts + 1] = key .. " = " .. format(t[k], depth + 1, seen)
  end
  seen[t] = nil
  if n + #keys > #parts then parts[#parts + 1] = "..." end
  local flat = "{" .. table.concat(parts, ", ") .. "}"
  if #flat <= 78 or depth > 1 then return flat end
  return "{\n  " .. table.concat(parts, ",\n  ") .. "\n}"
end

function format(v, depth, seen)
  if type(v) == "string" then return depth > 0 and string.format("%q", v) or v end
  if type(v) == "table" then return format_table(v, depth, seen) end
  return tostring(v)
end

--- Prints each value the way the prompt shows results; several values are
--- separated by tabs as print does.
function repl.show(...)
  local out = {}
  for i = 1, select("#", ...) do out[i] = format((select(i, ...)), 0, {}) end
  print(table.concat(out, "\t"))
end

repl.format = function(v) return format(v, 0, {}) end

-- The names reachable through the fields and metatables (__index tables) of v.
local function member_names(v, methods_only)
  local names, seen = {}, {}
  local function add(tbl)
    for k, field in pairs(tbl) do
      if is_identifier(k) and not seen[k] and (not methods_only or type(field) == "function") then
        seen[k] = true
        names[#names + 1] = k
      end
    end
  end
  local depth = 0
  while v ~= nil and depth < 8 do
    if type(v) == "table" then add(v) end
    local mt = getmetatable(v)
    if type(mt) ~= "table" then break end
    if type(mt.__methods) == "table" then add(mt.__methods) end
    v = type(mt.__index) == "table" and mt.__index or nil
    depth = depth + 1
  end
  return names
end

--- Completion candidates for the word before the cursor: "torch.ze" offers
--- "torch.zeros", "x:ma" offers "x:matmul"; walking the path only reads
--- fields (rawget first, then a protected index), it never calls functions.
function repl.complete(text)
  local path, sep, partial = text:match "^(.-)([.:])([%w_]*)$"
  local base
  if path then
    base = _G
    for part in path:gmatch "[^.:]+" do
      local ok, next_value = pcall(function() return base[part] end)
      if not ok or next_value == nil then return {} end
      base = next_value
    end
  else
    base, sep, partial, path = _G, "", text, ""
  end
  local matches = {}
  for _, name in ipairs(member_names(base, sep == ":")) do
    if name:sub(1, #partial) == partial then matches[#matches + 1] = path .. sep .. name end
  end
  table.sort(matches)
  return matches
end

return repl
