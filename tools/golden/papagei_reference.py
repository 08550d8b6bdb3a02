"""Independent PyTorch reference for the PaPaGei port (src/BioXBridge/Models/PaPaGei.cs).

Written independently from the PaPaGei paper's description of the model, in the layout of upstream's ResNet1DMoE
(Nokia-Bell-Labs/papagei-foundation-model, models/resnet.py), so the state-dict keys are the published checkpoint's
(checked against the upstream class itself by tools/golden/upstream_checkpoint_layouts.py):
  first_block_conv.conv.*, first_block_bn.*, basicblock_list.i.{bn1, conv1.conv, bn2, conv2.conv}.*,
  final_bn.*, dense.*, expert_layers_1.e.{0,2}.*, gating_network_1.0.*, expert_layers_2.e.{0,3}.*, gating_network_2.0.*
Eval mode throughout (dropout off, batch norm on running statistics). Run with Debian's /usr/bin/python3:

  /usr/bin/python3 tools/golden/papagei_reference.py            # writes the parity fixtures

Fixtures (tests/BioXBridge.Tests/Fixtures/models/papagei/):
  TINY (random weights and running statistics, seed 0): tiny_weights.pt (zip torch.save of the state dict),
    tiny_input.npy (2, 1, 1500), tiny_embed.npy (input of block 0), tiny_block{k:02d}.npy (output of block k),
    tiny_head_{dense,moe1,moe2}.npy (upstream's heads on the last block output).
  FULL (PaPaGei-S, closed-form weights of synthetic_weights.py): full_input.npy (1, 1, 7500) and, per output,
    full_<name>.npy = [max|ref|, ref.flatten()[::stride]] with stride = ceil(numel / 4096).
  meta.json: configs, shapes (the block-input shapes for 7500 samples are the spec's table) and strides.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_weights  # noqa: E402

FULL = dict(base_filters=32, kernel=3, stride=2, n_block=18, n_classes=512, n_experts=3)
TINY = dict(FULL, base_filters=4, n_classes=64)  # PaPaGeiConfig.Tiny with Experts = 3


def same_pad(x, kernel, stride):
    n = x.shape[-1]
    out = (n + stride - 1) // stride
    p = max(0, (out - 1) * stride + kernel - n)
    return F.pad(x, (p // 2, p - p // 2))


class ConvSame(nn.Module):
    def __init__(self, cin, cout, kernel, stride):
        super().__init__()
        self.kernel, self.stride = kernel, stride
        self.conv = nn.Conv1d(cin, cout, kernel, stride=stride)

    def forward(self, x):
        return self.conv(same_pad(x, self.kernel, self.stride))


class Block(nn.Module):
    def __init__(self, cin, cout, kernel, stride, downsample, first):
        super().__init__()
        self.cin, self.cout, self.first, self.downsample = cin, cout, first, downsample
        self.stride = stride if downsample else 1
        self.bn1 = nn.BatchNorm1d(cin)
        self.do1 = nn.Dropout(0.5)
        self.conv1 = ConvSame(cin, cout, kernel, self.stride)
        self.bn2 = nn.BatchNorm1d(cout)
        self.do2 = nn.Dropout(0.5)
        self.conv2 = ConvSame(cout, cout, kernel, 1)

    def forward(self, x):
        h = x if self.first else self.do1(F.relu(self.bn1(x)))
        h = self.conv2(self.do2(F.relu(self.bn2(self.conv1(h)))))
        identity = x
        if self.downsample:  # max pool of kernel = stride with SAME padding computed for stride 1
            identity = F.max_pool1d(same_pad(identity, self.stride, 1), self.stride)
        if self.cout != self.cin:
            lo = (self.cout - self.cin) // 2
            identity = F.pad(identity.transpose(-1, -2), (lo, self.cout - self.cin - lo)).transpose(-1, -2)
        return h + identity


class ResNet1DMoE(nn.Module):
    def __init__(self, c):
        super().__init__()
        b = c["base_filters"]
        self.first_block_conv = ConvSame(1, b, c["kernel"], 1)
        self.first_block_bn = nn.BatchNorm1d(b)
        blocks, cout = [], b
        for i in range(c["n_block"]):
            cin = b if i == 0 else b * 2 ** ((i - 1) // 4)
            cout = cin * 2 if (i % 4 == 0 and i != 0) else cin
            blocks.append(Block(cin, cout, c["kernel"], c["stride"], i % 2 == 1, i == 0))
        self.basicblock_list = nn.ModuleList(blocks)
        e = c["n_experts"]
        self.final_bn = nn.BatchNorm1d(cout)
        self.dense = nn.Linear(cout, c["n_classes"])
        self.expert_layers_1 = nn.ModuleList(
            [nn.Sequential(nn.Linear(cout, cout // 2), nn.ReLU(), nn.Linear(cout // 2, 1)) for _ in range(e)])
        self.gating_network_1 = nn.Sequential(nn.Linear(cout, e), nn.Softmax(dim=1))
        self.expert_layers_2 = nn.ModuleList(
            [nn.Sequential(nn.Linear(cout, cout // 2), nn.ReLU(), nn.Dropout(0.3), nn.Linear(cout // 2, 1))
             for _ in range(e)])
        self.gating_network_2 = nn.Sequential(nn.Linear(cout, e), nn.Softmax(dim=1))

    def trace(self, x):
        """[input of block 0, output of block 0, ..., output of the last block]"""
        h = F.relu(self.first_block_bn(self.first_block_conv(x)))
        outs = [h]
        for block in self.basicblock_list:
            h = block(h)
            outs.append(h)
        return outs

    def heads(self, h):
        pooled = F.relu(self.final_bn(h)).mean(-1)

        def moe(experts, gate):
            return torch.sum(gate(pooled).unsqueeze(2) * torch.stack([e(pooled) for e in experts], dim=1), dim=1)

        return self.dense(pooled), moe(self.expert_layers_1, self.gating_network_1), \
            moe(self.expert_layers_2, self.gating_network_2)


def names(n):
    return ["embed"] + [f"block{k:02d}" for k in range(n)]


@torch.no_grad()
def randomise(model, seed):
    """Random weights and batch-norm running statistics, norms away from identity."""
    g = torch.Generator().manual_seed(seed)
    for name, t in model.state_dict().items():
        if not t.is_floating_point():
            t.fill_(7)  # num_batches_tracked
            continue
        if name.endswith("running_var"):
            t.copy_(torch.rand(t.shape, generator=g) + 0.5)
            continue
        fan_in = t[0].numel() if t.dim() > 1 else 1
        r = torch.randn(t.shape, generator=g) * (1 / math.sqrt(fan_in) if t.dim() > 1 else 0.1)
        t.copy_(r + 1 if (t.dim() == 1 and name.endswith("weight")) else r)


def fingerprint(t, limit=4096):
    flat = t.detach().reshape(-1).double().numpy()
    stride = max(1, math.ceil(flat.size / limit))
    return np.concatenate([[np.abs(flat).max()], flat[::stride]]).astype(np.float32), stride


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                                  "BioXBridge.Tests", "Fixtures", "models", "papagei"))
    a = ap.parse_args()

    os.makedirs(a.out, exist_ok=True)
    meta = {"tiny": {"config": TINY}, "full": {"config": FULL}}

    torch.manual_seed(0)
    tiny = ResNet1DMoE(TINY).eval()
    randomise(tiny, 0)
    torch.save(tiny.state_dict(), os.path.join(a.out, "tiny_weights.pt"))
    x = torch.randn(2, 1, 1500, generator=torch.Generator().manual_seed(1))
    np.save(os.path.join(a.out, "tiny_input.npy"), x.numpy())
    with torch.no_grad():
        outs = tiny.trace(x)
        heads = tiny.heads(outs[-1])
    meta["tiny"]["keys"] = {k: list(v.shape) for k, v in tiny.state_dict().items()}
    meta["tiny"]["shapes"] = {}
    for n, o in list(zip(names(TINY["n_block"]), outs)) + list(zip(["head_dense", "head_moe1", "head_moe2"], heads)):
        np.save(os.path.join(a.out, f"tiny_{n}.npy"), o.numpy().astype(np.float32))
        meta["tiny"]["shapes"][n] = list(o.shape)

    full = ResNet1DMoE(FULL).eval()
    synthetic_weights.fill(full)
    t = np.arange(7500) / 125.0
    xf = np.sin(2 * np.pi * 1.1 * t) + 0.3 * np.sin(2 * np.pi * 2.2 * t + 0.7) + 0.05 * np.cos(2 * np.pi * 9.0 * t)
    xf = torch.from_numpy(xf.astype(np.float32)[None, None])
    np.save(os.path.join(a.out, "full_input.npy"), xf.numpy())
    with torch.no_grad():
        outs = full.trace(xf)
    meta["full"]["keys"] = {k: list(v.shape) for k, v in full.state_dict().items()}
    meta["full"]["shapes"], meta["full"]["strides"] = {}, {}
    for n, o in zip(names(FULL["n_block"]), outs):
        fp, stride = fingerprint(o)
        np.save(os.path.join(a.out, f"full_{n}.npy"), fp)
        meta["full"]["shapes"][n] = list(o.shape)
        meta["full"]["strides"][n] = stride
    meta["full"]["parameters"] = sum(p.numel() for p in full.parameters())
    meta["full"]["parameters_encoder"] = sum(p.numel() for n, p in full.named_parameters()
                                             if n.startswith(("first_block", "basicblock_list")))
    with open(os.path.join(a.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("wrote", os.path.abspath(a.out), "full parameters", meta["full"]["parameters"],
          "encoder", meta["full"]["parameters_encoder"])


if __name__ == "__main__":
    main()
