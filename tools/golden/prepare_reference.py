#!/usr/bin/env python3
"""`data prepare` end to end, independently in numpy/scipy: raw dataset folder in, the paper's windows out.

    /usr/bin/python3 tools/golden/prepare_reference.py            # numpy 1.24, scipy 1.10: fixtures + expected outputs
    /usr/bin/python3 tools/golden/prepare_reference.py --bench DIR # time the WESAD pipeline on DIR (see bench_wesad)

Writes under tests/BioXBridge.Tests/Fixtures/prepare/:
  wesad/S2..S5/SX.pkl        Python-2 pickles (as WESAD ships them), 70 s each: ECG 700 Hz float16 (the reader takes
                             float16/32/64; float16 keeps the fixture small), BVP 64 Hz float32, labels 700 Hz uint8
  isruc/ExtractedChannels/subject<n>.mat, isruc/RawData/<n>/<n>.rec, isruc/RawData/<n>/<n>_1.txt   subjects 1..4:
                             the .mat and the .rec hold *different* signals (as in the real data set, where the .mat
                             channels were extracted and filtered), so a route mix-up cannot pass. The .rec files vary
                             what the EDF route must accept: EDF+ with annotations and "F3-M2"-style labels, plain EDF,
                             lower case and padded labels, 1/10/30-s records, an extra 1-Hz signal, and more recording
                             than labels (partial trailing blocks of 12 s and 10 s, which must be ignored).
  fog/Filtered Data/{001,003,008/OFF_2,009}/task_N.txt   headerless CSV, 61 columns (unused ones 0), 3.0-3.6 s each;
                             the four EMG column maps of the release's make_FOG.py except 008/OFF_1's (same as 001's)
  splits/{wesad,isruc,fog}.json   split manifests (bioxbridge.split/1): one subject per role, because a fixture cannot
                             hold the paper's 15 / 99 subjects
  expected/{wesad,isruc,fog}.npz  the reference outputs per subject (np.savez_compressed; entry "<key>.<subject>.<what>"):
                             wesad: key nearest|fftround, what ecg (N,1,6000) ppg (N,1,7500) labels (N,)
                             isruc: key mat|rec, what eeg (N,6,6000) ecg (N,1,3000) labels (N,)
                             fog:   key fog, what eeg (N,6,600) emg (N,3,390) labels (N,)   (EMG raw, as prepare stores it)

The reference reads the raw files with pickle / scipy.io.loadmat / its own 20-line EDF parser / numpy.loadtxt, and
follows the release's make_*.py (conventions as in prep_reference.py):
  linear resampling  n_g = n*g//f; np.interp(arange(n_g), linspace(0, n_g - 1, n), x)   (endpoints aligned)
  ECG                linear to 500 Hz, filtfilt(firwin(151, [0.05, 47], pass_zero=False, fs=500), [1]), linear to
                     100 Hz, z-score (ddof 0; WESAD over the session, ISRUC per epoch)
  PPG                signal.resample to n*125//64, filtfilt(cheby1(4, 0.5, [0.5, 12], 'band', fs=125)), z-score
  WESAD labels       nearest: output j takes source index round-half-up(j*n/m); fftround: np.round(resample(labels, m))
  WESAD windows      60 s every 5 s, kept when all labels equal and in {1,2,3}, class = label - 1; ECG and PPG
                     windowed on their own label tracks and asserted equal
  ISRUC              scorer 1 minus the last 30 lines; W -> 0, other stages -> 1; EEG raw per 30-s epoch;
                     .rec: labels matched trimmed / case-insensitive / '-' = '_' / M1,M2 = A1,A2, 200 Hz, first len(labels)
                     consecutive 30-s blocks
  FOG                EEG file columns 4-7, 10, 11 linear to 200 Hz; EMG (patient map) linear to 130 Hz, z-score over
                     the file; window k at k*150 / k*60 / k*39, count = min over the tracks, kept at >= 80 % majority
"""
import io
import json
import os
import pathlib
import pickle
import struct
import sys
import time

import numpy as np
import scipy.io
from scipy import signal

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parents[1] / "tests/BioXBridge.Tests/Fixtures/prepare"
sys.path.insert(0, str(HERE))
from wesad_fog_fixtures import py2_dumps  # noqa: E402  (Python-2-style pickler)
from isruc_fixtures import edf_bytes  # noqa: E402  (EDF writer in plain struct)

