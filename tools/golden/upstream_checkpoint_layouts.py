"""Writes tests/BioXBridge.Tests/Fixtures/checkpoints/upstream/*: one checkpoint per foundation model, made by the
upstream model class itself at its published size and saved in the outer layout the upstream training code writes,
for UpstreamLayoutTests.cs. Run with Debian's /usr/bin/python3 (torch 1.13):

    /usr/bin/python3 tools/golden/upstream_checkpoint_layouts.py --mirrors DIR

The upstream sources are read from git snapshots (one bare repository per upstream, as `git clone --mirror` makes
them; --mirrors/<owner>+<name>/repo) and unpacked into a temporary folder; nothing upstream is copied into this repo.

Why the files are small although the models are full size: every tensor is saved as a stride-0 view of a
one-element storage (torch.save keeps storages, offsets, sizes and strides as they are), so a file holds each key,
dtype and shape exactly as the class's state_dict() has them, but one value per tensor. That value tags the tensor
((i + 1) / 1024, or i + 1 for integer tensors, i = position in state_dict order) so a test can tell that the right
source tensor reached the right target. layouts.json lists, per file, the upstream commit, the constructor call, the
outer keys and every tensor's name, shape, dtype and tag.

What each file is (read from the upstream code named; `module.` only where that code wraps the model in DDP before
saving):
  labram_base.pth      935963004/LaBraM: modeling_pretrain.py labram_base_patch200_1600_8k_vocab() as
                       run_labram_pretraining.py builds it (init_values 0.1, abs pos emb, no rel pos bias, vocab
                       8192), saved by utils.py save_model: {'model', 'optimizer', 'epoch', 'args', 'scaler'} of the
                       unwrapped NeuralTransformerForMEM (student.*, lm_head.*, projection_head.0.*). Plus a scalar
                       'logit_scale' beside them: not in modeling_pretrain.py at the fetched commit, but reported in
                       the published labram-base.pth; it is marked "extra" in layouts.json.
  hubert_ecg_small.pt  Edoar-do/HuBERT-ECG: code/hubert_ecg.py HuBERTECG(HuBERTECGConfig(...)) at the small size,
                       saved as code/pretrain.py does: {'global_step', 'patience_count', 'model_config',
                       'model_state_dict', 'optimizer_state_dict', 'best_val_loss', 'lr_scheduler_state_dict',
                       'best_val_accuracy', 'pretraining_vocab_sizes'} (DataParallel is commented out there: no
                       'module.'). HuBERTECG subclasses transformers' HubertModel: transformers is not a Debian
                       package, so its hubert/modeling_hubert.py and configuration_hubert.py are run as they are, from
                       a snapshot that vendors transformers 4.21 (I-WI-SH/SLoRA), with shims for the imports they
                       make from the rest of transformers (PretrainedConfig, PreTrainedModel, ACT2FN, docstring
                       decorators, logging; none of them creates a parameter). torch 1.13 names weight norm
                       weight_g/weight_v; the published file was saved with torch >= 2.1 (the BioX-Bridge release
                       renames parametrizations.weight.original0/1 on load), so those two keys are renamed to the
                       parametrization names before saving.
  papagei_s.pt         Nokia-Bell-Labs/papagei-foundation-model: models/resnet.py ResNet1DMoE with the release's
                       PaPaGei-S config (base_filters 32, kernel 3, stride 2, n_block 18, n_classes 512, 3 experts),
                       saved as training_mt.py does: the DDP-wrapped model through training_distributed.py
                       save_model, torch.save(model.state_dict()), i.e. a flat dict with 'module.' on every key. models/resnet.py imports tqdm,
                       matplotlib and sklearn at the top without using them for construction; missing ones are stubbed.
  normwear.pth         Mobile-Sensing-and-UbiComp-Laboratory/NormWear: modules/normwear.py NormWear as main_model.py
                       builds it (img_size (387, 65), patch_size (9, 5), random masking 0.8, use_cwt, nvar 4,
                       comb_freq False), saved by pretrain_pipeline/misc save_model: {'model', 'optimizer', 'epoch',
                       'scaler', 'args'} of the unwrapped model. modules/patch_embed.py imports timm only for
                       to_2tuple (shimmed). normwear_flat.pth: the same state dict saved bare, as main_model.py at
                       the fetched commit loads it (torch.load(path) straight into load_state_dict); the BioX-Bridge
                       release's copy of main_model.py reads ['model'] instead.
"""
import argparse
import collections
import importlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import types

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "BioXBridge.Tests", "Fixtures", "checkpoints", "upstream")

