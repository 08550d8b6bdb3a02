"""Independent PyTorch reference for the HuBERT-ECG port (src/BioXBridge/Models/HuBertEcg.cs).

Written independently from the HuBERT-ECG paper's description of the model, in Hugging Face's HubertModel layout with
the HuBERTECG pre-training heads, so the state-dict keys are the published checkpoint's (checked against the upstream
class itself by tools/golden/upstream_checkpoint_layouts.py):
  feature_extractor.conv_layers.{0..4}.conv.weight, feature_extractor.conv_layers.0.layer_norm.{weight,bias}
  feature_projection.{layer_norm,projection}.*, masked_spec_embed,
  encoder.pos_conv_embed.conv.{weight_g,weight_v,bias}, encoder.layer_norm.*,
  encoder.layers.i.{attention.{q,k,v,out}_proj, layer_norm, feed_forward.{intermediate,output}_dense, final_layer_norm}.*
  final_proj.j.{weight,bias}, label_embedding.j.weight
Eval mode throughout (dropout off). Run with Debian's /usr/bin/python3 (torch 1.13, numpy):

  /usr/bin/python3 tools/golden/hubert_ecg_reference.py            # writes the parity fixtures

Fixtures (tests/BioXBridge.Tests/Fixtures/models/hubert_ecg/):
  TINY (random weights, seed 0): tiny_weights.pt (zip torch.save of the state dict), tiny_input.npy (2, 3000),
    tiny_embed.npy (input of layer 0), tiny_block{k:02d}.npy (output of layer k).
  FULL (HuBERT-ECG small, closed-form weights of synthetic_weights.py): full_input.npy (1, 6000) and, per output,
    full_<name>.npy = [max|ref|, ref.flatten()[::stride]] with stride = ceil(numel / 4096).
  meta.json: configs, shapes and strides.
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

SMALL = dict(conv_dim=512, conv_kernel=[10, 3, 3, 2, 2], conv_stride=[4, 2, 2, 2, 2], hidden=512, layers=8, heads=8,
             ffn=2048, pos_kernel=128, pos_groups=16, eps=1e-5, masked_spec_embed=True, vocab_sizes=[100], proj=256)
# Tiny topology of HuBertEcgConfig.Tiny, with every optional upstream parameter switched on
TINY = dict(SMALL, conv_dim=64, hidden=64, layers=4, heads=4, ffn=256, pos_kernel=16, pos_groups=4,
            vocab_sizes=[12, 7], proj=32)


class GroupNormConvLayer(nn.Module):
    def __init__(self, c, cin, k, s):
        super().__init__()
        self.conv = nn.Conv1d(cin, c["conv_dim"], k, stride=s, bias=False)
        self.layer_norm = nn.GroupNorm(c["conv_dim"], c["conv_dim"], affine=True)

    def forward(self, x):
        return F.gelu(self.layer_norm(self.conv(x)))


class NoNormConvLayer(nn.Module):
    def __init__(self, c, cin, k, s):
        super().__init__()
        self.conv = nn.Conv1d(cin, c["conv_dim"], k, stride=s, bias=False)

    def forward(self, x):
        return F.gelu(self.conv(x))


class FeatureEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        layers = []
        for i, (k, s) in enumerate(zip(c["conv_kernel"], c["conv_stride"])):
            cls = GroupNormConvLayer if i == 0 else NoNormConvLayer
            layers.append(cls(c, 1 if i == 0 else c["conv_dim"], k, s))
        self.conv_layers = nn.ModuleList(layers)

    def forward(self, samples):
        x = samples[:, None]
        for layer in self.conv_layers:
            x = layer(x)
        return x


class FeatureProjection(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer_norm = nn.LayerNorm(c["conv_dim"], eps=c["eps"])
        self.projection = nn.Linear(c["conv_dim"], c["hidden"])

    def forward(self, x):
        return self.projection(self.layer_norm(x))


class PositionalConvEmbedding(nn.Module):
    def __init__(self, c):
        super().__init__()
        k = c["pos_kernel"]
        conv = nn.Conv1d(c["hidden"], c["hidden"], k, padding=k // 2, groups=c["pos_groups"])
        self.conv = nn.utils.weight_norm(conv, name="weight", dim=2)  # weight_g (1, 1, k), weight_v
        self.remove = 1 if k % 2 == 0 else 0

    def forward(self, x):
        h = self.conv(x.transpose(1, 2))
        if self.remove:
            h = h[:, :, :-self.remove]
        return F.gelu(h).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads, self.hd = heads, d // heads
        self.k_proj, self.v_proj, self.q_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x):
        b, n, d = x.shape

        def shape(t):
            return t.view(b, n, self.heads, self.hd).transpose(1, 2).reshape(b * self.heads, n, self.hd)

        q = shape(self.q_proj(x) * self.hd ** -0.5)
        w = torch.softmax(torch.bmm(q, shape(self.k_proj(x)).transpose(1, 2)), dim=-1)
        o = torch.bmm(w, shape(self.v_proj(x))).view(b, self.heads, n, self.hd).transpose(1, 2).reshape(b, n, d)
        return self.out_proj(o)


class FeedForward(nn.Module):
    def __init__(self, d, inner):
        super().__init__()
        self.intermediate_dense = nn.Linear(d, inner)
        self.output_dense = nn.Linear(inner, d)

    def forward(self, x):
        return self.output_dense(F.gelu(self.intermediate_dense(x)))


class EncoderLayer(nn.Module):  # post-LN (do_stable_layer_norm = False)
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c["hidden"], c["heads"])
        self.layer_norm = nn.LayerNorm(c["hidden"], eps=c["eps"])
        self.feed_forward = FeedForward(c["hidden"], c["ffn"])
        self.final_layer_norm = nn.LayerNorm(c["hidden"], eps=c["eps"])

    def forward(self, x):
        x = self.layer_norm(x + self.attention(x))
        return self.final_layer_norm(x + self.feed_forward(x))


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.pos_conv_embed = PositionalConvEmbedding(c)
        self.layer_norm = nn.LayerNorm(c["hidden"], eps=c["eps"])
        self.layers = nn.ModuleList([EncoderLayer(c) for _ in range(c["layers"])])


class HuBERTECG(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.feature_extractor = FeatureEncoder(c)
        self.feature_projection = FeatureProjection(c)
        if c["masked_spec_embed"]:
            self.masked_spec_embed = nn.Parameter(torch.empty(c["hidden"]).uniform_())
        self.encoder = Encoder(c)
        self.final_proj = nn.ModuleList([nn.Linear(c["hidden"], c["proj"]) for _ in c["vocab_sizes"]])
        self.label_embedding = nn.ModuleList([nn.Embedding(v, c["proj"]) for v in c["vocab_sizes"]])

    def trace(self, samples):
        """[input of layer 0, output of layer 0, ..., output of the last layer]"""
        h = self.feature_projection(self.feature_extractor(samples).transpose(1, 2))
        h = self.encoder.layer_norm(h + self.encoder.pos_conv_embed(h))
        outs = [h]
        for layer in self.encoder.layers:
            h = layer(h)
            outs.append(h)
        return outs


def names(n_layers):
    return ["embed"] + [f"block{k:02d}" for k in range(n_layers)]


@torch.no_grad()
def randomise(model, seed):
    """Random weights everywhere, norms away from identity, so every parameter matters to the outputs."""
    g = torch.Generator().manual_seed(seed)
    for name, t in model.state_dict().items():
        if not t.is_floating_point():
            continue
        fan_in = t[0].numel() if t.dim() > 1 else 1
        scale = 1 / math.sqrt(fan_in) if t.dim() > 1 else 0.1
        r = torch.randn(t.shape, generator=g) * scale
        t.copy_(r + 1 if (t.dim() == 1 and name.endswith("weight")) else r)


def fingerprint(t, limit=4096):
    flat = t.detach().reshape(-1).double().numpy()
    stride = max(1, math.ceil(flat.size / limit))
    return np.concatenate([[np.abs(flat).max()], flat[::stride]]).astype(np.float32), stride


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                                  "BioXBridge.Tests", "Fixtures", "models", "hubert_ecg"))
    a = ap.parse_args()

    os.makedirs(a.out, exist_ok=True)
    meta = {"tiny": {"config": TINY}, "full": {"config": SMALL}}

    torch.manual_seed(0)
    tiny = HuBERTECG(TINY).eval()
    randomise(tiny, 0)
    torch.save(tiny.state_dict(), os.path.join(a.out, "tiny_weights.pt"))
    x = torch.randn(2, 3000, generator=torch.Generator().manual_seed(1))
    np.save(os.path.join(a.out, "tiny_input.npy"), x.numpy())
    with torch.no_grad():
        outs = tiny.trace(x)
    meta["tiny"]["keys"] = {k: list(v.shape) for k, v in tiny.state_dict().items()}
    meta["tiny"]["shapes"] = {}
    for n, o in zip(names(TINY["layers"]), outs):
        np.save(os.path.join(a.out, f"tiny_{n}.npy"), o.numpy().astype(np.float32))
        meta["tiny"]["shapes"][n] = list(o.shape)

    full = HuBERTECG(SMALL).eval()
    synthetic_weights.fill(full)
    t = np.arange(6000) / 100.0
    xf = (np.sin(2 * np.pi * 1.2 * t) + 0.4 * np.sin(2 * np.pi * 7.3 * t + 0.5) + 0.1 * np.cos(2 * np.pi * 23.0 * t))
    xf = torch.from_numpy(xf.astype(np.float32)[None])
    np.save(os.path.join(a.out, "full_input.npy"), xf.numpy())
    with torch.no_grad():
        outs = full.trace(xf)
    meta["full"]["keys"] = {k: list(v.shape) for k, v in full.state_dict().items()}
    meta["full"]["shapes"], meta["full"]["strides"] = {}, {}
    for n, o in zip(names(SMALL["layers"]), outs):
        fp, stride = fingerprint(o)
        np.save(os.path.join(a.out, f"full_{n}.npy"), fp)
        meta["full"]["shapes"][n] = list(o.shape)
        meta["full"]["strides"][n] = stride
    meta["full"]["parameters"] = sum(p.numel() for p in full.parameters())
    with open(os.path.join(a.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("wrote", os.path.abspath(a.out), "full parameters", meta["full"]["parameters"])


if __name__ == "__main__":
    main()
