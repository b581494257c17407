-- test_from_pytorch.lua — docs/from-pytorch.md tells the truth: each Lua block
-- marked <!-- file: path --> is that file word for word, each marked
-- <!-- excerpt: path --> is a piece of it, every other Lua block runs in a
-- fresh luagrad, the Python blocks parse (when python3 is there), and every
-- training program of scripts/ is on the page.
local T = require "testing"

local PAGE = "docs/from-pytorch.md"
local PROGRAMS = {"linear_regression", "logistic_regression", "mlp_regression", "mnist_mlp", "cnn"}

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read "a"
  f:close()
  return s
end

-- The fenced blocks: {lang, code, marker = {kind, path} or nil, line}.
local function blocks(text)
  local list, current, previous, n = {}, nil, "", 0
  for line in (text .. "\n"):gmatch "(.-)\n" do
    n = n + 1
    if current then
      if line == "```" then
        current.code = table.concat(current.lines, "\n") .. "\n"
        list[#list + 1], current = current, nil
      else
        current.lines[#current.lines + 1] = line
      end
    elseif line:match "^```%w+$" then
      local kind, path = previous:match "^<!%-%- (%w+): (%S+) %-%->$"
      current = {lang = line:sub(4), lines = {}, line = n, marker = kind and {kind, path}}
    end
    previous = line
  end
  return list
end

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local all = blocks(read(PAGE))

T.test("the page's programs are the files in scripts/, word for word", function()
  local shown = {}
  for _, b in ipairs(all) do
    if b.marker and b.marker[1] == "file" then
      T.eq(b.code, read(b.marker[2]), PAGE .. ":" .. b.line .. " against " .. b.marker[2])
      shown[b.marker[2]] = true
    elseif b.marker then
      T.eq(b.marker[1], "excerpt", PAGE .. ":" .. b.line .. " marker")
      T.truthy(read(b.marker[2]):find(b.code, 1, true), PAGE .. ":" .. b.line .. " is a piece of " .. b.marker[2])
    end
  end
  for _, name in ipairs(PROGRAMS) do
    T.truthy(shown["scripts/" .. name .. ".lua"], "scripts/" .. name .. ".lua is on the page")
  end
end)

T.test("every other Lua block of the page runs in a fresh luagrad", function()
  local exe, bad, ran = arg[-1], {}, 0
  if exe:sub(1, 1) ~= "/" then exe = os.getenv("PWD") .. "/" .. exe end
  for _, b in ipairs(all) do
    if b.lang == "lua" and not b.marker then
      local dir = os.tmpname()
      os.remove(dir)
      os.execute("mkdir " .. shell_quote(dir))
      local p = io.popen(string.format("cd %s && %s - 2>&1 >/dev/null", shell_quote(dir), shell_quote(exe)), "w")
      p:write(b.code)
      local ok = p:close()
      os.execute("rm -rf " .. shell_quote(dir))
      ran = ran + 1
      if not ok then bad[#bad + 1] = PAGE .. ":" .. b.line end
    end
  end
  T.truthy(ran > 5, "the page has Lua blocks to run")
  T.eq(table.concat(bad, ", "), "", "blocks that failed")
end)

T.test("the Python blocks parse", function()
  if not io.open("/usr/bin/python3") then return end   -- optional: make test runs without Python
  for _, b in ipairs(all) do
    if b.lang == "python" then
      local p = io.popen("/usr/bin/python3 -I -c 'import ast, sys; ast.parse(sys.stdin.read())' 2>&1", "w")
      p:write(b.code)
      T.truthy(p:close(), PAGE .. ":" .. b.line .. " is Python")
    end
  end
end)