UPSTREAMS = {
    "labram": "935963004+LaBraM",
    "hubert": "Edoar-do+HuBERT-ECG",
    "transformers": "I-WI-SH+SLoRA",
    "papagei": "Nokia-Bell-Labs+papagei-foundation-model",
    "normwear": "Mobile-Sensing-and-UbiComp-Laboratory+NormWear",
}


def unpack(mirrors, key, paths, dest):
    """Extracts `paths` of the snapshot's HEAD into dest; returns the commit."""
    git_dir = os.path.join(mirrors, UPSTREAMS[key], "repo")
    commit = subprocess.check_output(["git", "--git-dir", git_dir, "rev-parse", "HEAD"], text=True).strip()
    blob = subprocess.check_output(["git", "--git-dir", git_dir, "archive", "--format=tar", "HEAD", *paths],
                                   stderr=subprocess.DEVNULL)  # a snapshot may lack its large blobs; git names them
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(dest)
    return commit


def module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


def shim_timm_einops():
    """timm and einops are not Debian packages; the classes use them in forward or for init helpers only."""
    def to_2tuple(x):
        return tuple(x) if isinstance(x, (tuple, list)) else (x, x)

    def drop_path(x, drop_prob=0.0, training=False):
        return x

    def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0):
        return nn.init.trunc_normal_(tensor, mean=mean, std=std, a=a, b=b)

    class DropPath(nn.Module):
        def __init__(self, drop_prob=None):
            super().__init__()

        def forward(self, x):
            return x

    module("timm")
    module("timm.models")
    module("timm.models.registry", register_model=lambda f: f)
    module("timm.models.layers", to_2tuple=to_2tuple, drop_path=drop_path, trunc_normal_=trunc_normal_, DropPath=DropPath)

    def rearrange(*_, **__):
        raise NotImplementedError("einops shim: construction only")

    module("einops", rearrange=rearrange)


def shim_transformers(root):
    """A 'transformers' package around the real hubert/configuration_hubert.py and modeling_hubert.py."""
    pkg = os.path.join(root, "src", "transformers")

    class PretrainedConfig:
        def __init__(self, **kwargs):
            for k, v in kwargs.items():
                setattr(self, k, v)

        def to_dict(self):
            return dict(self.__dict__)

    class PreTrainedModel(nn.Module):
        def __init__(self, config, *args, **kwargs):
            super().__init__()
            self.config = config

        def post_init(self):
            pass

    def passthrough(*_, **__):
        return lambda f: f

    class Logger:
        def __getattr__(self, _):
            return lambda *a, **k: None

    class ACT:
        def __getitem__(self, name):
            return {"gelu": nn.GELU(), "relu": nn.ReLU()}[name]

    class Output(dict):
        def __init__(self, **kw):
            super().__init__(**kw)

    module("transformers").__path__ = [pkg]
    module("transformers.configuration_utils", PretrainedConfig=PretrainedConfig)
    module("transformers.modeling_utils", PreTrainedModel=PreTrainedModel)
    module("transformers.activations", ACT2FN=ACT())
    module("transformers.modeling_outputs", BaseModelOutput=Output, CausalLMOutput=Output, SequenceClassifierOutput=Output)
    module("transformers.pytorch_utils", torch_int_div=lambda a, b: torch.div(a, b, rounding_mode="floor"))
    module("transformers.deepspeed", is_deepspeed_zero3_enabled=lambda: False)
    module("transformers.utils", add_code_sample_docstrings=passthrough, add_start_docstrings=passthrough,
           add_start_docstrings_to_model_forward=passthrough, replace_return_docstrings=passthrough,
           logging=types.SimpleNamespace(get_logger=lambda *_: Logger()))
    module("transformers.models").__path__ = [os.path.join(pkg, "models")]
    module("transformers.models.hubert").__path__ = [os.path.join(pkg, "models", "hubert")]
    cfg = importlib.import_module("transformers.models.hubert.configuration_hubert")
    mdl = importlib.import_module("transformers.models.hubert.modeling_hubert")
    sys.modules["transformers"].HubertConfig = cfg.HubertConfig
    sys.modules["transformers"].HubertModel = mdl.HubertModel


