#!/usr/bin/env python3
"""Golden fixtures for `data prepare --protocol release`: the release's FOG window split and ISRUC subject split.

    /usr/bin/python3 tools/golden/release_split_golden.py [--force]     # Python 3.11, numpy 1.24, scipy 1.10

What the release does (dataset_preprocessing/make_FOG.py and make_ISRUC.py of github.com/chenqi-li/BioX-Bridge):
  both scripts call Python's random.seed(6) at import and make exactly one random call, random.shuffle(...), on an
  os.listdir() listing (unordered, so not reproducible as is: here the listing is sorted first, as the kit does).
  FOG   patient 008 only; per task file: EEG cols 4-7,10,11 linear 500->200 Hz; EMG (patient map) linear 500->130 Hz
        and z-scored over the file; labels carried to EACH modality's length by np.round(scipy.signal.resample(label,
        n)).astype(int); each modality windowed on its own track (3 s every 0.3 s, count (n-w)//s+1, kept when the
        np.unique/argmax majority label covers >= 80 %); EEG and EMG must keep the same number of windows with equal
        labels (the release asserts it) and are paired in order. Window i of a file is named
        subject_<008_OFF_k>_<task_N>_segment_<i:04d>.npz; all names shuffled; split sizes int(round(r/99 * total)) for
        r = 33, 11, 33, 22; split s takes names[start:start+size] (a short list truncates the last split; a long one
        leaves names unused).
  ISRUC the ExtractedChannels listing (subject<n>.mat) shuffled; train/val/pair/test take 33/11/33/22 names in turn,
        so with 100 files the last shuffled one is not used.

Writes under tests/BioXBridge.Tests/Fixtures/release/:
  python_random.json      random.seed(s); getrandbits(32) x 5, and shuffles of list(range(n)) (PythonRandom tests)
  isruc_split.json        the ISRUC release split of subject1.mat..subject100.mat (also data-manifests/splits/
                          isruc-s1-release.json, the manifest users can pin)
  fog/Filtered Data/...   raw FOG fixture: 008/OFF_1/task_10.txt, 008/OFF_2/task_2.txt, and 001/task_1.txt (filtered out)
  fog_expected.npz        per split: eeg (N,6,600), emg (N,3,390) raw z-scored, labels (N,), in recording order; per
                          008 file: the carried label tracks l200 / l130 and the kept window starts per modality
  fog_expected.json       split sizes, window names per split, unused names, and the 500-Hz-track selection (the
                          kit's subject-wise default) to show that per-modality labels change what is kept
"""
import json
import pathlib
import random
import sys

import numpy as np
from scipy import signal

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "tests/BioXBridge.Tests/Fixtures/release"
sys.path.insert(0, str(HERE))
from prepare_reference import linear, zscore  # noqa: E402  (release conventions, shared with the subject-wise reference)

RATIO = {"train": 33, "val": 11, "pair": 33, "test": 22}
EMG = {"001": [27, 28, 31], "008/OFF_1": [27, 28, 31], "008/OFF_2": [27, 31, 28]}
# (folder, task, rows, freeze intervals in 500-Hz samples): the freeze onsets 1199 and 1799 were searched for so that
# one window per 008 file is dropped on the 500-Hz track (1199 of 1500 normal, < 80 %) but kept on the release's
# FFT-carried 200/130-Hz tracks, which agree with each other (else the release's assert fires)
PLANS = [("008/OFF_1", "task_10", 4500, [(1199, 4500)]),
         ("008/OFF_2", "task_2", 3600, [(0, 299), (1799, 3600)]),
         ("001", "task_1", 1500, [(0, 0)])]


def python_random():
    out = []
    for seed in (6, 0, 1, 12345, 2**32 + 7):
        random.seed(seed)
        bits = [random.getrandbits(32) for _ in range(5)]
        shuffles = {}
        for n in (1, 2, 3, 10, 100, 1000):
            random.seed(seed)
            x = list(range(n))
            random.shuffle(x)
            shuffles[str(n)] = x
        out.append({"seed": seed, "getrandbits32": bits, "shuffle": shuffles})
    return out


