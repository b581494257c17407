"""timing.py — what the PyTorch benchmark scripts share: the best time per
call over several rounds, and the "<name> <seconds>" line run.sh reads."""
import time


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
