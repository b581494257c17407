"""recurrent.py — the work of recurrent.lua in PyTorch (same sizes, same timing)."""

import os
import sys
import torch

sys.dont_write_bytecode = True   # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # -I leaves the script's folder out
from timing import best, report  # noqa: E402

torch.manual_seed(0)


xs = torch.randn(20, 32, 64)


def step(model):
    def run():
        model.zero_grad()
        model(xs)[0].sum().backward()
    return run


report("lstm_step", best(5, 5, step(torch.nn.LSTM(64, 128, 2))))
report("gru_step", best(5, 5, step(torch.nn.GRU(64, 128, 2))))

emb = torch.nn.Embedding(10000, 64)
idx = torch.randint(0, 10000, (32, 50))


def emb_step():
    emb.zero_grad()
    emb(idx).sum().backward()


report("embedding_step", best(5, 50, emb_step))

x = torch.randn(1000, 1000)
report("dropout_1M", best(5, 20, lambda: torch.nn.functional.dropout(x, 0.5)))
