# optim.py — the PyTorch side of scripts/bench/optim.lua: one optimizer step
# over the 101,770 parameters of a 784-128-128-10 MLP with random gradients,
# non-foreach (PyTorch 1.13's default on CPU), one line per benchmark:
# "<name> <seconds per step>", best of several rounds.
# Run with Debian's interpreter: /usr/bin/python3 scripts/bench/optim.py
import os

import torch

from timing import best

torch.set_num_threads(int(os.environ.get("THREADS", "2")))
torch.manual_seed(0)
SHAPES = [(128, 784), (128,), (128, 128), (128,), (10, 128), (10,)]


def bench(name, make):
    params = [torch.randn(*s, requires_grad=True) for s in SHAPES]
    for p in params:
        p.grad = torch.randn_like(p)
    opt = make(params)
    for _ in range(20):
        opt.step()
    print(f"{name} {best(5, 200, opt.step):.9g}")


bench("adam_mlp_step", lambda ps: torch.optim.Adam(ps, lr=1e-3, foreach=False))
bench("sgd_mlp_step", lambda ps: torch.optim.SGD(ps, lr=1e-2, momentum=0.9, foreach=False))
