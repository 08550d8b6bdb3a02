"""Independent numpy/scipy reference for the paper's ISRUC and FOG preprocessing (as the release's dataset_preprocessing/make_*.py do it), the parity target of
src/BioXBridge/Data/IsrucPreprocessing.cs and FogPreprocessing.cs.

    /usr/bin/python3 tools/golden/prep_reference.py      # numpy 1.24, scipy 1.10 (signal.cwt / ricker still present)

Writes small deterministic inputs (closed-form sums of sines, float32) and the expected outputs to
tests/BioXBridge.Tests/Fixtures/prep/*.npy (< 1.5 MB in all). Everything is computed in float64 from the float32
inputs and stored as float32.

Conventions (the release's, read from its make_ISRUC.py and make_FOG.py):
  linear resampling  n_g = int(n * g / f); np.interp(arange(n_g), linspace(0, n_g - 1, n), x)  (endpoints aligned)
  ECG filter         firwin(151, [0.05, 47], pass_zero=False, fs=500) applied with filtfilt(b, [1.0], x) (padlen 453)
  z-score            (x - mean) / std, ddof 0
  NormWear CWT       spec_cwt: cwt(x[2:]), cwt(diff(x)[1:]), cwt(diff(x, 2)) with ricker at arange(0.1, 65), transposed
                     to (time, scale)
  FOG windows        k-th window starts at k*150 (500 Hz), k*60 (200 Hz), k*39 (130 Hz); count = min over the tracks;
                     kept if the majority label covers >= 80 % of the 1500 labels; label = the majority.
"""
import pathlib

import numpy as np
from scipy import signal

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/BioXBridge.Tests/Fixtures/prep"


def linear(x, f, g):
    n = len(x)
    ng = int(n * g / f)
    return np.interp(np.arange(ng), np.linspace(0, ng - 1, n), x)


def zscore(x):
    x = np.asarray(x, dtype=np.float64)
    if np.all(x == x[0]):
        return np.zeros_like(x)
    return (x - x.mean()) / x.std()


def spec_cwt(x):
    widths = np.arange(0.1, 65)
    d1 = np.diff(x)
    d2 = np.diff(d1)
    return np.stack([signal.cwt(s, signal.ricker, widths).T for s in (x[2:], d1[1:], d2)])  # (3, n-2, 65)


def sines(t, parts):
    return sum(a * np.sin(2 * np.pi * f * t + p) for a, f, p in parts)


def save(name, arr):
    np.save(OUT / name, arr)


# ---------------------------------------------------------------- ISRUC: 3 epochs of 30 s at 200 Hz
def isruc():
    fs, n, epochs = 200, 6000, 3
    stages = np.array([0, 2, 5], dtype=np.int32)  # W, N2, REM
    t = np.arange(epochs * n) / fs
    eeg = np.stack([sines(t, [(40 + 5 * c, 10 + c, 0.3 * c), (15, 2.5 + 0.5 * c, 1.0), (5, 21 + c, 0.7 * c)]) + 3 * c
                    for c in range(6)])                                      # (6, 18000) µV-like
    ecg = (sines(t, [(1.0, 1.1, 0.0), (0.4, 2.2, 0.5), (0.25, 8.0, 1.1), (0.1, 30.0, 0.2), (0.05, 60.0, 0.0)])
           + 0.3 * np.sin(2 * np.pi * 0.02 * t) + 0.8)                      # mV-like with drift and 60-Hz content
    eeg = eeg.reshape(6, epochs, n).transpose(1, 0, 2).astype(np.float32)  # (epochs, 6, 6000)
    ecg = ecg.reshape(epochs, n).astype(np.float32)                         # (epochs, 6000)

    b = signal.firwin(151, [0.05, 47], pass_zero=False, fs=500)
    out = []
    for e in range(epochs):
        x500 = linear(ecg[e].astype(np.float64), 200, 500)                  # 15000 samples ≫ padlen 453
        y = signal.filtfilt(b, [1.0], x500)
        out.append(zscore(linear(y, 500, 100)))                             # 3000
    out = np.stack(out)
    binary = (stages != 0).astype(np.int32)
    five = np.where(stages == 5, 4, stages).astype(np.int32)
    save("isruc_eeg_in.npy", eeg)
    save("isruc_ecg_in.npy", ecg)
    save("isruc_stages.npy", stages)
    save("isruc_ecg_out.npy", out.astype(np.float32))
    save("isruc_labels_binary.npy", binary)
    save("isruc_labels_five.npy", five)
    return out


