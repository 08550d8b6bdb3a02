"""Writes tests/BioXBridge.Tests/Fixtures/checkpoints/*: small checkpoints shaped like the ones the upstream foundation
models publish (outer dicts and key conventions like theirs, holding toy or mini-size models, not the upstream classes;
upstream_checkpoint_layouts.py writes the full-size layouts made by the upstream classes themselves), for
CheckpointTests.cs. Run with Debian's /usr/bin/python3 (torch 1.13).

  labram_style.pt     {"model": {"student.<toy>..., student.blocks.0.attn.relative_position_index, student.mask_token},
                       "epoch": 7, "args": argparse.Namespace(...)}
  papagei_style.pt    flat OrderedDict with "module." on every key (nn.DataParallel)
  hubert_ecg_g_v.pt   {"model_state_dict": tiny HuBERT-ECG (HF HubertModel names, weight_norm → weight_g/weight_v,
                       + masked_spec_embed, final_proj, label_embedding), "config": <custom class>, "optimizer": Adam
                       state, "best_loss": numpy.float64, "step": 100}
  hubert_ecg_param.pt same, with the new-style parametrisation (parametrizations.weight.original0/1)
  wrong_shape.pt      toy state dict whose x.weight is (3, 5) instead of (3, 4)
  wrong_keys.pt       toy state dict with x.weight renamed to y.weight (one missing, one unexpected)
  legacy.pt           toy state dict saved with _use_new_zipfile_serialization=False (not supported)
  protocol4.pt        toy state dict pickled with protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL)
  strided.pt          toy state dict whose x.weight is a transposed (non-contiguous) view and whose x.bias and
                      blocks.0.fc.bias are offset views into one shared storage
  sums.json           per file and key: float64 sum and shape of every tensor, as written
"""
import argparse
import collections
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.utils.parametrize as parametrize

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "BioXBridge.Tests", "Fixtures", "checkpoints")


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)


class Toy(nn.Module):
    """Twin of the C# test module: x = Linear(4, 3), blocks.0.fc = Linear(3, 3), bn = BatchNorm1d(3)."""

    def __init__(self):
        super().__init__()
        self.x = nn.Linear(4, 3)
        self.blocks = nn.ModuleList([Block()])
        self.bn = nn.BatchNorm1d(3)


class TinyHubertConfig:
    """Stands in for the pickled config object upstream saves next to the weights (its class is unknown to C#)."""

    def __init__(self):
        self.hidden_size = 8
        self.num_hidden_layers = 2
        self.conv_kernel = [10, 3, 3, 2, 2]
        self.extra = {"vocab": (1, 2, 3), "dtype": torch.float32}


class _WeightNorm(nn.Module):
    """torch ≥ 2.1's parametrizations.weight_norm, rebuilt with torch 1.13's parametrize API (same key names)."""

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def _norm(self, v):
        dims = [d for d in range(v.dim()) if d != self.dim]
        return v.pow(2).sum(dims, keepdim=True).sqrt()

    def forward(self, g, v):
        return g * v / self._norm(v)

    def right_inverse(self, w):
        return self._norm(w), w


class FeatureConvLayer(nn.Module):
    def __init__(self, cin, cout, k, s, group_norm):
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, k, stride=s, bias=False)
        if group_norm:
            self.layer_norm = nn.GroupNorm(cout, cout, affine=True)


class Attention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.k_proj, self.v_proj, self.q_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))


class FeedForward(nn.Module):
    def __init__(self, d, f):
        super().__init__()
        self.intermediate_dense = nn.Linear(d, f)
        self.output_dense = nn.Linear(f, d)


class Layer(nn.Module):
    def __init__(self, d, f):
        super().__init__()
        self.attention = Attention(d)
        self.layer_norm = nn.LayerNorm(d)
        self.feed_forward = FeedForward(d, f)
        self.final_layer_norm = nn.LayerNorm(d)


