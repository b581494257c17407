"""nn.py — PyTorch's side of nn.lua: the same forward + backward steps."""

import os
import sys
import torch
import torch.nn.functional as F
from torch import nn

sys.dont_write_bytecode = True   # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # -I leaves the script's folder out
from timing import best, report  # noqa: E402


torch.manual_seed(0)
x = torch.rand(100, 1, 28, 28)
y = torch.randint(0, 10, (100,))


def step(model):
    def run():
        model.zero_grad()
        F.cross_entropy(model(x), y).backward()
    return run


mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                    nn.Linear(128, 10))
report("mlp_step", best(5, 50, step(mlp)))

lenet = nn.Sequential(
    nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
report("lenet_step", best(5, 10, step(lenet)))
