-- examples_child.lua — the child process of examples.collect: runs every
-- example of the catalog with markers around its output (see examples.lua).
-- usage: luagrad scripts/docs/examples_child.lua SEED
local here = arg[0]:match "^(.*)/[^/]*$" or "."
package.path = here .. "/?.lua;" .. package.path
local catalog = require "catalog"
local examples = require "examples"

examples.run_all(catalog.build(), math.tointeger(tonumber(arg[1])) or 0)
