"""Writes views.pt and wrapped.pt, the fixtures of TorchCheckpointTest: a state_dict of views that torch.save stores
with their whole storage, an offset and strides (run: /usr/bin/python3 make_views.py)."""
from collections import OrderedDict

import torch

base = torch.arange(12, dtype=torch.float32)
sd = OrderedDict()
sd["transposed"] = base.reshape(3, 4).t()                 # [4, 3], strides (1, 4)
sd["sliced_half"] = torch.arange(10).half()[2:7]          # offset 2
sd["long"] = torch.arange(6, dtype=torch.int64).reshape(2, 3)
sd["scalar"] = torch.tensor(3.5)
sd["shared"] = base.reshape(3, 4)[1:, ::2]                # same storage as "transposed": offset 4, strides (4, 2)
sd["empty"] = torch.zeros(0, 3)
torch.save(sd, "views.pt")

# rosinality's prior checkpoints: {'model': state_dict, 'args': argparse.Namespace}
import argparse
args = argparse.Namespace(hier="top", channel=16, dropout=0.1, amp=None, cond=True, shape=(8, 8))
torch.save({"model": OrderedDict(w=torch.ones(2)), "args": args}, "wrapped.pt")
