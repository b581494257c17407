"""optim.py — PyTorch's side of optim.lua: the same optimizer steps, non-foreach
(torch.optim.Adam(params, foreach=False)), on the same parameter shapes."""
import os
import sys

import torch

sys.dont_write_bytecode = True   # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # -I leaves the script's folder out
from timing import best  # noqa: E402

SHAPES = [(128, 784), (128,), (128, 128), (128,), (10, 128), (10,)]


def report(name, make):
    torch.manual_seed(0)
    params = [torch.randn(*s, requires_grad=True) for s in SHAPES]
    for p in params:
        p.grad = torch.randn_like(p)
    opt = make(params)
    for _ in range(20):
        opt.step()
    print("%s %.9g" % (name, best(5, 200, opt.step)))


report("adam_mlp_step", lambda ps: torch.optim.Adam(ps, lr=1e-3, foreach=False))
report("sgd_mlp_step", lambda ps: torch.optim.SGD(ps, lr=1e-2, momentum=0.9, foreach=False))
