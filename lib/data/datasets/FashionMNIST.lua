-- FashionMNIST.lua — data.datasets.FashionMNIST: Zalando's clothing images in
-- MNIST's format; root defaults to Debian's dataset-fashion-mnist package.
local torch = require "torch"
local MNIST = require "data.datasets.MNIST"

local FashionMNIST = MNIST:extend("FashionMNIST")

FashionMNIST.classes = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
  "Ankle boot"}
FashionMNIST.default_root = "/usr/share/datasets/fashion-mnist"

torch.doc(FashionMNIST, "data.datasets.FashionMNIST{root=\"/usr/share/datasets/fashion-mnist\", train=true, transform=, target_transform=}",
  "Fashion-MNIST: 60,000 training and 10,000 test uint8 28x28 images of clothes, labels 1..10 "
  .. "(ds.classes: \"T-shirt/top\", \"Trouser\", ...). The default root is Debian's dataset-fashion-mnist.",
  [[
local test = data.datasets.FashionMNIST{train = false}   -- Debian's dataset-fashion-mnist
local image, label = test:get(1)
print(#test, image.dtype, table.concat(image.shape, "x"), label, test.classes[label])]])
return FashionMNIST
