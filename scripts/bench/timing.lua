-- timing.lua — what the Lua benchmarks share: the best time per call over
-- several rounds (the machine is shared, and the best round is the one
-- least disturbed).  Loaded with dofile by the scripts beside it.
local timing = {}

--- Seconds per call of fn: the fastest of `rounds` rounds of `reps` calls.
function timing.best(rounds, reps, fn)
  local t = math.huge
  for _ = 1, rounds do
    local start = torch.clock()
    for _ = 1, reps do fn() end
    t = math.min(t, (torch.clock() - start) / reps)
  end
  return t
end

return timing
