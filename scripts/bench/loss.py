# loss.py — the work of loss.lua in PyTorch, same output format ("<name> <seconds>").
# Run with Debian's interpreter: /usr/bin/python3 -I loss.py
import os
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("THREADS", "2")))


def best(rounds, reps, fn):
    t = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        t = min(t, (time.perf_counter() - start) / reps)
    return t


for name, n, c, reps in (("cross_entropy_100x10", 100, 10, 5000), ("cross_entropy_1000x1000", 1000, 1000, 50)):
    torch.manual_seed(0)
    x = torch.randn(n, c, requires_grad=True)
    t = torch.randint(0, c, (n,))
    print(f"{name} {best(5, reps, lambda: F.cross_entropy(x, t).backward()):.9g}")
