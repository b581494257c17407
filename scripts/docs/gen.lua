-- gen.lua — writes the API reference (docs/<module>.md, docs/index.md) and
-- the man page (docs/luagrad.1) from the help texts, the one source of both.
--
-- Each function gets its signature, its description and its example with
-- what the example printed (run by examples.lua in a fresh luagrad).  The
-- pages are committed; tests/cli/test_docs.sh regenerates them into a
-- temporary directory and fails when they differ (run `make docs`).
-- usage: luagrad scripts/docs/gen.lua [OUTDIR]   (default docs; run from the
-- repository root)
local here = arg[0]:match "^(.*)/[^/]*$" or "."
package.path = here .. "/?.lua;" .. package.path
local catalog = require "catalog"
local examples = require "examples"
local markdown = require "markdown"
local man = require "man"

local outdir = arg[1] or "docs"

local function write(name, text)
  local path = outdir .. "/" .. name
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

local entries, undocumented = catalog.build()
local results = examples.collect(arg[-1], here)
local failed = {}
for _, e in ipairs(entries) do
  local r = results[e.name]
  if e.example and not (r and r.ok) then
    failed[#failed + 1] = e.name .. ": " .. (r and r.error or "did not run")
  end
end
if #failed > 0 then
  io.stderr:write("gen: examples failed (their output is left out):\n  ", table.concat(failed, "\n  "), "\n")
end
if #undocumented > 0 then
  io.stderr:write("gen: exported names without help: ", table.concat(undocumented, ", "), "\n")
end

os.execute("mkdir -p '" .. outdir .. "'")
for _, page in ipairs(catalog.PAGES) do
  write(page.id .. ".md", markdown.page(page, entries, results))
end
write("index.md", markdown.index(entries))
write("luagrad.1", man.page(arg[-1]))
print(string.format("gen: %d entries on %d pages, %d examples, in %s/", #entries, #catalog.PAGES,
  (function() local n = 0; for _ in pairs(results) do n = n + 1 end; return n end)(), outdir))
os.exit(#failed == 0 and #undocumented == 0)
