"""loss.py — PyTorch's side of loss.lua: F.cross_entropy forward + backward, softmax."""
import os
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True   # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # -I leaves the script's folder out
from timing import best, report  # noqa: E402

for name, n, c, reps in (("cross_entropy_100x10", 100, 10, 5000),
                         ("cross_entropy_1000x1000", 1000, 1000, 50)):
    torch.manual_seed(0)
    x = torch.randn(n, c, requires_grad=True)
    t = torch.randint(0, c, (n,))

    def step():
        x.grad = None
        F.cross_entropy(x, t).backward()

    report(name, best(5, reps, step))

torch.manual_seed(0)
x = torch.randn(1000, 1000)
report("softmax_1000x1000", best(5, 50, lambda: x.softmax(1)))
report("log_softmax_1000x1000", best(5, 50, lambda: x.log_softmax(1)))
