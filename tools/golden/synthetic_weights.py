"""Deterministic closed-form weights, identical to src/BioXBridge/Models/SyntheticWeights.cs (see its comment).

Value i of tensor `name` is 0.02*sin(0.1*i + phi), phi = (FNV-1a-32(name) % 1000)/1000*2*pi; 1-D `.weight` tensors get
1 + that, `running_var` 1 + |that|, integer buffers 0. Computed in float64, then cast to float32.
"""
import math

import numpy as np
import torch


def fnv1a(s: str) -> int:
    h = 2166136261
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def values(name: str, count: int, unit_offset: bool = False, positive: bool = False) -> np.ndarray:
    phase = fnv1a(name) % 1000 / 1000.0 * 2 * math.pi
    x = 0.02 * np.sin(0.1 * np.arange(count, dtype=np.float64) + phase)
    if positive:
        x = 1 + np.abs(x)
    elif unit_offset:
        x = 1 + x
    return x.astype(np.float32)


@torch.no_grad()
def fill(module: torch.nn.Module) -> None:
    for name, t in module.state_dict().items():
        if not t.is_floating_point():
            t.zero_()
            continue
        v = values(name, t.numel(), t.dim() == 1 and name.endswith(".weight"), name.endswith("running_var"))
        t.copy_(torch.from_numpy(v).reshape(t.shape).to(t.dtype))
