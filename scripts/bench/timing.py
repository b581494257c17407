# timing.py — what the PyTorch benchmarks share: the best time per call
# over several rounds (the machine is shared, and the best round is the one
# least disturbed).
import time


def best(rounds, reps, fn):
    """Seconds per call of fn: the fastest of `rounds` rounds of `reps` calls."""
    t = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        t = min(t, (time.perf_counter() - start) / reps)
    return t
