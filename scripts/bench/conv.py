"""conv.py — PyTorch's side of conv.lua: conv2d forward, and forward + backward,
on the LeNet layer shapes."""
import os
import sys

import torch

sys.dont_write_bytecode = True   # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # -I leaves the script's folder out
from timing import best, report  # noqa: E402

torch.manual_seed(0)
for name, xs, ws, pad, x_grad in (("conv1", (100, 1, 28, 28), (6, 1, 5, 5), 2, False),
                                  ("conv1_nopad", (100, 1, 28, 28), (6, 1, 5, 5), 0, False),
                                  ("conv2", (100, 6, 14, 14), (16, 6, 5, 5), 0, True)):
    x = torch.randn(*xs, requires_grad=x_grad)
    w = torch.randn(*ws, requires_grad=True)
    b = torch.randn(ws[0], requires_grad=True)

    def forward():
        with torch.no_grad():
            return torch.conv2d(x, w, b, padding=pad)

    report(name + "_fwd", best(10, 20, forward))
    g = torch.ones_like(forward())
    report(name + "_fwdbwd", best(10, 20, lambda: torch.conv2d(x, w, b, padding=pad).backward(g)))
