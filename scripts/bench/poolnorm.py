"""poolnorm.py — PyTorch's side of poolnorm.lua: the same pools and batch norm."""
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.dont_write_bytecode = True   # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # -I leaves the script's folder out
from timing import best, report  # noqa: E402

torch.manual_seed(0)
x = torch.randn(100, 6, 28, 28)
xg = x.clone().requires_grad_()
gpool = torch.randn(100, 6, 14, 14)
gnorm = torch.randn(100, 6, 28, 28)


def pool_step():
    xg.grad = None
    F.max_pool2d(xg, 2).backward(gpool)


report("maxpool2d_fwd", best(5, 100, lambda: F.max_pool2d(x, 2)))
report("maxpool2d_fwdbwd", best(5, 100, pool_step))

bn = nn.BatchNorm2d(6)


def bn_step():
    bn.zero_grad()
    xg.grad = None
    bn(xg).backward(gnorm)


report("batchnorm2d_fwdbwd", best(5, 50, bn_step))
