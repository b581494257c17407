# tensor_ops.py — the same work as tensor_ops.lua in PyTorch, same output
# format.  Run with Debian's interpreter: /usr/bin/python3 tensor_ops.py
import os
import sys
import torch

sys.dont_write_bytecode = True   # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # -I leaves the script's folder out
from timing import best, report  # noqa: E402


a, b = torch.rand(10), torch.rand(10)
report("add_10", best(5, 100000, lambda: a + b))
big_a, big_b = torch.rand(16 << 20), torch.rand(16 << 20)
report("add_16M", best(5, 4, lambda: big_a + big_b))
src, dst = torch.rand(16 << 20), torch.empty(16 << 20)
report("copy_16M", best(5, 8, lambda: dst.copy_(src)))
report("sum_16M", best(5, 20, lambda: src.sum()))
m1, m2 = torch.rand(1024, 1024), torch.rand(1024, 1024)
report("matmul_1024", best(5, 5, lambda: m1 @ m2))
x, y = torch.rand(10, requires_grad=True), torch.rand(10, requires_grad=True)
report("backward_10", best(5, 20000, lambda: ((x * y) + x).sum().backward()))
