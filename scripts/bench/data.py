"""data.py — PyTorch's side of data.lua: decoding Fashion-MNIST (gzip +
NumPy, as torchvision's reader does) and one shuffled epoch of batches of 100
from a DataLoader over a TensorDataset, scaled and normalised per batch."""
import gzip
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

ROOT = "/usr/share/datasets/fashion-mnist/"


def best(rounds, fn):
    t = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - start)
    return t


def report(name, seconds):
    print("%s %.9g" % (name, seconds))


def decode():
    with gzip.open(ROOT + "train-images-idx3-ubyte.gz") as f:
        images = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28).copy())
    with gzip.open(ROOT + "train-labels-idx1-ubyte.gz") as f:
        labels = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64))
    return images, labels


report("fmnist_decode", best(3, decode))
images, labels = decode()
torch.manual_seed(0)
loader = DataLoader(TensorDataset(images, labels), batch_size=100, shuffle=True)


def epoch():
    for x, y in loader:
        x = (x.unsqueeze(1).float() / 255 - 0.5) / 0.5


report("fmnist_epoch", best(3, epoch))
