-- test_serialize.lua — torch.save / torch.load: safetensors files made outside
-- luagrad (tests/fixtures/gen_serialize.py: PyTorch tensors laid out by the
-- reference writer's rules, and luagrad's tree encoding written
-- independently) load, and luagrad writes the same bytes; .npy files NumPy
-- wrote load, and luagrad writes NumPy's bytes; every malformed file is a
-- clear error; writes are atomic; the random generator's state round-trips.
local T = require "testing"

local here = debug.getinfo(1, "S").source:match "^@(.*)/[^/]*$" or "."
local FIX = here .. "/../fixtures/serialize/"
local expected = dofile(here .. "/../fixtures/serialize.lua")

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p '" .. dir .. "'"))

local function path(name) return dir .. "/" .. name end

local function read(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function write(p, bytes)
  local f = assert(io.open(p, "wb"))
  f:write(bytes)
  f:close()
end

local function flat(v, out)
  out = out or {}
  if type(v) ~= "table" then out[#out + 1] = v else for _, x in ipairs(v) do flat(x, out) end end
  return out
end

-- A tensor against {dtype, shape, values} from the fixture.
local function check_tensor(t, want, what)
  T.truthy(torch.is_tensor(t), what .. " is a tensor")
  T.eq(t.dtype, want.dtype, what .. " dtype")
  T.eq(table.concat(t.shape, "x"), table.concat(want.shape, "x"), what .. " shape")
  local got = t:dim() == 0 and {t:item()} or flat(t:totable())
  T.eq(#got, #want.values, what .. " count")
  for i, w in ipairs(want.values) do
    if type(w) == "number" and t.dtype:match "^float" then T.close(got[i], w, 1e-7, what) else T.eq(got[i], w, what) end
  end
end

-- Same dtype, shape and values (NaN equal to NaN).
local function same(a, b)
  if a.dtype ~= b.dtype or table.concat(a.shape, "x") ~= table.concat(b.shape, "x") then return false end
  local x, y = a:dim() == 0 and {a:item()} or flat(a:totable()), b:dim() == 0 and {b:item()} or flat(b:totable())
  for i = 1, #y do
    if x[i] ~= y[i] and not (x[i] ~= x[i] and y[i] ~= y[i]) then return false end
  end
  return #x == #y
end

local function fixture_tensor(name)
  local w = expected.tensors[name]
  local t = torch.tensor(#w.shape == 0 and w.values[1] or w.values, {dtype = w.dtype})
  return #w.shape > 0 and t:reshape(w.shape) or t
end

local function fixture_tensors()
  local out = {}
  for name in pairs(expected.tensors) do out[name] = fixture_tensor(name) end
  return out
end

-- The nested value of nested.safetensors, built from the same tensors.
local function nested_value()
  return {
    model = {["fc1.weight"] = fixture_tensor "fc1.weight", ["fc1.bias"] = fixture_tensor "fc1.bias"},
    epoch = 3, lr = 0.001, momentum = 0.9, big = 1e300, nan = 0 / 0, inf = -math.huge,
    name = "run ✓ \"1\"\n", flags = {true, false}, sparse = {[1] = 1.5, [3] = -2},
    list = {fixture_tensor "mask", 2, "x"}, empty = {},
  }
end

local function deep_equal(a, b, where)
  where = where or "value"
  if torch.is_tensor(b) then
    T.truthy(torch.is_tensor(a), where .. " is a tensor")
    T.eq(a.dtype, b.dtype, where .. " dtype")
    T.eq(table.concat(a.shape, "x"), table.concat(b.shape, "x"), where .. " shape")
    T.truthy(same(a, b), where .. " values")
  elseif type(b) == "table" then
    T.eq(type(a), "table", where)
    for k, v in pairs(b) do deep_equal(a[k], v, where .. "." .. tostring(k)) end
    for k in pairs(a) do T.truthy(b[k] ~= nil, where .. ": unexpected key " .. tostring(k)) end
  elseif b ~= b then
    T.truthy(a ~= a, where .. " is NaN")
  else
    T.eq(math.type(a) or type(a), math.type(b) or type(b), where .. " type")
    T.eq(a, b, where)
  end
end

-- ---- files from elsewhere -----------------------------------------------------------

T.test("serialize: a safetensors file laid out as PyTorch's writer does loads by name", function()
  local tensors, meta = torch.load(FIX .. "pt_tensors.safetensors")
  T.eq(meta.format, "pt")
  local n = 0
  for name, want in pairs(expected.tensors) do
    check_tensor(tensors[name], want, name)
    n = n + 1
  end
  local m = 0
  for _ in pairs(tensors) do m = m + 1 end
  T.eq(m, n, "tensor count")
end)

T.test("serialize: torch.save writes the reference writer's exact bytes for the same tensors", function()
  torch.save(fixture_tensors(), path "pt.safetensors")
  T.eq(read(path "pt.safetensors"), read(FIX .. "pt_tensors.safetensors"))
  -- Loaded tensors saved again: the same bytes too.
  torch.save((torch.load(FIX .. "pt_tensors.safetensors")), path "pt2.safetensors")
  T.eq(read(path "pt2.safetensors"), read(FIX .. "pt_tensors.safetensors"))
end)

T.test("serialize: a nested value encoded independently loads, and saving it gives the same bytes", function()
  local value, meta = torch.load(FIX .. "nested.safetensors")
  deep_equal(value, nested_value())
  T.eq(meta.format, "pt")
  T.eq(meta["luagrad.tree"], nil, "the tree is not left in the metadata")
  torch.save(nested_value(), path "nested.safetensors")
  T.eq(read(path "nested.safetensors"), read(FIX .. "nested.safetensors"))
end)

T.test("serialize: half floats load as float32, small integers as int64", function()
  local tensors = torch.load(FIX .. "widened.safetensors")
  for name, want in pairs(expected.widened) do check_tensor(tensors[name], want, name) end
end)

-- ---- round trips --------------------------------------------------------------------

T.test("serialize: values round-trip: lone tensors, views, every dtype, 0-dim, empty, nesting", function()
  local cases = {
    torch.randn(3, 4),
    torch.randn(4, 3):t(),                                   -- non-contiguous
    torch.arange(12):reshape(3, 4)[{{}, {2, 3}}],
    torch.tensor(7, {dtype = "int64"}),
    torch.zeros(0, 5, {dtype = "float64"}),
    torch.tensor({true, false}),
    torch.tensor({{1, 2}, {250, 3}}, {dtype = "uint8"}),
    {w = torch.randn(2, 2, {requires_grad = true})},
    {1, 2.5, "three", true, {nested = {deeper = {torch.ones(1)}}}},
    {[1] = "a", [2] = "b", x = 1},                           -- mixed keys
    {[2] = 5, [10] = torch.zeros(2)},                        -- integer keys with holes
    {__tensor__ = 1, __pairs__ = 2},                         -- keys the encoding uses itself
    {["a.b"] = {c = 1}, n = math.mininteger, m = math.maxinteger, f = 2^53 + 0.0, tiny = 5e-324},
    {s = "tab\tquote\"back\\slash\1\31\127é"},
  }
  for i, v in ipairs(cases) do
    torch.save(v, path "rt.safetensors")
    local back = torch.load(path "rt.safetensors")
    if torch.is_tensor(v) then
      deep_equal(back, v:contiguous(), "case " .. i)
    elseif v.w then
      deep_equal(back, {w = v.w:detach()}, "case " .. i)
      T.eq(back.w.requires_grad, false)
    else
      deep_equal(back, v, "case " .. i)
    end
  end
end)

T.test("serialize: a state_dict stays flat: its keys are the tensor names, no tree", function()
  local sd = {["fc1.weight"] = torch.ones(2, 2), ["fc1.bias"] = torch.zeros(2)}
  torch.save(sd, path "sd.safetensors", {metadata = {note = "hello"}})
  local back, meta = torch._read_safetensors(path "sd.safetensors")
  T.eq(meta["luagrad.tree"], nil)
  T.eq(meta.note, "hello")
  deep_equal(back, sd)
end)

T.test("serialize: torch.save refuses what it cannot store, naming where", function()
  local p = path "bad.safetensors"
  T.errors("cannot save a function (at 'f')", torch.save, {f = print}, p)
  local cyc = {}
  cyc.self = cyc
  T.errors("the table at 'self' contains itself", torch.save, cyc, p)
  T.errors("is not valid UTF-8", torch.save, {s = "\xff"}, p)
  T.errors("keys must be strings or integers, got a boolean key", torch.save, {[true] = 1}, p)
  T.errors("keys must be strings or integers, got a float key", torch.save, {[1.5] = 1}, p)
  T.errors("two tensors would be stored as 'a.b'", torch.save, {["a.b"] = torch.ones(1), a = {b = torch.ones(1)}}, p)
  T.errors("is luagrad's own", torch.save, {}, p, {metadata = {["luagrad.tree"] = "x"}})
  T.errors("save: unknown option 'metdata'", torch.save, {}, p, {metdata = {}})
  T.errors("a .npy file holds one tensor", torch.save, {}, path "x.npy")
  T.errors("cannot save a userdata", torch.save, {io.stdout}, p)
  T.errors("save: cannot save an object (at 'model'): save its state_dict() instead", torch.save,
    {model = nn.Linear(2, 2)}, p)
  T.errors("save: path must be a string", torch.save, {}, 3)
end)

-- ---- .npy -------------------------------------------------------------------------

T.test("serialize: .npy files written by NumPy load (dtypes, 0-d, empty, Fortran order, version 2.0)", function()
  for name, want in pairs(expected.npy) do
    check_tensor(torch.load(FIX .. name .. ".npy"), want, name)
  end
end)

T.test("serialize: torch.save to .npy writes NumPy's exact bytes", function()
  for _, name in ipairs({"f32_2x3", "f64_0d", "i64_1d", "u8_3d", "bool_1d", "f32_empty", "f32_long_shape"}) do
    local t = torch.load(FIX .. name .. ".npy")
    torch.save(t, path(name .. ".npy"))
    T.eq(read(path(name .. ".npy")), read(FIX .. name .. ".npy"), name)
  end
  local v = torch.arange(6, {dtype = "float64"}):reshape(3, 2):t()     -- a view: saved in C order
  torch.save(v, path "view.npy")
  T.truthy(same(torch.load(path "view.npy"), v:contiguous()))
end)

T.test("serialize: .npy dtypes luagrad has no type for are refused with a hint", function()
  T.errors("dtype '>f4' is big-endian", torch.load, FIX .. "f32_bigendian.npy")
  T.errors("dtype '<i4' is not supported (luagrad reads <f4, <f8, <i8, |u1 and |b1)", torch.load, FIX .. "i32.npy")
end)

local function npy(header, data, version)
  header = header .. string.rep(" ", (64 - (10 + #header + 1) % 64) % 64) .. "\n"
  local pre = version == 2 and ("\x93NUMPY\2\0" .. string.pack("<I4", #header))
    or ("\x93NUMPY\1\0" .. string.pack("<I2", #header))
  return pre .. header .. (data or "")
end

T.test("serialize: every malformed .npy file is a clear error", function()
  local p = path "m.npy"
  local good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
  local data = string.pack("<ff", 1, 2)
  write(p, npy(good, data))
  T.allclose(torch.load(p):totable(), {1, 2})
  local cases = {
    {"", "too short for a .npy file"},
    {"\x93NUMPY\1", "too short"},
    {"\x93NUMPX\1\0\0\0" .. string.rep(" ", 20), "not a .npy file"},
    {"\x93NUMPY\4\0\0\0" .. string.rep(" ", 20), "version 4.0 is not supported"},
    {"\x93NUMPY\1\0\255\255{}", "the header length 65535 goes beyond the end of the file"},
    {npy(good, data:sub(1, 6)), "truncated: shape 2 of float32 needs 8 bytes of data, the file has 6"},
    {npy(good, data .. "xx"), "data left over: shape 2 of float32 needs 8 bytes"},
    {npy("{'descr': '<f4', 'shape': (2,), }", data), "must have the keys descr, fortran_order and shape"},
    {npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", data), "an unknown key"},
    {npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", data), "a key given twice"},
    {npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}", data), "expected True or False"},
    {npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", data), "expected a size >= 0"},
    {npy("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", data), "expected a tuple"},
    {npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", data), "expected ',' or '}'"},
    {npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", data), "text after the dict"},
    {npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", data), "structured dtypes"},
    {npy("{'descr' '<f4', 'fortran_order': False, 'shape': (2,)}", data), "expected ':' after a key"},
    {npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", data), "a size too large"},
    {npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}", data),
      "is too large"},
    {npy("{'descr': '<f4', 'fortran_order': False, 'shape': (" .. string.rep("1, ", 17) .. ")}", data), "more than 16 dims"},
  }
  for i, c in ipairs(cases) do
    write(p, c[1])
    T.errors(c[2], torch.load, p)
    T.errors("load: " .. p, torch.load, p)
  end
  write(p, npy(good, data, 2))
  T.allclose(torch.load(p):totable(), {1, 2})
end)

-- ---- malformed safetensors -----------------------------------------------------------

local function st(header, data)
  return string.pack("<I8", #header) .. header .. (data or "")
end

local function entry(name, dtype, shape, b, e)
  return string.format('"%s":{"dtype":"%s","shape":[%s],"data_offsets":[%s,%s]}', name, dtype, shape, b, e)
end

T.test("serialize: every malformed safetensors file is a clear error naming the file", function()
  local p = path "m.safetensors"
  local d8 = string.rep("\0", 8)
  local ok = "{" .. entry("a", "F32", "2", 0, 8) .. "}"
  write(p, st(ok, d8))
  T.eq(torch.load(p).a:numel(), 2)
  local cases = {
    {"", "too short for a safetensors file"},
    {"\1\0\0", "too short"},
    {string.pack("<I8", 100) .. "{}", "the header length 100 goes beyond the end of the file (10 bytes)"},
    {string.pack("<I8", 1 << 62) .. "{}", "goes beyond the end of the file"},
    {string.pack("<i8", -1) .. "{}", "goes beyond the end of the file"},
    {st(ok, d8:sub(1, 5)), "data_offsets [0, 8] outside the 5 bytes of data"},
    {st(ok, d8 .. "xx"), "the data section has 10 bytes, but the tensors use only 8"},
    {st("", ""), "bad JSON in the header: byte 0: unexpected end"},
    {st("{", ""), "bad JSON in the header"},
    {st('{"a":}', ""), "byte 5: expected a value"},
    {st('{"a" 1}', ""), "expected ':' after an object key"},
    {st("{} x", ""), "unexpected text after the value"},
    {st("[1]", ""), "the header is not a JSON object"},
    {st('{"a\1":1}', ""), "a control character inside a string"},
    {st('{"\xff":1}', ""), "not valid UTF-8"},
    {st('{"\xc0\x80":1}', ""), "not valid UTF-8"},            -- an overlong NUL
    {st('{"\\x":1}', ""), "bad escape"},
    {st('{"\\ud800":1}', ""), "a high surrogate"},
    {st('{"\\udc00":1}', ""), "a low surrogate"},
    {st('{"\\u12":1}', ""), "bad hex digit"},
    {st('{"a":01}', ""), "a leading zero"},
    {st('{"a":1.}', ""), "expected a digit after the decimal point"},
    {st('{"a":NaN}', ""), "expected a value"},
    {st('{"a":tru}', ""), "expected a value"},
    {st("{" .. entry("a", "F32", "2", 0, 8) .. ",}", d8), "expected a string key"},
    {st("{" .. entry("a", "F32", "1", 0, 4) .. "," .. entry("a", "F32", "1", 4, 8) .. "}", d8), 'the key "a" twice'},
    {st(string.rep("[", 100) .. string.rep("]", 100), ""), "nested deeper than 64 levels"},
    {st("{" .. entry("a", "F99", "2", 0, 8) .. "}", d8), "tensor 'a' has an unknown dtype 'F99'"},
    {st("{" .. entry("a", "U64", "1", 0, 8) .. "}", d8), "tensor 'a' has dtype U64, which luagrad cannot hold"},
    {st("{" .. entry("a", "F16", "3", 0, 8) .. "}", d8), "tensor 'a' of shape 3 and dtype F16 does not match its 8 bytes"},
    {st("{" .. entry("a", "F32", "3", 0, 8) .. "}", d8), "tensor 'a' of shape 3 and dtype F32 does not match its 8 bytes"},
    {st("{" .. entry("a", "F32", "2", 0, 9) .. "}", d8), "data_offsets [0, 9] outside the 8 bytes of data"},
    {st("{" .. entry("a", "F32", "0", 8, 0) .. "}", d8), "data_offsets [8, 0] outside"},
    {st("{" .. entry("a", "F32", "1", 4, 8) .. "}", d8), "starts at byte 4 of the data, but the previous tensor ends at 0"},
    {st("{" .. entry("a", "F32", "2", 0, 8) .. "," .. entry("b", "F32", "1", 4, 8) .. "}", d8), "without gaps or overlaps"},
    {st("{" .. entry("a", "F32", "-2", 0, 8) .. "}", d8), "needs a shape"},
    {st("{" .. entry("a", "F32", "1.5", 0, 8) .. "}", d8), "needs a shape"},
    {st("{" .. entry("a", "F32", '"2"', 0, 8) .. "}", d8), "needs a shape"},
    {st("{" .. entry("a", "F32", string.rep("1,", 16) .. "2", 0, 8) .. "}", d8), "at most 16 sizes"},
    {st("{" .. entry("a", "F32", "4611686018427387904,4", 0, 8) .. "}", d8), "does not match its 8 bytes"},
    {st("{" .. entry("a", "F32", "2", -1, 8) .. "}", d8), "needs data_offsets"},
    {st("{" .. entry("a", "F32", "2", 0, "18446744073709551616") .. "}", d8), "needs data_offsets"},
    {st('{"a":{"shape":[2],"data_offsets":[0,8]}}', d8), "tensor 'a' has no dtype string"},
    {st('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}', d8), "unknown field \"x\""},
    {st('{"a":[1]}', d8), "the entry of tensor 'a' is not an object"},
    {st('{"__metadata__":{"k":1}}', ""), "__metadata__ value of \"k\" is not a string"},
    {st('{"__metadata__":[]}', ""), "__metadata__ must be an object of strings"},
  }
  for i, c in ipairs(cases) do
    write(p, c[1])
    T.errors(c[2], torch.load, p)
    T.errors("load: " .. p .. ": ", torch.load, p)
  end
  T.errors("No such file or directory", torch.load, path "missing.safetensors")
  T.errors("is a directory", torch.load, dir)
end)

T.test("serialize: a bad luagrad.tree is an error, not a wrong value", function()
  local p = path "tree.safetensors"
  local function with_tree(tree, header_entries, data)
    local meta = '"__metadata__":{"luagrad.tree":"' .. tree:gsub('"', '\\"') .. '"}'

    write(p, st("{" .. meta .. (header_entries and "," .. header_entries or "") .. "}", data))
  end
  with_tree('{"x":{"__tensor__":"gone"}}')
  T.errors("the tree names a tensor 'gone' the file does not have", torch.load, p)
  with_tree("{", nil)
  T.errors("bad luagrad.tree metadata", torch.load, p)
  with_tree('{"x":1}', entry("extra", "U8", "1", 0, 1), "\7")
  T.errors("the file has a tensor 'extra' that its luagrad.tree does not mention", torch.load, p)
end)

T.test("serialize: every truncation and many corruptions of a valid file fail cleanly", function()
  local good = read(FIX .. "nested.safetensors")
  local p = path "cut.safetensors"
  for n = 0, #good - 1 do
    write(p, good:sub(1, n))
    T.truthy(not pcall(torch.load, p), "a file cut to " .. n .. " bytes loads")
  end
  -- Each header byte replaced: an error or a value, never a crash.
  local header_end = 8 + string.unpack("<I8", good)
  for i = 1, header_end do
    for _, b in ipairs({0, 0x22, 0x5c, 0x7b, 0xff}) do
      write(p, good:sub(1, i - 1) .. string.char(b) .. good:sub(i + 1))
      pcall(torch.load, p)
    end
  end
end)

-- ---- atomic writes ------------------------------------------------------------------

local function leftovers()
  local p = io.popen("ls -A '" .. dir .. "'")
  local out = {}
  for f in p:lines() do if f:match "^%." then out[#out + 1] = f end end
  p:close()
  return table.concat(out, " ")
end

T.test("serialize: a failed save leaves the old file and no temporary file", function()
  local p = path "keep.safetensors"
  torch.save({a = torch.ones(3)}, p)
  local before = read(p)
  T.errors("cannot save a function", torch.save, {a = torch.ones(2), f = print}, p)
  T.eq(read(p), before)
  T.eq(leftovers(), "")
  T.errors("cannot create a file beside it", torch.save, {a = torch.ones(1)}, dir .. "/no/such/dir/x.safetensors")
  T.errors("Is a directory", torch.save, torch.ones(1), dir)
end)

T.test("serialize: a write that fails midway (file size limit) keeps the old file", function()
  local p = path "big.safetensors"
  torch.save({a = torch.ones(3)}, p)
  local before = read(p)
  local exe = arg[-1]
  if not exe:match "^/" then exe = os.getenv("PWD") .. "/" .. exe end
  local code = string.format("torch.save({a = torch.zeros(1000000)}, %q)", p)
  -- SIGXFSZ ignored: the write fails with EFBIG, save reports it and removes the temporary file.
  local cmd = string.format("ulimit -f 64 && trap '' XFSZ && '%s' -e '%s' 2>&1", exe, code)
  local h = io.popen(cmd)
  local out = h:read("a")
  h:close()
  T.truthy(out:find("File too large", 1, true), "message: " .. out)
  T.eq(read(p), before)
  T.eq(leftovers(), "")
  -- Killed by SIGXFSZ in the middle of writing: the old file is still whole.
  os.execute(string.format("ulimit -f 64 && '%s' -e '%s' >/dev/null 2>&1", exe, code))
  T.eq(read(p), before)
  os.execute("rm -f '" .. dir .. "'/.big.safetensors.*")
end)

T.test("serialize: saving over a file keeps its permissions", function()
  local p = path "mode.safetensors"
  torch.save(torch.ones(1), p)
  os.execute("chmod 640 '" .. p .. "'")
  torch.save(torch.zeros(2), p)
  local h = io.popen("stat -c %a '" .. p .. "'")
  T.eq(h:read("l"), "640")
  h:close()
end)

-- ---- the random generator and JSON ----------------------------------------------------

T.test("serialize: get_rng_state / set_rng_state continue a stream exactly", function()
  torch.manual_seed(5)
  torch.randn(3)
  local state = torch.get_rng_state()
  T.eq(state.dtype, "uint8")
  T.eq(state:numel(), 16)
  local a = torch.randn(5)
  torch.rand(7)
  torch.set_rng_state(state)
  T.truthy(same(torch.randn(5), a))
  T.eq(torch.initial_seed(), 5)
  T.errors("expected the uint8 tensor of 16 bytes", torch.set_rng_state, torch.zeros(16))
  T.errors("expected the uint8 tensor of 16 bytes", torch.set_rng_state, torch.zeros(3, {dtype = "uint8"}))
end)

T.test("serialize: _json_decode gives Lua values and rejects bad text", function()
  local v = torch._json_decode(' {"a": [1, -2.5e3, "x\\u00e9\\ud83d\\ude00", true, false, null], "b": {}} ')
  T.eq(math.type(v.a[1]), "integer")
  T.eq(v.a[2], -2500.0)
  T.eq(v.a[3], "xé😀")
  T.eq(v.a[4], true)
  T.eq(v.a[5], false)
  T.eq(v.a[6], nil)
  T.eq(math.type(torch._json_decode("9223372036854775808")), "float")
  T.truthy(torch._json_decode("NaN", {nonfinite = true}) ~= torch._json_decode("NaN", {nonfinite = true}))
  T.eq(torch._json_decode("-Infinity", {nonfinite = true}), -math.huge)
  T.eq(torch._json_decode("[Infinity]", {nonfinite = true})[1], math.huge)   -- a regression: +Infinity was refused
  T.errors("json_decode: byte 1: expected a value", torch._json_decode, "[Infinity]")
  T.errors("json_decode: byte 0: expected a value", torch._json_decode, "NaN")
  T.errors("json_decode: byte 3: unexpected end where a value should start", torch._json_decode, "[1,")
  T.errors("json_decode: byte 2: unexpected end inside an array", torch._json_decode, "[1")
end)

T.test("serialize: cleanup", function()
  os.execute("rm -rf '" .. dir .. "'")
end)