def deal(names, seed):
    names = sorted(names)
    random.seed(seed)
    random.shuffle(names)
    return names


def isruc_split():
    files = deal([f"subject{n}.mat" for n in range(1, 101)], 6)
    split, at = {}, 0
    for role, size in RATIO.items():
        split[role] = files[at:at + size]
        at += size
    subject = lambda f: f[len("subject"):-len(".mat")]  # noqa: E731
    return {role: [subject(f) for f in fs] for role, fs in split.items()}, [subject(f) for f in files[at:]]


def write_fog(root):
    for p, (key, task, rows, freeze) in enumerate(PLANS):
        t = np.arange(rows) / 500.0
        label = np.zeros(rows, dtype=int)
        for a, b in freeze:
            label[a:b] = 1
        cells = np.zeros((rows, 61))
        for c in range(2, 27):
            cells[:, c] = 20 * np.sin(2 * np.pi * (5 + c % 7 + p) * t + c) + 8 * np.sin(2 * np.pi * 23 * t) - c
        for c in range(27, 32):
            cells[:, c] = 40 * np.sin(2 * np.pi * (11 + 3 * c % 5) * t) * (1.5 + np.sin(2 * np.pi * 1.1 * t + c)) + 2 * c + 30 * label
        lines = []
        for r in range(rows):
            v = ["%d" % (r + 1), "%.3f" % t[r]]
            v += ["%.1f" % cells[r, c] if c in (4, 5, 6, 7, 10, 11) or 27 <= c <= 31 else "0" for c in range(2, 60)]
            lines.append(",".join(v + ["%d" % label[r]]))
        d = root / "Filtered Data" / key
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{task}.txt").write_text("\n".join(lines) + "\n")