def tagged(state_dict, rename=lambda k: k, prefix=""):
    """Each tensor → a stride-0 view of a one-element storage holding its tag; returns (dict, listing)."""
    out, listing = collections.OrderedDict(), []
    for i, (k, v) in enumerate(state_dict.items()):
        tag = (i + 1) if not v.is_floating_point() else (i + 1) / 1024.0
        t = torch.full((1,) * v.dim(), tag, dtype=v.dtype).expand(v.shape) if v.dim() > 0 else torch.tensor(tag, dtype=v.dtype)
        name = prefix + rename(k)
        out[name] = t
        listing.append({"name": name, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""), "tag": tag})
    return out, listing


def empty_optimizer():
    return {"state": {}, "param_groups": [{"lr": 5e-4, "betas": (0.9, 0.98), "eps": 1e-8, "weight_decay": 0.05, "params": [0, 1, 2]}]}


def labram(mirrors, tmp, layouts):
    commit = unpack(mirrors, "labram", ["modeling_pretrain.py", "modeling_finetune.py"], os.path.join(tmp, "labram"))
    sys.path.insert(0, os.path.join(tmp, "labram"))
    mp = importlib.import_module("modeling_pretrain")
    model = mp.labram_base_patch200_1600_8k_vocab(drop_path_rate=0.0, drop_block_rate=None, use_shared_rel_pos_bias=False,
                                                  use_abs_pos_emb=True, init_values=0.1, vocab_size=8192)
    sd, listing = tagged(model.state_dict())
    sd["logit_scale"] = torch.tensor(2.6593)  # not in the class at this commit: see the module docstring
    listing.append({"name": "logit_scale", "shape": [], "dtype": "float32", "tag": 2.6593, "extra": True})
    args = argparse.Namespace(model="labram_base_patch200_1600_8k_vocab", layer_scale_init_value=0.1, abs_pos_emb=True,
                              rel_pos_bias=False, codebook_size=8192, batch_size=64, lr=5e-4)
    ckpt = {"model": sd, "optimizer": empty_optimizer(), "epoch": 49, "args": args, "scaler": {"scale": 65536.0, "_growth_tracker": 0}}
    save(ckpt, "labram_base.pth", layouts, "935963004/LaBraM", commit,
         "modeling_pretrain.labram_base_patch200_1600_8k_vocab(init_values=0.1, use_abs_pos_emb=True, vocab_size=8192)", "model", listing)


def hubert(mirrors, tmp, layouts):
    commit = unpack(mirrors, "hubert", ["code/hubert_ecg.py"], os.path.join(tmp, "hubert"))
    tcommit = unpack(mirrors, "transformers", ["src/transformers/models/hubert/configuration_hubert.py",
                                               "src/transformers/models/hubert/modeling_hubert.py"], os.path.join(tmp, "tf"))
    shim_transformers(os.path.join(tmp, "tf"))
    sys.path.insert(0, os.path.join(tmp, "hubert", "code"))
    he = importlib.import_module("hubert_ecg")
    # HuBERT-ECG small (Edoardo-BS/hubert-ecg-small): 8 layers of 512, 8 heads, FFN 2048, 512-channel conv stack with
    # kernels (10,3,3,2,2) / strides (4,2,2,2,2) for 100 Hz input, positional conv 128 / 16 groups, one codebook of 100
    # projected to 256; pre-training masks time steps (mask_time_prob > 0 → masked_spec_embed exists)
    config = he.HuBERTECGConfig(ensemble_length=1, vocab_sizes=[100], hidden_size=512, num_hidden_layers=8,
                                num_attention_heads=8, intermediate_size=2048, mask_time_prob=0.33,
                                classifier_proj_size=256, layerdrop=0.0, conv_kernel=(10, 3, 3, 2, 2),
                                conv_stride=(4, 2, 2, 2, 2), conv_dim=(512,) * 5, num_conv_pos_embeddings=128,
                                num_conv_pos_embedding_groups=16)
    model = he.HuBERTECG(config)
    parametrized = lambda k: k.replace(".weight_g", ".parametrizations.weight.original0").replace(".weight_v", ".parametrizations.weight.original1")
    sd, listing = tagged(model.state_dict(), rename=parametrized)
    ckpt = {"global_step": 1000, "patience_count": 0, "model_config": config, "model_state_dict": sd,
            "optimizer_state_dict": empty_optimizer(), "best_val_loss": 1.25, "lr_scheduler_state_dict": {"last_epoch": 1000},
            "best_val_accuracy": 0.5, "pretraining_vocab_sizes": [100]}
    save(ckpt, "hubert_ecg_small.pt", layouts, "Edoar-do/HuBERT-ECG", commit,
         "hubert_ecg.HuBERTECG(HuBERTECGConfig(small)) on transformers 4.21 modeling_hubert.py (I-WI-SH/SLoRA " + tcommit[:10] + ")",
         "model_state_dict", listing)


