"""Independent PyTorch reference for src/BioXBridge/Models/NormWear.cs (parity fixtures; tools/bench/ times it).

Run with Debian's /usr/bin/python3 (torch 1.13, numpy):
    /usr/bin/python3 tools/golden/normwear_reference.py            # writes the fixtures

Written from the behaviour of the upstream MAE encoder (github.com/Mobile-Sensing-and-UbiComp-Laboratory/NormWear,
modules/normwear.py + modules/layers.py), with its state-dict keys: patch_embed.proj, cls_token, pos_embed (a frozen
parameter holding the 2-D sin-cos table), encoder_blocks.N.variate_encoder.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,
mlp.fc2}, encoder_blocks.N.cls_fusion.* on even N (CLS tokens of a sample's channels attend to each other), norm.
Block LayerNorms use eps 1e-6, the final norm eps 1e-5 (plain nn.LayerNorm upstream).

Fixtures (tests/BioXBridge.Tests/Fixtures/models/normwear/):
  tiny_weights.pt          random tiny weights, zip torch.save(state_dict)
  tiny_input.npy           (2, 2, 3, 100, 65): a short window -> 11 x 13 grid, so pos_embed is bicubically resized
  tiny_embed.npy, tiny_block_K.npy   (4, 144, 32) embed output and every block output for tiny_input
  tiny388_fp.npy / full_fp.npy       fingerprints (embed + every block) for a closed-form 388-sample input:
                           x = SyntheticWeights.Values("normwear.input", n) * 100 (float32), tiny: (2, 2, 3, 388, 65),
                           full (SyntheticWeights-filled weights): (1, 2, 3, 388, 65)
  fingerprints.json        per fingerprint file: shape, stride, count, max_abs per boundary
A fingerprint row is flat[::stride][:4096] of a boundary tensor; stride = ceil(numel / 4096).
"""
import json
import math
import pathlib
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import synthetic_weights  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/BioXBridge.Tests/Fixtures/models/normwear"
FULL = dict(dim=768, depth=12, heads=12, mlp=4.0)
TINY = dict(dim=32, depth=4, heads=4, mlp=4.0)
PATCH, GRID = (9, 5), (43, 13)
FP_COUNT = 4096


