-- random_split.lua — data.random_split: a dataset cut at random into
-- non-overlapping Subsets (PyTorch's random_split).
local torch = require "torch"
local class = require "data.class"
local Generator = require "data.Generator"
local Subset = require "data.Subset"

--- Lengths are counts summing to #dataset, or fractions summing to 1 (the
--- remainder of the rounding goes one by one to the first subsets, as in
--- PyTorch).  Returns the subsets as multiple results.
local function random_split(dataset, lengths, opts)
  local fn = "random_split"
  opts = class.options(opts, fn, {generator = true, seed = true}, 2)
  local ok, n = pcall(function() return #dataset end)
  if type(dataset) ~= "table" or not ok or not class.integer(n) then error(fn .. ": expected a dataset", 2) end
  if type(lengths) ~= "table" or #lengths == 0 then error(fn .. ": lengths must be a non-empty list", 2) end
  local sum, counts, fractions = 0, {}, true
  for k, l in ipairs(lengths) do
    if type(l) ~= "number" or l < 0 or l ~= l then error(fn .. ": lengths must be numbers >= 0", 2) end
    if l > 1 or math.type(l) == "integer" and l ~= 0 then fractions = false end
    sum = sum + l
  end
  if fractions and math.abs(sum - 1) < 1e-9 then
    local given = 0
    for k, f in ipairs(lengths) do
      counts[k] = math.floor(n * f)
      given = given + counts[k]
    end
    for k = 1, n - given do
      local j = (k - 1) % #counts + 1
      counts[j] = counts[j] + 1
    end
  else
    for k, l in ipairs(lengths) do
      counts[k] = class.integer(l) or error(fn .. ": lengths must be integers (or fractions summing to 1)", 2)
    end
    if sum ~= n then
      error(string.format("%s: the lengths add up to %s, but the dataset has %d samples", fn, tostring(sum), n), 2)
    end
  end
  local perm = n > 0 and Generator.draw(Generator.from_options(opts, fn), torch.randperm, n):totable() or {}
  local out, at = {}, 0
  for k, c in ipairs(counts) do
    out[k] = Subset(dataset, table.move(perm, at + 1, at + c, 1, {}))
    at = at + c
  end
  return table.unpack(out)
end

torch.doc(random_split, "data.random_split(dataset, {n1, n2, ...}, {seed=, generator=})",
  "Splits a dataset at random into Subsets of the given sizes (or fractions summing to 1); returns them "
  .. "as multiple results.",
  [[
local ds = data.TensorDataset(torch.arange(10))
local train, test = data.random_split(ds, {8, 2}, {seed = 0})
print(#train, #test, test:get(1), test:get(2))
local a, b = data.random_split(ds, {0.5, 0.5}, {seed = 0})
print(#a, #b)]])
return random_split
