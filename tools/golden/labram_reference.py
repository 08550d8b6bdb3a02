"""Independent PyTorch reference for the LaBraM-Base port (src/BioXBridge/Models/LaBraM.cs), written from the
LaBraM paper's description and upstream's modeling_finetune.py behaviour (NeuralTransformer with
use_mean_pooling, no relative position bias), with upstream's state-dict key names.

Writes tests/BioXBridge.Tests/Fixtures/models/labram/:
  tiny_weights.pt           torch.save(state_dict) (zip) of the tiny config, torch.manual_seed(0) weights
  tiny_input.npy            (2, 3, 4, 200) input, already /100-scaled
  tiny_embed.npy            input of block 0; tiny_block{k}.npy output of block k
  tiny_embed_pos.npy        input of block 0 with input_chans = TINY_INPUT_CHANS (channel position embedding on)
  full_input.npy            (1, 6, 3, 200) input for the full config filled by synthetic_weights.fill (gammas then 1)
  full_fingerprint.npy      (13, S) strided samples (flat[::stride]): row 0 the embed output, row k+1 block k's output
  full_fingerprint.json     stride, sample count, numel, shape and max|ref| per row
Run with Debian's /usr/bin/python3 (torch 1.13, numpy):  python3 tools/golden/labram_reference.py
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
import synthetic_weights  # noqa: E402

FULL = dict(conv_channels=8, depth=12, heads=10, mlp_ratio=4, channel_positions=128, time_positions=16,
            qkv_bias=False, layer_scale=0.1, eps=1e-6, num_classes=0)
TINY = dict(conv_channels=4, depth=3, heads=4, mlp_ratio=2, channel_positions=16, time_positions=8,
            qkv_bias=True, layer_scale=0.1, eps=1e-6, num_classes=3)
TINY_INPUT_CHANS = [0, 5, 11, 16]
PATCH = 200


def embed_dim(cfg):
    return ((PATCH + 14 - 15) // 8 + 1) * cfg["conv_channels"]


class TemporalConv(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv1 = nn.Conv2d(1, ch, (1, 15), stride=(1, 8), padding=(0, 7))
        self.norm1 = nn.GroupNorm(4, ch)
        self.conv2 = nn.Conv2d(ch, ch, (1, 3), padding=(0, 1))
        self.norm2 = nn.GroupNorm(4, ch)
        self.conv3 = nn.Conv2d(ch, ch, (1, 3), padding=(0, 1))
        self.norm3 = nn.GroupNorm(4, ch)

    def forward(self, x):
        b, c, a, t = x.shape
        h = x.reshape(b * c * a, 1, 1, t)  # every patch on its own: convolutions only run along time
        for conv, norm in ((self.conv1, self.norm1), (self.conv2, self.norm2), (self.conv3, self.norm3)):
            h = conv(h)
            # GroupNorm over (channels in group, the whole C*A*time plane) as upstream sees one (1, C*A, T) image
            h = h.reshape(b, c * a, h.shape[1], h.shape[3]).transpose(1, 2)  # (b, ch, c*a, steps)
            h = F.gelu(norm(h))
            h = h.transpose(1, 2).reshape(b * c * a, h.shape[1], 1, h.shape[3])
        steps = h.shape[3]
        # feature index = step * ch + channel
        return h.reshape(b, c * a, h.shape[1], steps).transpose(2, 3).reshape(b, c * a, -1)


class Attention(nn.Module):
    def __init__(self, d, heads, qkv_bias, eps):
        super().__init__()
        self.heads = heads
        hd = d // heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        if qkv_bias:
            self.q_bias = nn.Parameter(torch.zeros(d))
            self.v_bias = nn.Parameter(torch.zeros(d))
        else:
            self.q_bias = self.v_bias = None
        self.q_norm = nn.LayerNorm(hd, eps=eps)
        self.k_norm = nn.LayerNorm(hd, eps=eps)
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        b, n, d = x.shape
        wq, wk, wv = self.qkv.weight.chunk(3, dim=0)
        q = x @ wq.t()
        k = x @ wk.t()
        v = x @ wv.t()
        if self.q_bias is not None:
            q = q + self.q_bias
            v = v + self.v_bias
        split = lambda t: t.view(b, n, self.heads, d // self.heads)  # noqa: E731
        q, k, v = self.q_norm(split(q)), self.k_norm(split(k)), split(v)
        scores = torch.einsum("bqhe,bkhe->bhqk", q, k) / math.sqrt(d // self.heads)
        out = torch.einsum("bhqk,bkhe->bqhe", scores.softmax(-1), v).reshape(b, n, d)
        return self.proj(out)


class Mlp(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = embed_dim(cfg)
        self.norm1 = nn.LayerNorm(d, eps=cfg["eps"])
        self.attn = Attention(d, cfg["heads"], cfg["qkv_bias"], cfg["eps"])
        self.norm2 = nn.LayerNorm(d, eps=cfg["eps"])
        self.mlp = Mlp(d, d * cfg["mlp_ratio"])
        self.gamma_1 = nn.Parameter(torch.full((d,), cfg["layer_scale"]))
        self.gamma_2 = nn.Parameter(torch.full((d,), cfg["layer_scale"]))

    def forward(self, x):
        x = x + self.gamma_1 * self.attn(self.norm1(x))
        return x + self.gamma_2 * self.mlp(self.norm2(x))


class LaBraM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = embed_dim(cfg)
        self.patch_embed = TemporalConv(cfg["conv_channels"])
        self.cls_token = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, cfg["channel_positions"] + 1, d) * 0.02)
        self.time_embed = nn.Parameter(torch.randn(1, cfg["time_positions"], d) * 0.02)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg["depth"])])
        self.fc_norm = nn.LayerNorm(d, eps=cfg["eps"])
        if cfg["num_classes"] > 0:
            self.head = nn.Linear(d, cfg["num_classes"])
        for m in self.modules():  # non-trivial norm affines so the tiny parity exercises them
            if isinstance(m, (nn.LayerNorm, nn.GroupNorm)):
                with torch.no_grad():
                    m.weight.add_(0.1 * torch.randn_like(m.weight))
                    m.bias.add_(0.1 * torch.randn_like(m.bias))

    def embed(self, x, input_chans=None):
        b, c, a, _ = x.shape
        tok = self.patch_embed(x).view(b, c, a, -1)
        if input_chans is not None:
            pos = self.pos_embed[0, input_chans]  # (1 + c, d)
            tok = tok + pos[1:, None, :]
        tok = tok + self.time_embed[0, :a][None, None]
        cls = self.cls_token.expand(b, 1, -1)
        if input_chans is not None:
            cls = cls + pos[0]
        return torch.cat([cls, tok.reshape(b, c * a, -1)], dim=1)

    def trace(self, x, input_chans=None):
        h = self.embed(x, input_chans)
        outs = [h]
        for blk in self.blocks:
            h = blk(h)
            outs.append(h)
        return outs


def fixtures(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    tiny = LaBraM(TINY).eval()
    torch.save(tiny.state_dict(), os.path.join(out, "tiny_weights.pt"))
    x = torch.randn(2, 3, 4, PATCH)
    np.save(os.path.join(out, "tiny_input.npy"), x.numpy().astype(np.float32))
    with torch.no_grad():
        for k, h in enumerate(tiny.trace(x)):
            np.save(os.path.join(out, "tiny_embed.npy" if k == 0 else f"tiny_block{k - 1}.npy"), h.numpy().astype(np.float32))
        np.save(os.path.join(out, "tiny_embed_pos.npy"), tiny.embed(x, TINY_INPUT_CHANS).numpy().astype(np.float32))

    full = LaBraM(FULL).eval()
    synthetic_weights.fill(full)
    with torch.no_grad():
        # LayerScale 1 (the C# test does the same): with the synthetic 0.02-scale gammas each block would add only
        # ~1e-3 of the residual stream, too little for a 1e-4 parity check to see a wrong block
        for name, p in full.named_parameters():
            if name.endswith(("gamma_1", "gamma_2")):
                p.fill_(1.0)
    torch.manual_seed(1)
    xf = 0.5 * torch.randn(1, 6, 3, PATCH)
    np.save(os.path.join(out, "full_input.npy"), xf.numpy().astype(np.float32))
    rows, meta = [], []
    with torch.no_grad():
        for h in full.trace(xf):
            flat = h.reshape(-1)
            stride = max(1, math.ceil(flat.numel() / 4096))
            rows.append(flat[::stride].numpy().astype(np.float32))
            meta.append(dict(shape=list(h.shape), numel=flat.numel(), stride=stride, samples=len(rows[-1]),
                             max_abs=float(flat.abs().max())))
    np.save(os.path.join(out, "full_fingerprint.npy"), np.stack(rows))
    with open(os.path.join(out, "full_fingerprint.json"), "w") as f:
        json.dump(dict(weights="synthetic_weights.fill, then every gamma_1/gamma_2 set to 1",
                       rows=["embed"] + [f"block{k}" for k in range(FULL["depth"])], entries=meta), f, indent=1)
    n_params = sum(p.numel() for p in full.parameters())
    print(f"fixtures written to {out}; full-size parameters: {n_params}")


if __name__ == "__main__":
    fixtures(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "BioXBridge.Tests",
                          "Fixtures", "models", "labram"))
