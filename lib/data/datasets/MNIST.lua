-- MNIST.lua — data.datasets.MNIST: handwritten digits in IDX files (the
-- base of FashionMNIST, which only changes the classes and the default root).
--
--   data.datasets.MNIST{root = "mnist", train = true, transform =, target_transform =}
--
-- root holds train-images-idx3-ubyte, train-labels-idx1-ubyte,
-- t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each plain or .gz, either
-- directly or in <root>/<Name>/raw as torchvision lays them out.  The images
-- are decoded once, in C, into one uint8 (N, 28, 28) tensor (`ds.data`); the
-- labels, 0-based in the files, become 1..10 (`ds.targets`, int64), with
-- their names in ds.classes.  Without a transform a sample is a uint8 28x28
-- tensor and its label as a Lua integer.  A batch (get_batch) is one
-- index_select, passed whole through the transform when every step of it
-- has a batched form (ToTensor, Normalize, the random flips and crops).
local torch = require "torch"
local class = require "data.class"
local collate = require "data.collate"
local Dataset = require "data.Dataset"

local MNIST = Dataset:extend("MNIST")

MNIST.classes = {"0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
  "8 - eight", "9 - nine"}
MNIST.files = {
  train = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
  test = {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
}
local OPTIONS = {root = true, train = true, transform = true, target_transform = true}

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- The path of one of the files, plain or compressed, in root or root/Name/raw.
local function find(root, name, base)
  local tried = {}
  for _, dir in ipairs({root, root .. "/" .. name .. "/raw"}) do
    for _, suffix in ipairs({"", ".gz"}) do
      local path = dir .. "/" .. base .. suffix
      if exists(path) then return path end
      tried[#tried + 1] = path
    end
  end
  error(string.format("%s: cannot find %s (looked for %s)", name, base, table.concat(tried, ", ")), 0)
end

local function read(name, path)
  local ok, t = pcall(torch._read_idx, path)
  if not ok then error(name .. ": " .. tostring(t), 0) end
  return t
end

local function check_transform(name, what, f)
  if f ~= nil and type(f) ~= "function" and not (type(f) == "table" and getmetatable(f)
      and getmetatable(f).__call) then
    error(string.format("%s: %s must be callable, got %s", name, what, type(f)), 0)
  end
  return f
end

function MNIST:init(opts)
  local name = class.name(self)
  opts = class.options(opts, name, OPTIONS, 3)
  local ok, err = pcall(function()
    local root = opts.root or self.default_root
    if type(root) ~= "string" then
      error(name .. ": root must be the folder of the IDX files (a string), got " .. type(root), 0)
    end
    self.root, self.train = root, opts.train ~= false
    self.transform = check_transform(name, "transform", opts.transform)
    self.target_transform = check_transform(name, "target_transform", opts.target_transform)
    local files = self.files[self.train and "train" or "test"]
    local image_path, label_path = find(root, name, files[1]), find(root, name, files[2])
    local images, labels = read(name, image_path), read(name, label_path)
    if images.dtype ~= "uint8" or images:dim() ~= 3 then
      error(string.format("%s: %s holds %s data of %d dims, not uint8 images (N, H, W)", name, image_path,
        images.dtype, images:dim()), 0)
    end
    if labels.dtype ~= "uint8" or labels:dim() ~= 1 or labels:size(1) ~= images:size(1) then
      error(string.format("%s: %s does not hold %d uint8 labels for the images of %s", name, label_path,
        images:size(1), image_path), 0)
    end
    if labels:numel() > 0 and labels:max():item() >= #self.classes then
      error(string.format("%s: %s has the label %d, but there are only %d classes (0..%d)", name, label_path,
        labels:max():item(), #self.classes, #self.classes - 1), 0)
    end
    self.data, self.targets = images, labels:long() + 1
  end)
  if not ok then error(err, 3) end
  self.class_to_idx = {}
  for i, c in ipairs(self.classes) do self.class_to_idx[c] = i end
end

function MNIST:len() return self.data:size(1) end

--- Image i (uint8 HxW, or what the transform makes of it) and its label 1..10.
function MNIST:get(i)
  i = self:_check_index(i)
  local image, target = self.data[i], self.targets[i]:item()
  if self.transform then image = self.transform(image) end
  if self.target_transform then target = self.target_transform(target) end
  return image, target
end

--- The images and labels at `indices` (1-D int64), transformed as a batch.
function MNIST:get_batch(indices)
  local images, targets = self.data:index_select(1, indices), self.targets:index_select(1, indices)
  local t = self.transform
  if t and t.batch then
    images = t:batch(images)
  elseif t then
    local list = {}
    for k = 1, images:size(1) do list[k] = table.pack(t(images[k])) end
    images = collate.default_collate(list)
  end
  if self.target_transform then
    local list = {}
    for k, y in ipairs(targets:totable()) do list[k] = table.pack(self.target_transform(y)) end
    targets = collate.default_collate(list)
  end
  return images, targets
end
torch.doc(MNIST.get_batch, "ds:get_batch(indices)",
  "The images and labels at indices (a 1-D int64 tensor), through the transforms' batched "
    .. "forms when they all have one.",
  [[
local ds = data.datasets.FashionMNIST{train = false, transform = data.transforms.ToTensor()}
local x, y = ds:get_batch(torch.tensor({1, 2, 3}))
print(table.concat(x.shape, "x"), y)]])

function MNIST:_repr()
  local lines = {"Dataset " .. class.name(self), "    Number of datapoints: " .. #self,
    "    Root location: " .. self.root, "    Split: " .. (self.train and "Train" or "Test")}
  if self.transform then
    lines[#lines + 1] = "    Transform: " .. tostring(self.transform):gsub("\n", "\n    ")
  end
  return table.concat(lines, "\n")
end

torch.doc(MNIST, "data.datasets.MNIST{root=, train=true, transform=, target_transform=}",
  "The MNIST digits from IDX files (plain or .gz) in root: uint8 28x28 images and labels 1..10; "
  .. "ds.data and ds.targets hold them all, ds.classes the names.",
  [[
-- Any IDX files with MNIST's names; Debian ships Fashion-MNIST's.
local ds = data.datasets.MNIST{root = "/usr/share/datasets/fashion-mnist", train = false,
  transform = data.transforms.ToTensor()}
local image, label = ds:get(1)
print(#ds, table.concat(image.shape, "x"), label, ds.classes[label])]])
return MNIST
