-- test_fuzz.lua — the inputs with which the fuzzers (fuzz/, `make fuzz`)
-- found a crash or undefined behaviour, committed as fuzz/corpus/NAME/crash-*,
-- read the way their harness reads them: each now gives a Lua error naming
-- the problem, or the defined answer PyTorch gives.
local T = require "testing"

local root = debug.getinfo(1, "S").source:match("^@(.*)/tests/lua/[^/]*$") or "."
local sandbox = dofile(root .. "/fuzz/table_sandbox.lua")

local function corpus(name, file)
  local f = assert(io.open(root .. "/fuzz/corpus/" .. name .. "/" .. file, "rb"))
  local bytes = f:read("a")
  f:close()
  return bytes
end

T.test("fuzz idx: 16 bytes whose dims claim 4 GB are 'truncated' before anything is allocated", function()
  local bytes = corpus("idx", "crash-huge-claim")
  T.eq(bytes:byte(1), 0, "harness mode (0: the file as it stands)")
  local p = T.temp_file(bytes:sub(2))
  T.errors("truncated: int16 data of shape 973078529x2 needs 3892314116 bytes, only 4 are there",
           torch._read_idx, p)
  -- Behind gzip the bound is deflate's largest expansion, 1032:1.
  assert(os.execute("gzip -f '" .. p .. "'"))
  T.errors("needs 3892314116 bytes, more than a", torch._read_idx, p .. ".gz")
  os.remove(p .. ".gz")
end)

T.test("fuzz table: the options' __index rewriting the data is an error, not a crash", function()
  local ok, err = sandbox(corpus("table", "crash-data-changed"))
  T.eq(ok, false)
  T.truthy(tostring(err):find("the data table changed while it was being read", 1, true), tostring(err))
end)

-- C leaves these conversions undefined (UBSan's float-cast-overflow); PyTorch
-- 1.13 on x86 gives INT64_MIN for every NaN, Inf or out-of-range value, and
-- uint8 takes its low byte (0), both from torch.tensor and from .long()/.to.
T.test("fuzz table: NaN and Inf into int64 and uint8 give PyTorch's values", function()
  local ok, t = sandbox(corpus("table", "crash-inf-to-int"))
  T.truthy(ok, tostring(t))
  T.allclose(t:totable(), {255, 2, 0, 0, 0, 0, 0, 7})
  local x = torch.tensor({math.huge, -math.huge, 0 / 0, 1e300, -1e300, 9.3e18, -1.5, 300.7, -1.0})
  local min = math.mininteger
  T.eq(table.concat(x:long():totable(), " "), table.concat({min, min, min, min, min, min, -1, 300, -1}, " "))
  T.allclose(x:to("uint8"):totable(), {0, 0, 0, 0, 0, 0, 255, 44, 255})
  T.eq(torch.tensor({0 / 0}, {dtype = "int64"}):totable()[1], min)
  T.eq(torch.full({1}, math.huge, {dtype = "int64"}):totable()[1], min)
end)
