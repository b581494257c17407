"""timing.py — what the PyTorch benchmark scripts share: the best time per
call over several rounds, the "<name> <seconds>" line run.sh reads, and
PyTorch's thread count from THREADS (run.sh runs each script with 1 and with
2 threads and keeps the faster time, PyTorch at its best)."""
import os
import time

import torch

if "THREADS" in os.environ:
    torch.set_num_threads(int(os.environ["THREADS"]))


def best(rounds, reps, fn):
    t = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        t = min(t, (time.perf_counter() - start) / reps)
    return t


def report(name, seconds):
    print("%s %.9g" % (name, seconds))
