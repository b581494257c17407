-- test_memory.lua — resident memory under GC pressure: loops that make
-- thousands of large temporaries (8 GB in all), with and without autograd,
-- never call collectgarbage, and resident memory (/proc/self/statm) stays
-- bounded: the collector is driven by the bytes tensors hold (vm/bind_tensor.c
-- collects once they have doubled since the last collection, and grown by
-- 64 MB), and a released buffer is reused by the next temporary.
local T = require "testing"

local function resident_mb()
  local f = assert(io.open("/proc/self/statm"))
  local pages = f:read("l"):match("^%d+%s+(%d+)")
  f:close()
  return tonumber(pages) * 4096 / 2 ^ 20
end

-- AddressSanitizer keeps freed blocks in a quarantine (256 MB by default)
-- before reusing them; the sanitized suite allows for it.
local SLACK_MB = os.getenv("ASAN_OPTIONS") and 256 + 256 or 256

-- The growth of resident memory over n calls of body (sampled every 10).
local function growth(n, body)
  collectgarbage()
  local base, peak = resident_mb(), 0
  for i = 1, n do
    body(i)
    if i % 10 == 0 then peak = math.max(peak, resident_mb()) end
  end
  return peak - base
end

T.test("memory: 2,000 temporaries of 4 MB keep resident memory bounded", function()
  local x = torch.randn(1000000)
  local grew = growth(2000, function() local y = x * 2 + 1 end)
  T.truthy(grew < SLACK_MB, string.format("resident memory grew by %.0f MB", grew))
end)

T.test("memory: 300 forward and backward passes keep resident memory bounded", function()
  local w1 = torch.randn(784, 512, {requires_grad = true})
  local w2 = torch.randn(512, 10, {requires_grad = true})
  local x = torch.randn(256, 784)
  local grew = growth(300, function()
    local loss = x:matmul(w1):relu():matmul(w2):pow(2):mean()
    loss:backward()
    w1.grad = nil
    w2.grad = nil
  end)
  T.truthy(grew < SLACK_MB, string.format("resident memory grew by %.0f MB", grew))
end)

T.test("memory: with 200 MB held, temporaries stay within the collector's bound", function()
  local held = torch.zeros(50000000):fill_(1)
  local x = torch.randn(1000000)
  local grew = growth(1000, function() local y = x * 2 + 1 end)
  -- Garbage may reach the bytes held (200 MB) plus 64 MB before a collection.
  T.truthy(grew < 200 + 64 + SLACK_MB, string.format("resident memory grew by %.0f MB", grew))
  T.eq(held[1]:item(), 1.0)
end)