# ---------------------------------------------------------------- FOG: 12 s at 500 Hz, one freeze episode
def fog():
    fs, n = 500, 6000
    t = np.arange(n) / fs
    eeg = np.stack([sines(t, [(20 + 3 * c, 6 + c, 0.2 * c), (8, 18 + 2 * c, 0.5), (4, 45 + c, 0.1)]) - 2 * c
                    for c in range(6)]).astype(np.float32)
    emg = np.stack([sines(t, [(50 + 10 * c, 1.3 + 0.2 * c, 0.4 * c), (30, 17 + 5 * c, 0.0), (20, 41 + 3 * c, 1.0),
                              (10, 60.0, 0.3)]) + 5 * c for c in range(3)]).astype(np.float32)
    label = np.zeros(n, dtype=np.int32)
    label[2400:4200] = 1  # 4.8 s .. 8.4 s: window 8 (start 1200) is exactly 80 % normal, 14 and 20 exactly 80 % freeze

    eeg200 = np.stack([linear(c.astype(np.float64), 500, 200) for c in eeg])           # (6, 2400)
    emg130 = np.stack([zscore(linear(c.astype(np.float64), 500, 130)) for c in emg])   # (3, 1560), file z-score
    w500, s500, w200, s200, w130, s130 = 1500, 150, 600, 60, 390, 39
    count = min((n - w500) // s500 + 1, (eeg200.shape[1] - w200) // s200 + 1, (emg130.shape[1] - w130) // s130 + 1)
    keep, labels = [], []
    for k in range(count):
        lw = label[k * s500:k * s500 + w500]
        vals, cnt = np.unique(lw, return_counts=True)
        j = int(np.argmax(cnt))
        if cnt[j] >= 0.8 * w500:
            keep.append(k)
            labels.append(int(vals[j]))
    keep = np.array(keep, dtype=np.int32)
    eeg_w = np.stack([eeg200[:, k * s200:k * s200 + w200] for k in keep])              # (N, 6, 600)
    emg_w = np.stack([emg130[:, k * s130:k * s130 + w130] for k in keep])              # (N, 3, 390)
    # Two scalogram windows (the first kept and the first freeze window), strided in time and scale to stay small.
    pick = np.array([0, labels.index(1)], dtype=np.int32)
    scal = np.stack([np.stack([spec_cwt(emg_w[i, c]) for c in range(3)]) for i in pick])  # (2, 3, 3, 388, 65)
    eeg_pick = np.array([0, 1, len(keep) // 2, len(keep) - 1], dtype=np.int32)

    save("fog_eeg_in.npy", eeg)
    save("fog_emg_in.npy", emg)
    save("fog_label_in.npy", label)
    save("fog_window_index.npy", keep)            # k of each kept window (start = 150 k at 500 Hz)
    save("fog_labels.npy", np.array(labels, dtype=np.int32))
    save("fog_eeg_pick.npy", eeg_pick)            # which kept windows fog_eeg_out holds
    save("fog_eeg_out.npy", eeg_w[eeg_pick].astype(np.float32))
    save("fog_emg_raw_out.npy", emg_w.astype(np.float32))
    save("fog_scal_pick.npy", pick)               # which kept windows fog_scal_out holds
    save("fog_scal_out.npy", scal[:, :, :, ::4, ::4].astype(np.float32))  # (2, 3, 3, 97, 17)
    print(f"FOG: {count} windows, kept {len(keep)}: {list(zip(keep.tolist(), labels))}")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    isruc()
    fog()
    total = sum(p.stat().st_size for p in OUT.glob("*.npy"))
    print(f"wrote {OUT} ({total / 1e6:.2f} MB)")
