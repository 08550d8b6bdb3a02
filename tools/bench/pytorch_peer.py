"""PyTorch side of `bioxbridge bench all`: the same work as the C# case, timed the same way, one JSON line out.

The models are the independent PyTorch references of tools/golden/ (each matches its C# port block for block, see the
parity tests), at full size with their closed-form synthetic weights; the bridge and its training step are written
here from the kit's documented equations (x·A·B → N_l×N_p mixing weights → ·P, 1 − cos alignment, Adam), not copied.
Every mode warms up, then times `--repeats` runs and prints each run's milliseconds; the caller takes the median.

  /usr/bin/python3 tools/bench/pytorch_peer.py probe --threads 1
  /usr/bin/python3 tools/bench/pytorch_peer.py forward --model papagei-s --shape 1,7500 --batch 8 --threads 1
  /usr/bin/python3 tools/bench/pytorch_peer.py bridge-step --model papagei-s --shape 1,7500 --output-position 11 \
      --d-in 512 --rank 32 --prototypes 50 --tokens 235 --width 128 --batch 16 --threads 1

`probe` reports which BLAS the process really loaded (read from /proc/self/maps after a matmul) and a 512×512 float32
matmul's speed: Debian's python3-torch calls whatever libblas.so.3 the alternatives name, the reference BLAS unless
libopenblas0-pthread is installed, and the C# side refuses to compare against that.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
import synthetic_weights  # noqa: E402


def timed(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return runs


def loaded_blas():
    """The BLAS shared objects mapped into this process: the files the dynamic loader really chose."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "/" in line}
    return sorted(p for p in paths if any(k in os.path.basename(p) for k in ("blas", "mkl_", "libmkl")))


def blas_kind(paths):
    joined = " ".join(paths)
    if "openblas" in joined:
        return "openblas"
    if "mkl" in joined:
        return "mkl"
    if any(p.endswith("/blas/libblas.so.3") or "/blas/" in p for p in paths):
        return "reference"
    return "unknown"


def matmul_gflops(n, repeats):
    x, y = torch.randn(n, n), torch.randn(n, n)
    return 2 * n ** 3 / statistics.median(timed(lambda: x @ y, 1, repeats)) / 1e6


def probe(a):
    """The BLAS check (512×512), and the same large matmul as the C# side's ceiling (--ceiling N) for comparison."""
    gflops = matmul_gflops(512, 9)
    paths, build = loaded_blas(), torch.__config__.show()
    return dict(torch=torch.__version__, blas=blas_kind(paths), blas_files=paths, threads=torch.get_num_threads(),
                matmul="512x512 float32", matmul_gflops=gflops,
                ceiling=f"{a.ceiling}x{a.ceiling} float32", ceiling_gflops=matmul_gflops(a.ceiling, 3),
                openblas_coretype=os.environ.get("OPENBLAS_CORETYPE"), openblas_l2_size=os.environ.get("OPENBLAS_L2_SIZE"),
                build=build.split("BLAS_INFO=")[1].split(",")[0] if "BLAS_INFO=" in build else None)


def reference(name, shape):
    """The full-size reference model for a zoo name, its blocks, and the keywords its blocks take."""
    if name == "papagei-s":
        import papagei_reference as r
        m = r.ResNet1DMoE(r.FULL)
        return m, list(m.basicblock_list), {}
    if name == "hubert-ecg-small":
        import hubert_ecg_reference as r
        m = r.HuBERTECG(r.SMALL)
        return m, list(m.encoder.layers), {}
    if name == "labram-base":
        import labram_reference as r
        m = r.LaBraM(dict(r.FULL, time_positions=max(r.FULL["time_positions"], shape[1])))
        return m, list(m.blocks), {}
    if name == "normwear":
        import normwear_reference as r
        m = r.NormWearRef(r.FULL)
        return m, list(m.encoder_blocks), {"nvar": shape[0]}  # its blocks see (batch·channels) rows
    sys.exit(f"unknown model {name}")


def run(blocks, h, kw):
    for b in blocks:
        h = b(h, **kw)
    return h


def forward(a):
    shape = [int(s) for s in a.shape.split(",")]
    model, _, _ = reference(a.model, shape)
    synthetic_weights.fill(model)
    model.eval()
    x = torch.randn(a.batch, *shape)
    with torch.no_grad():  # trace: the embedding and every block, as LayeredEncoder.forward
        return dict(runs=timed(lambda: model.trace(x), a.warmup, a.repeats))


def bridge_step(a):
    """One cached bridge step: bridge on pooled new features, old blocks l.., 1 − cos against fixed targets, Adam."""
    shape = [int(s) for s in a.shape.split(",")]
    model, blocks, kw = reference(a.model, shape)
    synthetic_weights.fill(model)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    suffix = blocks[a.output_position:]
    groups = shape[0] if a.model == "normwear" else 1
    r, n_p, n_l, d_l = a.rank, a.prototypes, a.tokens, a.width
    A = torch.nn.Parameter(torch.empty(a.d_in, r).uniform_(-a.d_in ** -0.5, a.d_in ** -0.5))
    B = torch.nn.Parameter(torch.randn(r, n_l * n_p) * 0.01)
    P = torch.nn.Parameter(torch.randn(n_p, d_l))
    opt = torch.optim.Adam([A, B, P], lr=1e-4)
    pooled = torch.randn(a.batch, a.d_in)
    with torch.no_grad():
        tokens = torch.randn(a.batch * groups, n_l // groups, d_l)
        h = tokens.transpose(1, 2) if a.model == "papagei-s" else tokens
        target = run(suffix, h, kw).reshape(a.batch, -1).clone()

    def step():
        opt.zero_grad()
        t = (pooled @ A @ B).view(-1, n_l, n_p) @ P
        if groups > 1:
            t = t.reshape(-1, n_l // groups, d_l)
        h = t.transpose(1, 2) if a.model == "papagei-s" else t
        out = run(suffix, h, kw).reshape(a.batch, -1)
        loss = (1 - F.cosine_similarity(out, target, dim=1)).mean()
        loss.backward()
        opt.step()

    return dict(runs=timed(step, a.warmup, a.repeats))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["probe", "forward", "bridge-step"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--model")
    ap.add_argument("--shape", help="one model input without the batch axis, comma-separated")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--output-position", type=int)
    ap.add_argument("--ceiling", type=int, default=2048, help="probe: size of the large matmul compared with the C# ceiling")
    for k in ("d-in", "rank", "prototypes", "tokens", "width"):
        ap.add_argument("--" + k, type=int)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    out = {"probe": probe, "forward": forward, "bridge-step": bridge_step}[a.mode](a)
    out.update(mode=a.mode, threads=torch.get_num_threads(), torch=torch.__version__)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