EEG = ["F3_A2", "C3_A2", "O1_A2", "F4_A1", "C4_A1", "O2_A1"]
ECG = "X2"
FOG_EMG = {"001": [27, 28, 31], "003": [28, 27, 31], "008/OFF_2": [27, 31, 28], "009": [28, 27, 30]}


# ---------------------------------------------------------------- shared DSP
def linear(x, f, g):
    n = len(x)
    ng = n * g // f
    return np.interp(np.arange(ng), np.linspace(0, ng - 1, n), x)


def zscore(x):
    x = np.asarray(x, dtype=np.float64)
    return np.zeros_like(x) if np.all(x == x[0]) else (x - x.mean()) / x.std()


FIR = signal.firwin(151, [0.05, 47], pass_zero=False, fs=500)
CHEBY = signal.cheby1(4, 0.5, [0.5, 12], btype="band", fs=125)


def ecg_100(x, fs):
    return linear(signal.filtfilt(FIR, [1.0], linear(x, fs, 500)), 500, 100)


# ---------------------------------------------------------------- WESAD
def wesad_labels(label, m, mode):
    n = len(label)
    if mode == "fftround":
        return np.round(signal.resample(label.astype(np.float64), m)).astype(np.int64)
    j = np.arange(m, dtype=np.int64)
    return label[np.minimum(n - 1, (2 * j * n + m) // (2 * m))].astype(np.int64)


def wesad_windows(x, lab, w, s):
    starts, classes = [], []
    for i in range((len(x) - w) // s + 1 if len(x) >= w else 0):
        seg = lab[i * s:i * s + w]
        if seg[0] in (1, 2, 3) and np.all(seg == seg[0]):
            starts.append(i)
            classes.append(int(seg[0]) - 1)
    return starts, classes


def wesad_subject(ecg, bvp, label, mode):
    ecg = zscore(ecg_100(ecg, 700))
    ppg = zscore(signal.filtfilt(*CHEBY, signal.resample(bvp, len(bvp) * 125 // 64)))
    ke, ce = wesad_windows(ecg, wesad_labels(label, len(ecg), mode), 6000, 500)
    kp, cp = wesad_windows(ppg, wesad_labels(label, len(ppg), mode), 7500, 625)
    assert (ke, ce) == (kp, cp), "ECG and PPG disagree on the windows"
    return (np.stack([ecg[None, k * 500:k * 500 + 6000] for k in ke]) if ke else np.zeros((0, 1, 6000)),
            np.stack([ppg[None, k * 625:k * 625 + 7500] for k in kp]) if kp else np.zeros((0, 1, 7500)),
            np.array(ce, dtype=np.int64))


def ref_wesad(root, mode):
    out = {}
    for d in sorted(root.iterdir(), key=lambda p: int(p.name[1:])):
        with open(d / f"{d.name}.pkl", "rb") as f:
            s = pickle.load(f, encoding="latin1")
        ecg = s["signal"]["chest"]["ECG"][:, 0].astype(np.float64)
        bvp = s["signal"]["wrist"]["BVP"][:, 0].astype(np.float64)
        out[s["subject"]] = wesad_subject(ecg, bvp, s["label"].astype(np.int64), mode)
    return out


def write_wesad(root):
    # (subject, label segments [(label, seconds)]): steps of 6 (7 -> 1) land exactly on window starts, where the
    # release's FFT labels ring across the rounding threshold, so the two label modes keep different windows
    plans = {"S2": [(0, 2), (1, 68)], "S3": [(1, 4), (7, 1), (1, 65)], "S4": [(3, 70)], "S5": [(4, 8), (2, 62)]}
    for k, (subject, plan) in enumerate(plans.items()):
        label = np.concatenate([np.full(int(sec * 700), lab, dtype=np.uint8) for lab, sec in plan])
        t = np.arange(len(label)) / 700.0
        hr = 1.0 + 0.15 * k
        phase = (t * hr) % 1.0
        ecg = (1.2 * np.exp(-((phase - 0.3) / 0.012) ** 2) - 0.25 * np.exp(-((phase - 0.33) / 0.01) ** 2)
               + 0.3 * np.exp(-((phase - 0.55) / 0.05) ** 2) + 0.1 * np.exp(-((phase - 0.15) / 0.03) ** 2)
               + 0.2 * np.sin(2 * np.pi * 0.12 * t) + 0.02 * np.sin(2 * np.pi * 50 * t) + 0.1 * k)
        tb = np.arange(len(label) * 64 // 700) / 64.0
        pb = (tb * hr - 0.2) % 1.0
        bvp = 80 * np.exp(-((pb - 0.25) / 0.08) ** 2) + 30 * np.exp(-((pb - 0.55) / 0.1) ** 2) + 20 * np.sin(2 * np.pi * 0.2 * tb) - 40
        d = {"signal": {"chest": {"ECG": ecg.astype(np.float16)[:, None]}, "wrist": {"BVP": bvp.astype(np.float32)[:, None]}},
             "label": label, "subject": subject}
        (root / subject).mkdir(parents=True, exist_ok=True)
        (root / subject / f"{subject}.pkl").write_bytes(py2_dumps(d))


# ---------------------------------------------------------------- ISRUC
def isruc_labels(path):
    codes = np.array([int(l) for l in open(path).read().split()], dtype=np.int64)
    return codes[:-30]


def isruc_subject(eeg, ecg, stages):
    """eeg: (epochs, 6, 6000), ecg: (epochs, 6000)."""
    ecg_out = np.stack([zscore(ecg_100(e, 200))[None] for e in ecg])
    return eeg, ecg_out, (stages != 0).astype(np.int64)


def read_edf(path):
    """Just enough EDF: labels, samples per record, record duration, physical values per signal."""
    raw = open(path, "rb").read()
    ns, nrec, dur = int(raw[252:256]), int(raw[236:244]), float(raw[244:252])
    h = raw[256:256 * (ns + 1)]
    def field(offset, width):  # offset in units of per-signal fields
        return [h[offset * ns + i * width: offset * ns + (i + 1) * width].decode("latin-1").strip() for i in range(ns)]
    labels = field(0, 16)
    pmin, pmax = [float(v) for v in field(16 + 80 + 8, 8)], [float(v) for v in field(16 + 80 + 16, 8)]
    dmin, dmax = [int(v) for v in field(16 + 80 + 24, 8)], [int(v) for v in field(16 + 80 + 32, 8)]
    spr = [int(v) for v in field(16 + 80 + 40 + 80, 8)]
    data = np.frombuffer(raw[256 * (ns + 1):], dtype="<i2").reshape(nrec, sum(spr))
    out, at = {}, 0
    for i in range(ns):
        d = data[:, at:at + spr[i]].reshape(-1).astype(np.float64)
        out[labels[i]] = (spr[i] / dur, (d - dmin[i]) * (pmax[i] - pmin[i]) / (dmax[i] - dmin[i]) + pmin[i])
        at += spr[i]
    return out


def norm_label(label):
    return "_".join({"M1": "A1", "M2": "A2"}.get(t, t) for t in label.strip().upper().replace("-", "_").split("_"))


def ref_isruc(root, source):
    out = {}
    for n in sorted(int(p.name) for p in (root / "RawData").iterdir()):
        stages = isruc_labels(root / "RawData" / str(n) / f"{n}_1.txt")
        if source == "mat":
            m = scipy.io.loadmat(root / "ExtractedChannels" / f"subject{n}.mat")
            eeg = np.stack([m[c] for c in EEG], axis=1).astype(np.float64)
            ecg = m[ECG].astype(np.float64)
            assert len(eeg) == len(stages)
        else:
            sigs = {norm_label(k): v for k, v in read_edf(root / "RawData" / str(n) / f"{n}.rec").items()}
            assert all(sigs[c][0] == 200 for c in EEG + [ECG])
            e = len(stages)
            eeg = np.stack([sigs[c][1][:e * 6000].reshape(e, 6000) for c in EEG], axis=1)
            ecg = sigs[ECG][1][:e * 6000].reshape(e, 6000)
        out[str(n)] = isruc_subject(eeg, ecg, stages)
    return out


def write_isruc(root):
    # (n, stages, EDF layout): record seconds, extra seconds after the labelled epochs, label style, EDF+?
    subjects = [(1, [0, 2], 1, 12, "{}-M{}", True), (2, [5], 30, 10, "{}-A{}", False),
                (3, [0], 10, 0, " {}_a{} ", False), (4, [3], 10, 10, "{}-A{}", True)]
    for n, stages, rec_s, extra_s, style, plus in subjects:
        e = len(stages)
        t = np.arange(e * 6000 + extra_s * 200) / 200.0
        eeg = [30 * np.sin(2 * np.pi * (6 + c + n) * t + c) + 12 * np.sin(2 * np.pi * 1.5 * t * (1 + 0.1 * c)) + 4 * c
               for c in range(6)]
        phase = (t * (1.1 + 0.1 * n)) % 1.0
        ecg = 900 * np.exp(-((phase - 0.3) / 0.015) ** 2) + 150 * np.exp(-((phase - 0.6) / 0.06) ** 2) + 60 * np.sin(2 * np.pi * 0.3 * t)
        # EDF: digital = round(8·µV), physical range ±4096 µV over the full int16 range: one step is exactly 1/8 µV
        sigs = []
        for name, x in zip(EEG + [ECG], eeg + [ecg]):
            ch, _, ref = name.partition("_")
            label = (" x2" if n == 3 else ECG) if name == ECG else style.format(ch.lower() if n == 3 else ch, ref[-1])
            sigs.append(dict(label=label, dim="uV", pmin="-4096", pmax="4095.875", dmin=-32768, dmax=32767,
                             spr=200 * rec_s, digital=np.clip(np.round(x * 8), -32768, 32767).astype(int).tolist()))
        nrec = len(t) // (200 * rec_s)
        sigs.insert(2, dict(label="SaO2", dim="%", pmin="0", pmax="100", dmin=0, dmax=1000, spr=rec_s,
                            digital=[950] * (nrec * rec_s)))
        tals = None
        if plus:
            sigs.append(dict(label="EDF Annotations", pmin="-1", pmax="1", dmin=-32768, dmax=32767, spr=30))
            tals = [b"+%d\x14\x14\x00" % (r * rec_s) + (b"+0\x14Lights off\x14\x00" if r == 0 else b"") for r in range(nrec)]
        for s in sigs:
            if "digital" in s:
                s["digital"] = s["digital"][:nrec * s["spr"]]
        d = root / "RawData" / str(n)
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{n}.rec").write_bytes(edf_bytes(sigs, nrec, rec_s, reserved="EDF+C" if plus else "", tal_records=tals))
        (d / f"{n}_1.txt").write_text("\n".join(map(str, stages + [0] * 30)) + "\n")
        # the .mat: other ("extracted") signals, in 1/16 steps so the compressed file stays small
        mat = {name: np.round((np.roll(x[:e * 6000], 37 * c) * 0.7 - 5 * n) * 16).reshape(e, 6000) / 16
               for c, (name, x) in enumerate(zip(EEG + [ECG], eeg + [ecg]))}
        (root / "ExtractedChannels").mkdir(parents=True, exist_ok=True)
        scipy.io.savemat(root / "ExtractedChannels" / f"subject{n}.mat", mat, do_compression=True)


# ---------------------------------------------------------------- FOG
def ref_fog(root):
    out = {}
    for key, cols in FOG_EMG.items():
        d = root / "Filtered Data" / key
        for task in sorted(d.glob("task_*.txt"), key=lambda p: int(p.stem[5:])):
            data = np.loadtxt(task, delimiter=",")
            label = data[:, 60].astype(np.int64)
            eeg = np.stack([linear(data[:, c], 500, 200) for c in (4, 5, 6, 7, 10, 11)])
            emg = np.stack([zscore(linear(data[:, c], 500, 130)) for c in cols])
            n = len(label)
            count = min((n - 1500) // 150 + 1, (eeg.shape[1] - 600) // 60 + 1, (emg.shape[1] - 390) // 39 + 1)
            ks, ls = [], []
            for k in range(count):
                vals, cnt = np.unique(label[k * 150:k * 150 + 1500], return_counts=True)
                j = int(np.argmax(cnt))
                if cnt[j] >= 1200:
                    ks.append(k)
                    ls.append(int(vals[j]))
            out[key.split("/")[0]] = (np.stack([eeg[:, k * 60:k * 60 + 600] for k in ks]),
                                      np.stack([emg[:, k * 39:k * 39 + 390] for k in ks]), np.array(ls, dtype=np.int64))
    return out


def write_fog(root):
    # (key, rows, freeze rows): 001's window 1 is exactly 80 % normal (kept), 008's window 1 76.7 % freeze (dropped)
    plans = [("001", 1650, (1350, 1650)), ("003", 1500, (0, 1500)), ("008/OFF_2", 1650, (0, 1300)), ("009", 1500, (0, 0))]
    for p, (key, rows, (f0, f1)) in enumerate(plans):
        t = np.arange(rows) / 500.0
        label = np.zeros(rows, dtype=int)
        label[f0:f1] = 1
        cells = np.zeros((rows, 61))
        cells[:, 0], cells[:, 1] = np.arange(1, rows + 1), t
        for c in range(2, 27):
            cells[:, c] = 20 * np.sin(2 * np.pi * (5 + c % 7 + p) * t + c) + 8 * np.sin(2 * np.pi * 23 * t) - c
        for c in range(27, 32):
            cells[:, c] = 40 * np.sin(2 * np.pi * (11 + 3 * c % 5) * t) * (1.5 + np.sin(2 * np.pi * 1.1 * t + c)) + 2 * c
        cells[:, 60] = label
        lines = []
        for r in range(rows):
            v = ["%d" % cells[r, 0], "%.3f" % cells[r, 1]]
            v += ["%.1f" % cells[r, c] if c in (4, 5, 6, 7, 10, 11) or 27 <= c <= 31 else "0" for c in range(2, 60)]
            lines.append(",".join(v + ["%d" % label[r]]))
        d = root / "Filtered Data" / key
        d.mkdir(parents=True, exist_ok=True)
        (d / f"task_{p + 1}.txt").write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------- bench
def bench_wesad(folder):
    """DIR holds <subject>.ecg.npy (700 Hz), <subject>.bvp.npy (64 Hz), <subject>.label.npy (700 Hz) per subject, as
    `bioxbridge bench prepare` writes them. Times reading nothing: arrays are loaded first, then the whole WESAD pipeline
    (nearest labels) runs per subject in one thread. Prints one JSON line."""
    folder = pathlib.Path(folder)
    subjects = sorted(p.name[:-len(".ecg.npy")] for p in folder.glob("*.ecg.npy"))
    data = [(np.load(folder / f"{s}.ecg.npy").astype(np.float64), np.load(folder / f"{s}.bvp.npy").astype(np.float64),
             np.load(folder / f"{s}.label.npy").astype(np.int64)) for s in subjects]
    start = time.perf_counter()
    windows = sum(len(wesad_subject(e, b, l, "nearest")[2]) for e, b, l in data)
    seconds = time.perf_counter() - start
    print(json.dumps({"subjects": len(subjects), "windows": windows, "seconds": seconds, "windows_per_s": windows / seconds}))


# ---------------------------------------------------------------- main
def manifest(dataset, roles):
    return {"schema": "bioxbridge.split/1", "name": f"{dataset}-fixture", "dataset": dataset, "unit": "subject",
            "seed": None, "rule": "hand-written: one subject per role (tests/BioXBridge.Tests/Fixtures/prepare)",
            "computed": "by hand", "subjects": dict(zip(["train", "val", "pair", "test"], [[r] for r in roles])), "leakage": None}


def pack(prefix, per_subject, names):
    return {f"{prefix}.{s}.{w}": (a.astype(np.float32) if w != "labels" else a) for s, arrs in per_subject.items()
            for w, a in zip(names, arrs)}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--bench":
        return bench_wesad(sys.argv[2])
    for d in ("wesad", "isruc", "fog"):
        assert not (OUT / d).exists() or "--force" in sys.argv, f"{OUT / d} exists; --force rewrites it"
    write_wesad(OUT / "wesad")
    write_isruc(OUT / "isruc")
    write_fog(OUT / "fog")
    (OUT / "splits").mkdir(parents=True, exist_ok=True)
    (OUT / "expected").mkdir(parents=True, exist_ok=True)
    for name, roles in (("wesad", ["S2", "S3", "S4", "S5"]), ("isruc-s1", ["1", "2", "3", "4"]), ("fog", ["001", "003", "008", "009"])):
        (OUT / "splits" / f"{name.split('-')[0]}.json").write_text(json.dumps(manifest(name, roles), indent=1) + "\n")

    wesad = {}
    for mode in ("nearest", "fftround"):
        r = ref_wesad(OUT / "wesad", mode)
        wesad.update(pack(mode, r, ["ecg", "ppg", "labels"]))
        print(f"WESAD {mode}: " + ", ".join(f"{s}: {v[2].tolist()}" for s, v in r.items()))
    np.savez_compressed(OUT / "expected" / "wesad.npz", **wesad)
    isruc = {}
    for source in ("mat", "rec"):
        r = ref_isruc(OUT / "isruc", source)
        isruc.update(pack(source, r, ["eeg", "ecg", "labels"]))
        print(f"ISRUC {source}: " + ", ".join(f"{s}: {v[2].tolist()}" for s, v in r.items()))
    np.savez_compressed(OUT / "expected" / "isruc.npz", **isruc)
    r = ref_fog(OUT / "fog")
    np.savez_compressed(OUT / "expected" / "fog.npz", **pack("fog", r, ["eeg", "emg", "labels"]))
    print("FOG: " + ", ".join(f"{s}: {v[2].tolist()}" for s, v in r.items()))
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
