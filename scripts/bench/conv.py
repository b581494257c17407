# conv.py — the same work as conv.lua in PyTorch, same output format.
# Run with Debian's interpreter: /usr/bin/python3 -I conv.py
import os
import time

import torch

torch.set_num_threads(int(os.environ.get("THREADS", "2")))


def best(rounds, reps, fn):
    t = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        t = min(t, (time.perf_counter() - start) / reps)
    return t


def report(name, seconds):
    print(f"{name} {seconds:.9g}")


torch.manual_seed(0)
for name, xs, ws, pad, x_grad in [
    ("conv1", (100, 1, 28, 28), (6, 1, 5, 5), 2, False),
    ("conv1_nopad", (100, 1, 28, 28), (6, 1, 5, 5), 0, False),
    ("conv2", (100, 6, 14, 14), (16, 6, 5, 5), 0, True),
]:
    x = torch.randn(*xs, requires_grad=x_grad)
    w = torch.randn(*ws, requires_grad=True)
    b = torch.randn(ws[0], requires_grad=True)

    def forward():
        with torch.no_grad():
            return torch.conv2d(x, w, b, padding=pad)

    report(name + "_fwd", best(10, 20, forward))
    g = torch.ones_like(forward())
    report(name + "_fwdbwd", best(10, 20, lambda: torch.conv2d(x, w, b, padding=pad).backward(g)))