class TinyHubertEcg(nn.Module):
    """Hugging Face HubertModel key layout plus HuBERT-ECG's pretraining extras, at the widths of the C# test config
    HuBertEcgConfig(ConvChannels: 8, Hidden: 8, Layers: 2, Heads: 2, FeedForward: 16, PosConvKernel: 4, PosConvGroups: 2)
    (HuBertEcgConfig.Tiny would make the fixtures > 1 MB)."""

    def __init__(self, parametrized):
        super().__init__()
        c, d, f, k, g, n = 8, 8, 16, 4, 2, 2
        fe = nn.Module()
        fe.conv_layers = nn.ModuleList([FeatureConvLayer(1 if i == 0 else c, c, kk, s, i == 0)
                                        for i, (kk, s) in enumerate(zip([10, 3, 3, 2, 2], [4, 2, 2, 2, 2]))])
        self.feature_extractor = fe
        fp = nn.Module()
        fp.layer_norm = nn.LayerNorm(c)
        fp.projection = nn.Linear(c, d)
        self.feature_projection = fp
        enc = nn.Module()
        pce = nn.Module()
        conv = nn.Conv1d(d, d, k, padding=k // 2, groups=g)
        if parametrized:
            parametrize.register_parametrization(conv, "weight", _WeightNorm(2), unsafe=True)
        else:
            conv = nn.utils.weight_norm(conv, name="weight", dim=2)
        pce.conv = conv
        enc.pos_conv_embed = pce
        enc.layer_norm = nn.LayerNorm(d)
        enc.layers = nn.ModuleList([Layer(d, f) for _ in range(n)])
        self.encoder = enc
        self.masked_spec_embed = nn.Parameter(torch.rand(d))
        self.final_proj = nn.ModuleList([nn.Linear(d, 8)])
        self.label_embedding = nn.ModuleList([nn.Embedding(10, 8)])


def randomise(module, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in module.state_dict(keep_vars=True).items():
            if t.dtype.is_floating_point:
                t.copy_(torch.randn(t.shape, generator=g))
            elif name.endswith("num_batches_tracked"):
                t.fill_(42)


def tensors(obj, prefix=""):
    if isinstance(obj, torch.Tensor):
        yield prefix, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from tensors(v, f"{prefix}{k}" if not prefix else f"{prefix}/{k}")


def main():
    os.makedirs(OUT, exist_ok=True)
    sums = {}

    def save(name, obj, **kw):
        torch.save(obj, os.path.join(OUT, name), **kw)
        sums[name] = {k: {"sum": float(t.double().sum()), "shape": list(t.shape)} for k, t in tensors(obj)}

    toy = Toy()
    randomise(toy, 1)
    sd = toy.state_dict()

    labram = collections.OrderedDict(("student." + k, v) for k, v in sd.items())
    labram["student.blocks.0.attn.relative_position_index"] = torch.arange(9, dtype=torch.int64).view(3, 3)
    labram["student.mask_token"] = torch.zeros(1, 1, 4)
    save("labram_style.pt", {"model": labram, "epoch": 7, "args": argparse.Namespace(lr=5e-4, layers=[1, 2], name="x")})

    save("papagei_style.pt", collections.OrderedDict(("module." + k, v) for k, v in sd.items()))

    for fname, parametrized in (("hubert_ecg_g_v.pt", False), ("hubert_ecg_param.pt", True)):
        torch.manual_seed(0)
        model = TinyHubertEcg(parametrized)
        randomise(model, 2)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        model.masked_spec_embed.sum().backward()
        opt.step()
        save(fname, {"model_state_dict": model.state_dict(), "config": TinyHubertConfig(),
                     "optimizer": opt.state_dict(), "best_loss": np.float64(0.25), "step": 100})

    bad = collections.OrderedDict(sd)
    bad["x.weight"] = torch.randn(3, 5)
    save("wrong_shape.pt", bad)
    keys = collections.OrderedDict(("y.weight" if k == "x.weight" else k, v) for k, v in sd.items())
    save("wrong_keys.pt", keys)
    save("legacy.pt", sd, _use_new_zipfile_serialization=False)
    save("protocol4.pt", sd, pickle_protocol=4)
    strided = collections.OrderedDict(sd)
    strided["x.weight"] = sd["x.weight"].t().contiguous().t()  # same values, column-major strides
    assert not strided["x.weight"].is_contiguous()
    shared = torch.cat([sd["x.bias"], sd["blocks.0.fc.bias"], torch.ones(2)])
    strided["x.bias"], strided["blocks.0.fc.bias"] = shared[0:3], shared[3:6]
    save("strided.pt", strided)

    with open(os.path.join(OUT, "sums.json"), "w") as f:
        json.dump(sums, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
