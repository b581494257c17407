-- test_mnist.lua — the IDX reader and the MNIST-format datasets: Debian's
-- Fashion-MNIST files (dataset-fashion-mnist, which `make deps` installs)
-- decoded and checked against their raw bytes as gzip -dc gives them; small
-- hand-written IDX files of every type, plain and gzip-compressed; every
-- malformed file an error naming the file.
local T = require "testing"

local ROOT = "/usr/share/datasets/fashion-mnist"

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p '" .. dir .. "'"))

local function write(p, bytes)
  local f = assert(io.open(p, "wb"))
  f:write(bytes)
  f:close()
  return p
end

local function gunzip(p)
  local h = assert(io.popen("gzip -dc '" .. p .. "'"))
  local s = h:read("a")
  h:close()
  return s
end

local function gzip(p)
  assert(os.execute("gzip -kf '" .. p .. "'"))
  return p .. ".gz"
end

-- An IDX file: type code, dims, data bytes.
local function idx(code, dims, body)
  local head = string.char(0, 0, code, #dims)
  for _, d in ipairs(dims) do head = head .. string.pack(">I4", d) end
  return head .. body
end

-- sum of bytes and sum of byte * (position mod 65521), position from 0
local function checksums(s)
  local sum, weighted, pos = 0, 0, 0
  for i = 1, #s, 4096 do
    local bytes = {s:byte(i, math.min(i + 4095, #s))}
    for _, b in ipairs(bytes) do
      sum = sum + b
      weighted = weighted + b * (pos % 65521)
      pos = pos + 1
    end
  end
  return sum, weighted
end

T.test("mnist: Fashion-MNIST test images and labels equal the raw bytes of Debian's files", function()
  local ds = data.datasets.FashionMNIST{train = false}
  T.eq(#ds, 10000)
  T.eq(ds.data.dtype, "uint8")
  T.eq(table.concat(ds.data.shape, "x"), "10000x28x28")
  local raw = gunzip(ROOT .. "/t10k-images-idx3-ubyte.gz")
  T.eq(#raw, 16 + 10000 * 784)
  T.eq(raw:sub(1, 16), string.char(0, 0, 8, 3) .. string.pack(">I4I4I4", 10000, 28, 28))
  local pixels = raw:sub(17)
  local sum, weighted = checksums(pixels)
  local flat = ds.data:view(-1):long()
  T.eq(flat:sum():item(), sum)
  local pos = torch.arange(flat:numel()) % 65521
  T.eq((flat * pos):sum():item(), weighted)
  local img = ds:get(1234)
  local want = {pixels:byte(1233 * 784 + 1, 1234 * 784)}
  local got = img:view(-1):totable()
  T.allclose(got, want)
  local labels = gunzip(ROOT .. "/t10k-labels-idx1-ubyte.gz")
  T.eq(labels:sub(1, 8), string.char(0, 0, 8, 1) .. string.pack(">I4", 10000))
  local targets = ds.targets:totable()
  for i = 1, 10000 do
    if targets[i] ~= labels:byte(8 + i) + 1 then T.eq(targets[i], labels:byte(8 + i) + 1, "label " .. i) end
  end
end)

T.test("mnist: the Fashion-MNIST training set decodes quickly and matches its raw labels", function()
  local t0 = torch.clock()
  local ds = data.datasets.FashionMNIST()
  local seconds = torch.clock() - t0
  T.truthy(seconds < 3, "decoding 60,000 images took " .. seconds .. " s")
  T.eq(#ds, 60000)
  T.eq(ds.classes[1], "T-shirt/top")
  T.eq(ds.classes[10], "Ankle boot")
  T.eq(ds.class_to_idx["Bag"], 9)
  local labels = gunzip(ROOT .. "/train-labels-idx1-ubyte.gz")
  local targets = ds.targets:totable()
  local mismatches = 0
  for i = 1, 60000 do
    if targets[i] ~= labels:byte(8 + i) + 1 then mismatches = mismatches + 1 end
  end
  T.eq(mismatches, 0)
  local counts = torch.zeros(10, {dtype = "int64"}):index_add_(1, ds.targets, torch.ones(60000, {dtype = "int64"}))
  T.allclose(counts:totable(), {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000})
  local img, label = ds:get(60000)
  T.eq(img.dtype, "uint8")
  T.eq(table.concat(img.shape, "x"), "28x28")
  T.eq(math.type(label), "integer")
  T.eq(label, labels:byte(8 + 60000) + 1)
end)

T.test("mnist: transforms per sample and per batch agree; the loader gives float batches", function()
  local T_ = data.transforms
  local ds = data.datasets.FashionMNIST{train = false,
    transform = T_.Compose({T_.ToTensor(), T_.Normalize({0.5}, {0.5})})}
  local x, y = ds:get(7)
  T.eq(table.concat(x.shape, "x"), "1x28x28")
  T.eq(x.dtype, "float32")
  local bx, by = ds:get_batch(torch.tensor({7, 8}))
  T.eq(table.concat(bx.shape, "x"), "2x1x28x28")
  T.allclose(bx[1]:view(-1):totable(), x:view(-1):totable(), 1e-6)
  T.eq(by[1]:item(), y)
  local loader = data.DataLoader(ds, {batch_size = 1000, shuffle = true})
  T.eq(#loader, 10)
  local n = 0
  for xb, yb in loader:iter() do
    n = n + xb:size(1)
    T.truthy(xb:min():item() >= -1 and xb:max():item() <= 1)
    T.eq(yb.dtype, "int64")
  end
  T.eq(n, 10000)
  -- A transform without a batched form runs sample by sample.
  ds.transform = T_.Lambda(function(img) return img:float():sum() end)
  local sums = ds:get_batch(torch.tensor({7, 8}))
  T.eq(sums:size(1), 2)
  T.eq(sums[1]:item(), ds.data[7]:float():sum():item())
  ds.target_transform = function(label) return label - 1 end
  local _, zero_based = ds:get_batch(torch.tensor({7}))
  T.eq(zero_based[1]:item(), y - 1)
  T.truthy(tostring(ds):find("Dataset FashionMNIST\n    Number of datapoints: 10000", 1, true))
end)

T.test("mnist: IDX files of every type, plain and gzip-compressed", function()
  local cases = {
    {0x08, {2, 3}, string.char(0, 1, 2, 253, 254, 255), "uint8", {{0, 1, 2}, {253, 254, 255}}},
    {0x09, {3}, string.char(0x7f, 0x80, 0xff), "int64", {127, -128, -1}},
    {0x0B, {2}, string.pack(">i2i2", -300, 300), "int64", {-300, 300}},
    {0x0C, {2}, string.pack(">i4i4", -70000, 2147483647), "int64", {-70000, 2147483647}},
    {0x0D, {2}, string.pack(">ff", 1.5, -0.25), "float32", {1.5, -0.25}},
    {0x0E, {1, 2}, string.pack(">dd", math.pi, -1e300), "float64", {{math.pi, -1e300}}},
    {0x08, {0, 5}, "", "uint8", {}},
  }
  for i, c in ipairs(cases) do
    local p = write(dir .. "/case" .. i, idx(c[1], c[2], c[3]))
    for _, file in ipairs({p, gzip(p)}) do
      local t = torch._read_idx(file)
      T.eq(t.dtype, c[4], file)
      T.eq(table.concat(t.shape, "x"), table.concat(c[2], "x"), file)
      if t:numel() > 0 then T.allclose(t:totable(), c[5], 1e-15) end
    end
  end
end)

T.test("mnist: every malformed IDX file is an error naming the file and the problem", function()
  local good = idx(0x08, {2, 2}, "abcd")
  local cases = {
    {"", "truncated: the magic number needs 4 bytes, only 0 are there"},
    {string.char(1, 0, 8, 1) .. string.pack(">I4", 1) .. "x", "not an IDX file: it starts with bytes 01 00 08 01"},
    {string.char(0, 0, 7, 1) .. string.pack(">I4", 1) .. "x", "not an IDX file"},
    {string.char(0, 0, 8, 0), "0 dims (luagrad reads 1 to 16)"},
    {string.char(0, 0, 8, 17), "17 dims"},
    {string.char(0, 0, 8, 2, 0, 0, 0), "truncated: the list of dims needs 8 bytes, only 3 are there"},
    {good:sub(1, -2), "truncated: uint8 data of shape 2x2 needs 4 bytes, only 3 are there"},
    {good .. "e", "bytes left over after the uint8 data of shape 2x2"},
    {idx(0x08, {65536, 65536, 65536, 65536}, ""), "the dims describe more data than any file holds"},
    {idx(0x0E, {3}, string.pack(">d", 1)), "truncated: float64 data of shape 3 needs 24 bytes"},
  }
  for i, c in ipairs(cases) do
    local p = write(dir .. "/bad" .. i, c[1])
    for _, file in ipairs({p, gzip(p)}) do
      T.errors(c[2], torch._read_idx, file)
      T.errors("read_idx: " .. file .. ": ", torch._read_idx, file)
    end
  end
  -- Damaged and cut-short gzip streams.
  local big = write(dir .. "/big", idx(0x08, {4000}, string.rep("0123456789abcdef", 250)))
  local gz = io.open(gzip(big), "rb"):read("a")
  local damaged = write(dir .. "/damaged.gz", gz:sub(1, 30) .. string.char((gz:byte(31) + 1) % 256) .. gz:sub(32))
  T.truthy(not pcall(torch._read_idx, damaged), "a damaged stream loads")
  local cut = write(dir .. "/cut.gz", gz:sub(1, #gz // 2))
  T.errors("read_idx: " .. cut .. ": ", torch._read_idx, cut)
  local crc = write(dir .. "/crc.gz", gz:sub(1, -9) .. string.char(0, 0, 0, 0) .. gz:sub(-4))
  T.errors("damaged gzip data", torch._read_idx, crc)
  T.errors("read_idx: /nonexistent/x: No such file or directory", torch._read_idx, "/nonexistent/x")
end)

T.test("mnist: MNIST from a folder of IDX files (flat or torchvision's raw/), checked for consistency", function()
  local root = dir .. "/mnist"
  os.execute("mkdir -p '" .. root .. "/MNIST/raw'")
  local images = idx(0x08, {3, 2, 2}, string.rep("\1\2\3\4", 3))
  write(root .. "/train-images-idx3-ubyte", images)
  write(root .. "/train-labels-idx1-ubyte", idx(0x08, {3}, string.char(0, 9, 4)))
  write(root .. "/MNIST/raw/t10k-images-idx3-ubyte", images)
  gzip(root .. "/MNIST/raw/t10k-images-idx3-ubyte")
  os.remove(root .. "/MNIST/raw/t10k-images-idx3-ubyte")
  write(root .. "/MNIST/raw/t10k-labels-idx1-ubyte", idx(0x08, {3}, string.char(1, 1, 1)))
  local train = data.datasets.MNIST{root = root}
  T.eq(#train, 3)
  local img, label = train:get(2)
  T.allclose(img:totable(), {{1, 2}, {3, 4}})
  T.eq(label, 10)
  T.eq(train.classes[label], "9 - nine")
  local test = data.datasets.MNIST{root = root, train = false}
  T.eq(select(2, test:get(3)), 2)
  write(root .. "/train-labels-idx1-ubyte", idx(0x08, {3}, string.char(0, 10, 4)))
  T.errors("has the label 10, but there are only 10 classes (0..9)", data.datasets.MNIST, {root = root})
  write(root .. "/train-labels-idx1-ubyte", idx(0x08, {2}, string.char(0, 1)))
  T.errors("does not hold 3 uint8 labels", data.datasets.MNIST, {root = root})
  write(root .. "/train-labels-idx1-ubyte", idx(0x08, {3}, string.char(0, 1)))
  T.errors("MNIST: read_idx: " .. root .. "/train-labels-idx1-ubyte: truncated", data.datasets.MNIST, {root = root})
  T.errors("MNIST: root must be the folder of the IDX files", data.datasets.MNIST, {})
  T.errors("MNIST: unknown option 'roott'", data.datasets.MNIST, {roott = root})
  T.errors("FashionMNIST: cannot find train-images-idx3-ubyte (looked for " .. root, data.datasets.FashionMNIST,
    {root = root .. "/MNIST"})
  T.errors("MNIST: transform must be callable", data.datasets.MNIST, {root = root, transform = 3})
end)

T.test("mnist: cleanup", function()
  os.execute("rm -rf '" .. dir .. "'")
end)
