-- seeded.lua — the inputs tests/fixtures/gen_recurrent.py describes by a
-- formula instead of storing them (test_nn_recurrent.lua and
-- test_nn_embedding.lua share them): value(k, seed) =
-- 0.5 * sin(((k * 7919 + seed * 104729) % 1009) * 0.1) for element k,
-- 1-based and row-major, exactly as the generator computes it; and the
-- fixture itself (S.fixture).
local T = require "testing"
local Fx = require "fixture"

local S = {fixture = Fx.load("recurrent")}

--- A tensor of `shape` (a list) filled with value(k, seed).
function S.value(shape, seed, dtype)
  local n = 1
  for _, s in ipairs(shape) do n = n * s end
  local vals = {}
  for k = 1, n do vals[k] = 0.5 * math.sin(((k * 7919 + seed * 104729) % 1009) * 0.1) end
  return torch.tensor(vals, {dtype = dtype or "float64"}):reshape(shape)
end

--- Every element of t close to the flat list `want`.
function S.check_values(t, want, tol, what)
  local got = Fx.values(t)
  T.eq(#got, #want, what .. ": element count")
  for i, w in ipairs(want) do T.close(got[i], w, tol, what .. " at " .. i) end
end

return S