def segments(x, labels, sf):
    w, s = int(3 * sf), int(0.3 * sf)
    starts, kept = [], []
    for i in range((x.shape[-1] - w) // s + 1):
        vals, cnt = np.unique(labels[i * s:i * s + w], return_counts=True)
        j = np.argmax(cnt)
        if cnt[j] / w >= 0.8:
            starts.append(i * s)
            kept.append(int(vals[j]))
    return starts, np.array(kept, dtype=np.int64)


def release_fog(root):
    windows, tracks, nearest = [], {}, {}
    for key, task, _, _ in PLANS:
        if not key.startswith("008"):
            continue  # the release's subject filter
        data = np.loadtxt(root / "Filtered Data" / key / f"{task}.txt", delimiter=",")
        label = data[:, 60].astype(np.int64)
        eeg = np.stack([linear(data[:, c], 500, 200) for c in (4, 5, 6, 7, 10, 11)])
        emg = np.stack([zscore(linear(data[:, c], 500, 130)) for c in EMG[key]])
        l200 = np.round(signal.resample(label, eeg.shape[-1])).astype(int)
        l130 = np.round(signal.resample(label, emg.shape[-1])).astype(int)
        se, le = segments(eeg, l200, 200)
        sm, lm = segments(emg, l130, 130)
        assert len(se) == len(sm) and np.array_equal(le, lm), (key, le, lm)
        folder = key.replace("/", "_")
        for i, (a, b, lab) in enumerate(zip(se, sm, le)):
            windows.append((f"subject_{folder}_{task}_segment_{str(i).zfill(4)}.npz", eeg[:, a:a + 600], emg[:, b:b + 390], lab))
        tracks[folder] = (l200, l130, np.array(se, dtype=np.int64), np.array(sm, dtype=np.int64))
        k500, _ = segments(label[None, :], label, 500)
        nearest[folder] = {"starts500": k500, "release_starts200": se}
    names = deal([w[0] for w in windows], 6)
    total = len(names)
    sizes = {k: int(round((v / sum(RATIO.values())) * total)) for k, v in RATIO.items()}
    splits, at = {}, 0
    for role, size in sizes.items():
        splits[role] = names[at:at + size]
        at += size
    order = {w[0]: i for i, w in enumerate(windows)}
    arrays = {}
    for role, chosen in splits.items():
        rows = [windows[i] for i in sorted(order[n] for n in chosen)]
        splits[role] = [r[0] for r in rows]
        arrays[f"{role}.eeg"] = np.stack([r[1] for r in rows]).astype(np.float32)
        arrays[f"{role}.emg"] = np.stack([r[2] for r in rows]).astype(np.float32)
        arrays[f"{role}.labels"] = np.array([r[3] for r in rows], dtype=np.int64)
    for folder, (l200, l130, se, sm) in tracks.items():
        arrays[f"{folder}.l200"], arrays[f"{folder}.l130"] = l200.astype(np.int64), l130.astype(np.int64)
        arrays[f"{folder}.starts200"], arrays[f"{folder}.starts130"] = se, sm
    meta = {"total": total, "sizes": sizes, "splits": splits, "unused": names[at:], "selection": nearest}
    return arrays, meta


def main():
    assert not OUT.exists() or "--force" in sys.argv, f"{OUT} exists; --force rewrites it"
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "python_random.json").write_text(json.dumps(python_random()) + "\n")
    split, unused = isruc_split()
    (OUT / "isruc_split.json").write_text(json.dumps({"subjects": split, "unused": unused}, indent=1) + "\n")
    manifest = {
        "$schema": "../schema/split-manifest.schema.json", "schema": "bioxbridge.split/1", "name": "isruc-s1-release",
        "dataset": "isruc-s1", "unit": "subject",
        "roles": "train = labelled old modality (teacher), val = validation, pair = paired unlabelled (bridge training, "
                 "position selection), test = new-modality evaluation",
        "counts": dict(RATIO), "seed": 6,
        "rule": "the release's split (make_ISRUC.py): file names subject1.mat..subject100.mat sorted as Python sorts "
                "strings (the release shuffled an unsorted os.listdir), Python random.seed(6) + random.shuffle, then "
                "33/11/33/22 names dealt out in turn; the 100th shuffled subject is not used",
        "computed": "tools/golden/release_split_golden.py with CPython's random; the kit regenerates it in "
                    "ReleaseSplit.IsrucSubjects (tests/BioXBridge.Tests/Data/ReleaseProtocolTests.cs)",
        "subjects": {role: sorted(names) for role, names in split.items()}, "leakage": None,
        "notes": f"not used: subject(s) {', '.join(unused)} (the last of the shuffled list); lists sorted here, dealt in "
                 "shuffled order (isruc_split.json in tests/BioXBridge.Tests/Fixtures/release keeps that order). "
                 "Prepare with 'data prepare isruc-s1 --protocol release', which drops the unused subject; as a --split "
                 "manifest it fits only data without it",
    }
    (ROOT / "data-manifests/splits/isruc-s1-release.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    write_fog(OUT / "fog")
    arrays, meta = release_fog(OUT / "fog")
    np.savez_compressed(OUT / "fog_expected.npz", **arrays)
    (OUT / "fog_expected.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(json.dumps({k: meta[k] for k in ("total", "sizes", "unused")}))
    print({r: [n.split("subject_")[1][:-4] for n in v] for r, v in meta["splits"].items()})
    print("labels", {r: arrays[f"{r}.labels"].tolist() for r in RATIO})
    print("selection (500-Hz track vs release 200-Hz track, in 200-Hz starts):",
          {f: ([s * 2 // 5 for s in v["starts500"]], v["release_starts200"]) for f, v in meta["selection"].items()})
    print("isruc unused:", unused)


if __name__ == "__main__":
    main()