def sincos_table(dim, grid_t, grid_s):
    """Zero CLS row, then for patch (t, s): [sin(s*w), cos(s*w), sin(t*w), cos(t*w)], w_i = 10000^(-i/(dim/4))."""
    q = dim // 4
    w = (1.0 / 10000 ** (np.arange(q, dtype=np.float32) / np.float32(q))).astype(np.float32)
    tt, ss = np.meshgrid(np.arange(grid_t, dtype=np.float32), np.arange(grid_s, dtype=np.float32), indexing="ij")
    ps = ss.reshape(-1, 1) * w
    pt = tt.reshape(-1, 1) * w
    body = np.concatenate([np.sin(ps), np.cos(ps), np.sin(pt), np.cos(pt)], axis=1)
    return np.concatenate([np.zeros((1, dim), np.float32), body], axis=0).astype(np.float32)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        hd = c // self.heads
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, hd).unbind(2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        a = torch.softmax(torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(hd), dim=-1)
        return self.proj(torch.einsum("bhqk,bhkd->bqhd", a, v).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["dim"]
        self.norm1 = nn.LayerNorm(d, eps=1e-6)
        self.attn = Attention(d, cfg["heads"])
        self.norm2 = nn.LayerNorm(d, eps=1e-6)
        self.mlp = Mlp(d, int(d * cfg["mlp"]))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class EncoderLayer(nn.Module):
    def __init__(self, cfg, index):
        super().__init__()
        self.variate_encoder = Block(cfg)
        if index % 2 == 0:
            self.cls_fusion = Block(cfg)
        self.fuse = index % 2 == 0

    def forward(self, x, nvar):
        x = self.variate_encoder(x)
        if not self.fuse:
            return x
        bc, n, e = x.shape
        per = x.view(bc // nvar, nvar, n, e)
        fused = self.cls_fusion(per[:, :, 0])  # (b, nvar, e): one sequence of channel CLS tokens per sample
        out = per.clone()
        out[:, :, 0] = fused
        return out.view(bc, n, e)


class PatchEmbed(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, PATCH, stride=PATCH)

    def forward(self, x):
        y = self.proj(x)
        return y.reshape(y.shape[0], y.shape[1], -1).permute(0, 2, 1)


class NormWearRef(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["dim"]
        self.patch_embed = PatchEmbed(d)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.from_numpy(sincos_table(d, *GRID))[None], requires_grad=False)
        self.encoder_blocks = nn.ModuleList([EncoderLayer(cfg, i) for i in range(cfg["depth"])])
        self.norm = nn.LayerNorm(d)

    def pos(self, gt, gs):
        if (gt, gs) == GRID:
            return self.pos_embed
        d = self.pos_embed.shape[-1]
        grid = self.pos_embed[:, 1:].reshape(1, GRID[0], GRID[1], d).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, size=(gt, gs), mode="bicubic", align_corners=False)
        return torch.cat([self.pos_embed[:, :1], grid.permute(0, 2, 3, 1).reshape(1, gt * gs, d)], dim=1)

    def trace(self, x):
        """x: (b, nvar, 3, L, F) -> [embed output, block 0 output, ...], each (b*nvar, tokens, d)."""
        b, nvar, c, length, scales = x.shape
        p = self.patch_embed(x.reshape(b * nvar, c, length, scales))
        gt, gs = (length - PATCH[0]) // PATCH[0] + 1, (scales - PATCH[1]) // PATCH[1] + 1
        pe = self.pos(gt, gs)
        h = torch.cat([(self.cls_token + pe[:, :1]).expand(p.shape[0], 1, -1), p + pe[:, 1:]], dim=1)
        outs = [h]
        for blk in self.encoder_blocks:
            h = blk(h, nvar)
            outs.append(h)
        return outs


def closed_form_input(shape):
    n = int(np.prod(shape))
    return torch.from_numpy((synthetic_weights.values("normwear.input", n) * np.float32(100)).reshape(shape))


def fingerprint(t):
    flat = t.detach().reshape(-1).numpy()
    stride = max(1, math.ceil(flat.size / FP_COUNT))
    return flat[::stride][:FP_COUNT].astype(np.float32), stride, float(np.abs(flat).max())


def fingerprints(model, x, name, meta):
    with torch.no_grad():
        outs = model.trace(x)
    rows, maxes, stride = [], [], 1
    for o in outs:
        r, stride, m = fingerprint(o)
        rows.append(r)
        maxes.append(m)
    np.save(OUT / f"{name}_fp.npy", np.stack(rows))
    meta[name] = {"input_shape": list(x.shape), "shape": list(outs[0].shape), "stride": stride,
                  "count": int(rows[0].size), "max_abs": maxes}


def write_fixtures():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(20251002)
    tiny = NormWearRef(TINY).eval()
    with torch.no_grad():
        for name, p in tiny.state_dict().items():
            if name == "pos_embed":
                continue
            if name.endswith(".weight") and p.dim() == 1:
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(0.1 * torch.randn_like(p))
    torch.save(tiny.state_dict(), OUT / "tiny_weights.pt")

    x = torch.randn(2, 2, 3, 100, 65)
    np.save(OUT / "tiny_input.npy", x.numpy())
    with torch.no_grad():
        outs = tiny.trace(x)
    np.save(OUT / "tiny_embed.npy", outs[0].numpy())
    for k, o in enumerate(outs[1:]):
        np.save(OUT / f"tiny_block_{k}.npy", o.numpy())

    meta = {}
    fingerprints(tiny, closed_form_input((2, 2, 3, 388, 65)), "tiny388", meta)
    full = NormWearRef(FULL).eval()
    synthetic_weights.fill(full)
    fingerprints(full, closed_form_input((1, 2, 3, 388, 65)), "full", meta)
    (OUT / "fingerprints.json").write_text(json.dumps(meta, indent=1))
    total = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"wrote {OUT} ({total} bytes); full encoder parameters {sum(p.numel() for p in full.parameters())}")


if __name__ == "__main__":
    write_fixtures()