def papagei(mirrors, tmp, layouts):
    commit = unpack(mirrors, "papagei", ["models/resnet.py"], os.path.join(tmp, "papagei"))
    stubs = {"tqdm": dict(tqdm=lambda x, **_: x), "matplotlib": {}, "matplotlib.pyplot": {}, "sklearn": {},
             "sklearn.metrics": dict(classification_report=None)}
    for name, attrs in stubs.items():
        try:
            importlib.import_module(name)
        except ImportError:
            module(name, **attrs)
    spec = importlib.util.spec_from_file_location("papagei_resnet", os.path.join(tmp, "papagei", "models", "resnet.py"))
    resnet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(resnet)
    model = resnet.ResNet1DMoE(in_channels=1, base_filters=32, kernel_size=3, stride=2, groups=1, n_block=18, n_classes=512, n_experts=3)
    sd, listing = tagged(model.state_dict(), prefix="module.")
    save(sd, "papagei_s.pt", layouts, "Nokia-Bell-Labs/papagei-foundation-model", commit,
         "models.resnet.ResNet1DMoE(1, base_filters=32, kernel_size=3, stride=2, groups=1, n_block=18, n_classes=512, n_experts=3) under DDP",
         "", listing)


def normwear(mirrors, tmp, layouts):
    commit = unpack(mirrors, "normwear", ["modules"], os.path.join(tmp, "normwear"))
    sys.path.insert(0, os.path.join(tmp, "normwear"))
    nw = importlib.import_module("modules.normwear")
    model = nw.NormWear(img_size=(387, 65), patch_size=(9, 5), mask_scheme="random", mask_prob=0.8, use_cwt=True, nvar=4, comb_freq=False)
    sd, listing = tagged(model.state_dict())
    args = argparse.Namespace(remark="normwear_last", epochs=15471, mask_scheme="random", mask_prob=0.8, nvar=4)
    ckpt = {"model": sd, "optimizer": empty_optimizer(), "epoch": 15470, "scaler": {"scale": 65536.0, "_growth_tracker": 0}, "args": args}
    save(ckpt, "normwear.pth", layouts, "Mobile-Sensing-and-UbiComp-Laboratory/NormWear", commit,
         "modules.normwear.NormWear(img_size=(387,65), patch_size=(9,5), mask_scheme='random', mask_prob=0.8, use_cwt=True, nvar=4, comb_freq=False)",
         "model", listing)
    # the NormWear main_model.py at this commit loads a flat state dict (torch.load(path) → load_state_dict)
    save(sd, "normwear_flat.pth", layouts, "Mobile-Sensing-and-UbiComp-Laboratory/NormWear", commit,
         "as normwear.pth, saved as the bare state dict main_model.py loads", "", listing)


def save(obj, file, layouts, repo, commit, constructor, root_key, listing):
    path = os.path.join(OUT, file)
    torch.save(obj, path)
    outer = [k for k in obj.keys()] if root_key else []
    layouts[file] = {"upstream": repo, "commit": commit, "constructor": constructor, "root_key": root_key,
                     "outer_keys": outer, "tensors": listing}
    print(f"{file}: {len(listing)} tensors, {sum(torch.Size(t['shape']).numel() for t in listing):,} values, {os.path.getsize(path):,} bytes")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mirrors", required=True, help="folder of bare upstream repositories, <owner>+<name>/repo")
    a = p.parse_args()
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    shim_timm_einops()
    layouts = {}
    with tempfile.TemporaryDirectory() as tmp:
        for build in (labram, hubert, papagei, normwear):
            build(a.mirrors, tmp, layouts)
    with open(os.path.join(OUT, "layouts.json"), "w") as f:
        json.dump(layouts, f, indent=1)


if __name__ == "__main__":
    main()
