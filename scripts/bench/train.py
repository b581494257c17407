"""train.py — PyTorch's side of train.lua: one epoch of the MLP recipe on
Fashion-MNIST for the MLP and for LeNet-5, read from Debian's IDX files into tensors once, batches
gathered by index from a shuffled permutation (a DataLoader with a Dataset
would only add Python overhead)."""
import gzip
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.dont_write_bytecode = True   # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # -I leaves the script's folder out
from timing import best  # noqa: E402

ROOT = "/usr/share/datasets/fashion-mnist/"


def idx(name, offset):
    with gzip.open(ROOT + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


torch.manual_seed(0)
images = torch.tensor(idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28))
labels = torch.tensor(idx("train-labels-idx1-ubyte.gz", 8), dtype=torch.long)
models = {
    "mlp": nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                         nn.Linear(128, 10)),
    "lenet": nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)),
}


def epoch(model, optimizer):
    perm = torch.randperm(len(labels))
    for i in range(0, len(labels), 100):
        idx_ = perm[i:i + 100]
        x = (images[idx_].float() / 255 - 0.2860) / 0.3530
        optimizer.zero_grad()
        F.cross_entropy(model(x), labels[idx_]).backward()
        optimizer.step()


for name in ("mlp", "lenet"):
    model = models[name]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    print("%s_epoch %.9g" % (name, best(2, 1, lambda: epoch(model, optimizer))))
