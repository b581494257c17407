-- test_data.lua — datasets, samplers, the DataLoader, collation, transforms
-- and the CSV dataset, against values worked out by hand; shuffling is
-- checked to be a permutation and reproducible from torch.manual_seed.
local T = require "testing"

local function rows(n, f)
  local x, y = {}, {}
  for i = 1, n do x[i] = {i, 10 * i}; y[i] = f and f(i) or i % 3 end
  return torch.tensor(x, {dtype = "float32"}), torch.tensor(y)
end

local function sorted(list)
  local c = {table.unpack(list)}
  table.sort(c)
  return c
end

local function range(a, b)
  local out = {}
  for i = a, b do out[#out + 1] = i end
  return out
end

-- ---- datasets -----------------------------------------------------------------------

T.test("data: TensorDataset returns rows of every tensor; #ds and bounds", function()
  local x, y = rows(5)
  local ds = data.TensorDataset(x, y)
  T.eq(#ds, 5)
  local xi, yi = ds:get(2)
  T.allclose(xi:totable(), {2, 20})
  T.eq(yi:item(), 2)
  T.eq(yi:dim(), 0)
  local bx, by = ds:get_batch(torch.tensor({5, 1}))
  T.allclose(bx:totable(), {{5, 50}, {1, 10}})
  T.allclose(by:totable(), {2, 1})
  T.errors("TensorDataset: index 6 out of range (the dataset has 5 samples)", ds.get, ds, 6)
  T.errors("TensorDataset: index 0 out of range", ds.get, ds, 0)
  T.errors("TensorDataset: index must be an integer, got 1.5", ds.get, ds, 1.5)
  T.errors("TensorDataset: size mismatch between tensors: tensor 1 has 5 rows (5x2), tensor 2 has 4 (4)",
    data.TensorDataset, x, torch.zeros(4))
  T.errors("TensorDataset: argument 2 is a string, not a tensor", data.TensorDataset, x, "y")
  T.errors("TensorDataset: needs at least one tensor", data.TensorDataset)
  T.errors("0-dim", data.TensorDataset, torch.tensor(1))
  T.eq(tostring(ds), "TensorDataset(5 samples)")
end)

T.test("data: Subset, ConcatDataset and ds1 + ds2", function()
  local a = data.TensorDataset(torch.arange(1, 6))
  local b = data.TensorDataset(torch.arange(101, 104))
  local s = data.Subset(a, {5, 1, 3})
  T.eq(#s, 3)
  T.eq(s:get(1):item(), 5)
  T.allclose(s:get_batch(torch.tensor({2, 3})):totable(), {1, 3})
  local s2 = data.Subset(a, torch.tensor({2, 4}))
  T.eq(s2:get(2):item(), 4)
  T.errors("Subset: index 6 (at 2) out of range for a dataset of 5 samples", data.Subset, a, {1, 6})
  local c = a + b
  T.eq(#c, 8)
  local got = {}
  for i = 1, 8 do got[i] = c:get(i):item() end
  T.allclose(got, {1, 2, 3, 4, 5, 101, 102, 103})
  T.eq(data.ConcatDataset({a, b, s}):get(9):item(), 5)
  T.errors("ConcatDataset: index 9 out of range", c.get, c, 9)
  T.errors("ConcatDataset: item 2 is a number, not a dataset", data.ConcatDataset, {a, 3})
end)

T.test("data: a custom dataset needs only len and get", function()
  local Squares = data.Dataset:extend("Squares")
  function Squares:init(n) self.n = n end
  function Squares:len() return self.n end
  function Squares:get(i) return i * i, {id = i, even = i % 2 == 0} end
  local ds = Squares(7)
  T.eq(#ds, 7)
  local loader = data.DataLoader(ds, {batch_size = 3})
  T.eq(#loader, 3)
  local batches = {}
  for v, meta in loader:iter() do batches[#batches + 1] = {v, meta} end
  T.eq(#batches, 3)
  T.eq(batches[1][1].dtype, "int64")
  T.allclose(batches[1][1]:totable(), {1, 4, 9})
  T.allclose(batches[3][1]:totable(), {49})
  T.allclose(batches[2][2].id:totable(), {4, 5, 6})
  T.eq(batches[2][2].even.dtype, "bool")
  T.errors("Dataset: get is not defined", data.Dataset().get, data.Dataset())
end)

T.test("data: random_split by counts and by fractions, reproducible from a seed", function()
  local ds = data.TensorDataset(torch.arange(1, 11))
  local a, b = data.random_split(ds, {7, 3}, {seed = 3})
  T.eq(#a, 7)
  T.eq(#b, 3)
  local all = {}
  for _, s in ipairs({a, b}) do for i = 1, #s do all[#all + 1] = s:get(i):item() end end
  T.allclose(sorted(all), range(1, 10))
  local a2 = data.random_split(ds, {7, 3}, {seed = 3})
  T.eq(a2:get(1):item(), a:get(1):item())
  local x, y, z = data.random_split(ds, {0.5, 0.3, 0.2})
  T.eq(#x + #y + #z, 10)
  T.eq(#x, 5)
  local p, q = data.random_split(data.TensorDataset(torch.arange(1, 12)), {0.5, 0.5})
  T.eq(#p, 6)                       -- 5.5 rounds down; the remainder goes to the first
  T.eq(#q, 5)
  T.errors("random_split: the lengths add up to 9, but the dataset has 10 samples", data.random_split, ds, {4, 5})
  T.errors("random_split: unknown option 'sed'", data.random_split, ds, {5, 5}, {sed = 1})
end)

-- ---- samplers and the loader ----------------------------------------------------------

T.test("data: samplers give an epoch's order as an int64 tensor", function()
  T.allclose(data.SequentialSampler(4):indices():totable(), {1, 2, 3, 4})
  local r = data.RandomSampler(6, {seed = 1})
  T.eq(#r, 6)
  T.allclose(sorted(r:indices():totable()), range(1, 6))
  local again = data.RandomSampler(6, {seed = 1})
  T.allclose(again:indices():totable(), data.RandomSampler(6, {seed = 1}):indices():totable())
  local rr = data.RandomSampler(3, {replacement = true, num_samples = 50, seed = 2}):indices()
  T.eq(rr:numel(), 50)
  T.truthy(rr:min():item() >= 1 and rr:max():item() <= 3)
  local sub = data.SubsetRandomSampler({10, 20, 30}, {seed = 4}):indices():totable()
  T.allclose(sorted(sub), {10, 20, 30})
  T.errors("RandomSampler: num_samples 7 is more than the 6 samples", data.RandomSampler, 6, {num_samples = 7})
  T.errors("RandomSampler: unknown option 'replace'", data.RandomSampler, 6, {replace = true})
end)

T.test("data: WeightedRandomSampler follows the weights, with and without replacement", function()
  local w = data.WeightedRandomSampler({0, 1, 3}, 4000, {seed = 5})
  local counts = {0, 0, 0}
  for _, i in ipairs(w:indices():totable()) do counts[i] = counts[i] + 1 end
  T.eq(counts[1], 0)
  T.close(counts[3] / 4000, 0.75, 0.05)
  local nr = data.WeightedRandomSampler({1, 0, 5, 2}, 3, {replacement = false, seed = 6}):indices():totable()
  T.allclose(sorted(nr), {1, 3, 4})
  T.errors("cannot draw 3 samples without replacement from 2 nonzero weights", data.WeightedRandomSampler,
    {1, 0, 1}, 3, {replacement = false})
  T.errors("weights must be finite, >= 0 and not all zero", data.WeightedRandomSampler, {0, 0}, 1)
end)

T.test("data: DataLoader batches, #loader, drop_last, and a TensorDataset batch in one gather", function()
  local x, y = rows(10)
  local ds = data.TensorDataset(x, y)
  local loader = data.DataLoader(ds, {batch_size = 4})
  T.eq(#loader, 3)
  local sizes, firsts = {}, {}
  for bx, by in loader:iter() do
    sizes[#sizes + 1] = bx:size(1)
    firsts[#firsts + 1] = bx[1][1]:item()
    T.eq(by:size(1), bx:size(1))
  end
  T.allclose(sizes, {4, 4, 2})
  T.allclose(firsts, {1, 5, 9})
  T.eq(#data.DataLoader(ds, {batch_size = 4, drop_last = true}), 2)
  local n = 0
  for _ in data.DataLoader(ds, {batch_size = 4, drop_last = true}):iter() do n = n + 1 end
  T.eq(n, 2)
  T.eq(#data.DataLoader(ds), 10)
  T.eq(tostring(loader), "DataLoader(10 samples, batch_size=4, shuffle=false, drop_last=false: 3 batches)")
  -- get_batch and sample-by-sample collation agree.
  local via_collate = data.DataLoader(ds, {batch_size = 4, collate_fn = data.default_collate})
  local b1, c1 = loader:iter()(), via_collate:iter()()
  T.allclose(b1:totable(), c1:totable())
end)

T.test("data: shuffling is a new permutation each epoch, reproducible from torch.manual_seed", function()
  local ds = data.TensorDataset(torch.arange(1, 21))
  local function epoch(loader)
    local out = {}
    for b in loader:iter() do for _, v in ipairs(b:totable()) do out[#out + 1] = v end end
    return out
  end
  torch.manual_seed(42)
  local loader = data.DataLoader(ds, {batch_size = 6, shuffle = true})
  local e1, e2 = epoch(loader), epoch(loader)
  T.allclose(sorted(e1), range(1, 20))
  T.truthy(table.concat(e1, ",") ~= table.concat(e2, ","), "two epochs differ")
  torch.manual_seed(42)
  T.allclose(epoch(data.DataLoader(ds, {batch_size = 6, shuffle = true})), e1)
  -- A seeded loader has its own stream: the global one is untouched.
  torch.manual_seed(1)
  local before = torch.get_rng_state()
  local s1 = epoch(data.DataLoader(ds, {batch_size = 6, shuffle = true, seed = 9}))
  T.truthy(torch.get_rng_state():eq(before):all():item(), "global stream untouched")
  T.allclose(epoch(data.DataLoader(ds, {batch_size = 6, shuffle = true, seed = 9})), s1)
end)

T.test("data: DataLoader options are checked", function()
  local ds = data.TensorDataset(torch.arange(1, 5))
  T.errors("DataLoader: unknown option 'shufle'", data.DataLoader, ds, {shufle = true})
  T.errors("DataLoader: batch_size must be a positive integer, got 0", data.DataLoader, ds, {batch_size = 0})
  T.errors("DataLoader: sampler and shuffle cannot be given together", data.DataLoader, ds,
    {shuffle = true, sampler = data.SequentialSampler(4)})
  T.errors("DataLoader: expected a dataset", data.DataLoader, 5)
  T.errors("DataLoader: collate_fn must be a function", data.DataLoader, ds, {collate_fn = 1})
  local sampled = {}
  for b in data.DataLoader(ds, {sampler = data.SubsetRandomSampler({2, 4}), batch_size = 5}):iter() do
    sampled = sorted(b:totable())
  end
  T.allclose(sampled, {2, 4})
end)

T.test("data: default_collate stacks tensors, numbers and nested tables", function()
  local a, b = table.pack(torch.ones(2), 1, 2.5, true, "s", {x = torch.zeros(1), y = {3}}),
    table.pack(torch.zeros(2), 2, 3.5, false, "t", {x = torch.ones(1), y = {4}})
  local t, i, f, bo, s, nested = data.default_collate({a, b})
  T.allclose(t:totable(), {{1, 1}, {0, 0}})
  T.eq(i.dtype, "int64")
  T.eq(f.dtype, "float64")
  T.eq(bo.dtype, "bool")
  T.eq(s[2], "t")
  T.allclose(nested.x:totable(), {{0}, {1}})
  T.allclose(nested.y[1]:totable(), {3, 4})
  T.errors("default_collate: samples 1 and 2 differ at value 1: float32 2 and float32 3",
    data.default_collate, {table.pack(torch.ones(2)), table.pack(torch.ones(3))})
  T.errors("default_collate: expected a non-empty list", data.default_collate, {})
end)

-- ---- transforms --------------------------------------------------------------------

T.test("transforms: ToTensor scales uint8 to [0, 1] and moves channels first", function()
  local TT = data.transforms.ToTensor()
  local img = torch.tensor({{0, 255}, {51, 102}}, {dtype = "uint8"})
  local t = TT(img)
  T.eq(t.dtype, "float32")
  T.eq(table.concat(t.shape, "x"), "1x2x2")
  T.allclose(t:totable(), {{{0, 1}, {0.2, 0.4}}}, 1e-6)
  local hwc = torch.arange(12):reshape(2, 2, 3):to("uint8")
  local chw = TT(hwc)
  T.eq(table.concat(chw.shape, "x"), "3x2x2")
  T.close(chw[2][1][2]:item(), 4 / 255, 1e-6)                 -- channel 2 of pixel (1, 2) = 4
  T.allclose(TT:batch(hwc:unsqueeze(1)):squeeze(1):totable(), chw:totable())
  T.allclose(TT:batch(img:unsqueeze(1)):totable(), {t:totable()})
  T.errors("ToTensor: expected an image of shape HxW or HxWxC, got a tensor of shape 5", TT, torch.zeros(5))
  T.errors("ToTensor: expected an image of shape HxW or HxWxC, got 1x2x3x4", TT, torch.zeros(1, 2, 3, 4))
  T.eq(tostring(TT), "ToTensor()")
end)

T.test("transforms: Normalize per channel, one sample and a batch", function()
  local N = data.transforms.Normalize({0.5, 1}, {0.5, 2})
  local x = torch.ones(2, 1, 2)
  T.allclose(N(x):totable(), {{{1, 1}}, {{0, 0}}})
  T.allclose(N:batch(x:unsqueeze(1)):totable(), {N(x):totable()})
  T.errors("Normalize: expected a floating tensor (use ToTensor first), got uint8 2x1x2", N,
    torch.ones(2, 1, 2, {dtype = "uint8"}))
  T.errors("Normalize: 2 means and stds for an image of 3 channels", N, torch.ones(3, 1, 1))
  T.errors("Normalize: std is zero", data.transforms.Normalize, 0, 0)
  T.eq(tostring(N), "Normalize(mean=[0.5, 1], std=[0.5, 2])")
end)

T.test("transforms: RandomHorizontalFlip, RandomCrop with padding, Lambda, Compose", function()
  local img = torch.arange(6, {dtype = "float32"}):reshape(1, 2, 3)
  T.allclose(data.transforms.RandomHorizontalFlip(1)(img):totable(), {{{2, 1, 0}, {5, 4, 3}}})
  T.allclose(data.transforms.RandomHorizontalFlip(0)(img):totable(), img:totable())
  local batch = torch.stack({img, img})
  T.allclose(data.transforms.RandomHorizontalFlip(1):batch(batch)[2]:totable(), {{{2, 1, 0}, {5, 4, 3}}})
  torch.manual_seed(3)
  local flips = data.transforms.RandomHorizontalFlip(0.5):batch(torch.stack({img, img, img, img, img, img, img, img}))
  local flipped = 0
  for k = 1, 8 do if flips[k][1][1][1]:item() == 2 then flipped = flipped + 1 end end
  T.truthy(flipped > 0 and flipped < 8, "some flipped, some not")
  -- A 2x3 image padded by 1 and cropped to 4x5 is the padded image itself.
  local crop = data.transforms.RandomCrop({4, 5}, {padding = 1, fill = -1})
  T.allclose(crop(img):totable(), {{{-1, -1, -1, -1, -1}, {-1, 0, 1, 2, -1}, {-1, 3, 4, 5, -1}, {-1, -1, -1, -1, -1}}})
  local small = data.transforms.RandomCrop(2)(img)
  T.eq(table.concat(small.shape, "x"), "1x2x2")
  T.eq(table.concat(data.transforms.RandomCrop(2):batch(batch).shape, "x"), "2x1x2x2")
  T.errors("RandomCrop: the crop 3x3 is larger than the (padded) image 2x3", data.transforms.RandomCrop(3), img)
  T.eq(table.concat(data.transforms.RandomCrop(3, {pad_if_needed = true})(img).shape, "x"), "1x3x3")
  T.errors("RandomCrop: unknown option 'pad'", data.transforms.RandomCrop, 3, {pad = 1})
  local C = data.transforms.Compose({data.transforms.Lambda(function(v) return v * 2 end),
    data.transforms.Normalize(1, 1)})
  T.allclose(C(img):totable(), {{{-1, 1, 3}, {5, 7, 9}}})
  T.eq(C.batch, nil, "a Lambda has no batched form, so neither has the Compose")
  local C2 = data.transforms.Compose({data.transforms.ToTensor(), data.transforms.Normalize(0.5, 0.5)})
  T.truthy(C2.batch ~= nil)
  T.eq(tostring(C2), "Compose(\n    ToTensor()\n    Normalize(mean=[0.5], std=[0.5])\n)")
  T.errors("Compose: item 1 is a number, not a transform", data.transforms.Compose, {1})
end)

-- ---- CSV ------------------------------------------------------------------------------

T.test("datasets.CSV: header, delimiter, target columns, dtypes", function()
  local p = T.temp_file('sepal, petal ,"label"\r\n5.1,1.4,0\n\n4.9, 1.5e0 ,"2"\n6,nan,1\n')
  local ds = data.datasets.CSV{path = p, targets = "label", target_dtype = "int64"}
  T.eq(#ds, 3)
  local x, y = ds:get(2)
  T.allclose(x:totable(), {4.9, 1.5}, 1e-6)
  T.eq(x.dtype, "float32")
  T.eq(y:item(), 2)
  T.eq(y.dtype, "int64")
  T.eq(table.concat(ds.columns, "|"), "sepal|petal|label")
  local x3 = ds:get(3)
  T.truthy(x3[2]:item() ~= x3[2]:item(), "nan parses")
  local two = data.datasets.CSV(p, {targets = {1, 3}, dtype = "float64"})
  local f, t = two:get(1)
  T.eq(f.dtype, "float64")
  T.allclose(t:totable(), {5.1, 0}, 1e-6)
  T.eq(#data.datasets.CSV(p, {targets = false}).tensors, 1)
  T.errors("CSV: no column named 'species' (columns: sepal, petal, label)", data.datasets.CSV, p, {targets = "species"})
  T.errors("CSV: target column 4 out of range", data.datasets.CSV, p, {targets = 4})
  T.errors("CSV: unknown option 'target'", data.datasets.CSV, p, {target = 1})
  os.remove(p)
  p = T.temp_file("1;2;3.5\n4;5;6\n")
  local nd = data.datasets.CSV(p, {header = false, delimiter = ";"})
  T.allclose({nd:get(1):totable(), nd:get(2):totable()}, {{1, 2}, {4, 5}})
  T.errors("int64 needs integer targets", data.datasets.CSV, p, {header = false, delimiter = ";", targets = 3,
    target_dtype = "int64"})
  T.eq(nd.columns, nil)
  os.remove(p)
end)

T.test("datasets.CSV: malformed text is an error naming the line", function()
  local cases = {
    {"a,b\n1,2\n3\n", ":3: 1 fields, but the header has 2"},
    {"1,2\n3,4,5\n", ":2: 3 fields, but the first row has 2", {header = false}},
    {"a,b\n1,x\n", ":2: field 2 is 'x', not a number"},
    {"a,b\n1,\n", ":2: field 2 is empty, not a number"},
    {"a,b\n1,\"2\n", "a quoted field without its closing quote"},
    {"a,b\n\"1\"x,2\n", "text after a closing quote"},
    {"", "the file is empty (no header line)"},
    {"a,b\n1,2\0", "a NUL byte in the text"},
  }
  for _, c in ipairs(cases) do
    local p = T.temp_file(c[1])
    T.errors(c[2], torch._read_csv, p, c[3])
    T.errors("read_csv: " .. p, torch._read_csv, p, c[3])
    os.remove(p)
  end
  T.errors("the delimiter must be one character", torch._read_csv, "x", {delimiter = ",,"})
  T.errors("No such file", torch._read_csv, "/nonexistent/file.csv")
end)
