-- timing.lua — what the benchmark scripts share (loaded with dofile, so it
-- prints nothing when run.sh runs it on its own): the best time per call
-- over several rounds, and the "<name> <seconds>" line run.sh reads.
local timing = {}

--- The best of `rounds` rounds of `reps` calls of fn, in seconds per call.
function timing.best(rounds, reps, fn)
  local t = math.huge
  for _ = 1, rounds do
    local start = torch.clock()
    for _ = 1, reps do fn() end
    t = math.min(t, (torch.clock() - start) / reps)
  end
  return t
end

function timing.report(name, seconds) print(string.format("%s %.9g", name, seconds)) end

return timing
