#!/usr/bin/python3
"""Golden vectors for the C# DSP in src/BioXBridge/Signals, computed with numpy + scipy.

Run with a Python that has numpy and scipy (Debian: /usr/bin/python3 with python3-numpy python3-scipy):
    /usr/bin/python3 tools/golden/dsp_golden.py
Writes tests/BioXBridge.Tests/Fixtures/dsp/*.json. Inputs are stored with full precision (repr round-trips), so the
C# tests feed exactly the same numbers. Each case reproduces one convention of the paper's release code.
"""
import json
import os

import numpy as np
import scipy
import scipy.signal as sg

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "BioXBridge.Tests", "Fixtures", "dsp")
rng = np.random.default_rng(20251002)


def write(name, cases):
    path = os.path.join(OUT, name)
    doc = {"generator": "tools/golden/dsp_golden.py", "numpy": np.__version__, "scipy": scipy.__version__, "cases": cases}
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    size = os.path.getsize(path)
    assert size < 200_000, f"{name} is {size} bytes"
    print(f"{name}: {len(cases)} cases, {size} bytes")


def lst(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def test_signal(n):
    """Random walk + tones: smooth enough to resemble a biosignal, rough enough to exercise every bin."""
    t = np.arange(n)
    return np.cumsum(rng.standard_normal(n)) * 0.1 + np.sin(2 * np.pi * t / 37.0) + 0.3 * rng.standard_normal(n)


def linear_release(x, f, g):
    """The release's linear interpolation: n_g = floor(n*g/f), endpoints aligned via linspace."""
    n = len(x)
    ng = int(n * g / f)
    return np.interp(np.arange(ng), np.linspace(0, ng - 1, n), x)


os.makedirs(OUT, exist_ok=True)

# Linear resampling at the paper's rate pairs plus awkward lengths.
cases = []
for n, f, g in [(700, 700, 500), (617, 700, 500), (1000, 500, 100), (999, 500, 100), (320, 64, 125),
                (333, 64, 125), (200, 200, 500), (7, 3, 10), (2, 100, 50)]:
    x = test_signal(n)
    cases.append({"n": n, "fromHz": f, "toHz": g, "x": lst(x), "y": lst(linear_release(x, f, g))})
write("resample_linear.json", cases)

# FFT resampling: even/odd input and output lengths, up and down (scipy.signal.resample, no window).
cases = []
for n, num in [(320, 625), (321, 626), (320, 624), (321, 625), (350, 250), (351, 250), (350, 249), (351, 249),
               (256, 500), (97, 193), (64, 64), (100, 7), (384, 750)]:
    x = test_signal(n)
    cases.append({"n": n, "num": num, "x": lst(x), "y": lst(sg.resample(x, num))})
write("resample_fft.json", cases)

# FFT itself on a prime and a WESAD-like composite length (rfft), compared through the spectrum.
cases = []
for n in [17, 38400 // 100, 1000, 1021]:
    x = test_signal(n)
    X = np.fft.rfft(x)
    cases.append({"n": n, "x": lst(x), "re": lst(X.real), "im": lst(X.imag)})
write("rfft.json", cases)

# firwin: the paper's biosppy band-pass (order 150 -> 151 taps) and a few other band layouts.
cases = []
for numtaps, cut, pass_zero, fs in [(151, [0.05, 47.0], False, 500.0), (31, [10.0], True, 100.0), (31, [10.0], False, 100.0),
                                    (41, [5.0, 15.0], True, 100.0), (51, [2.0, 8.0, 20.0, 30.0], False, 100.0)]:
    h = sg.firwin(numtaps, cut, pass_zero=pass_zero, fs=fs)
    cases.append({"numtaps": numtaps, "cutoffsHz": cut, "passZero": pass_zero, "fs": fs, "h": lst(h)})
write("firwin.json", cases)

# cheby1 band-pass: the paper's PaPaGei filter at 125 Hz and two other designs.
cases = []
for order, rp, lo, hi, fs in [(4, 0.5, 0.5, 12.0, 125.0), (2, 1.0, 1.0, 10.0, 100.0), (3, 0.1, 0.05, 40.0, 500.0)]:
    b, a = sg.cheby1(order, rp, [lo, hi], btype="band", fs=fs)
    cases.append({"order": order, "rippleDb": rp, "lowHz": lo, "highHz": hi, "fs": fs, "b": lst(b), "a": lst(a)})
write("cheby1.json", cases)

# filtfilt / lfilter / lfilter_zi with both paper filters on random signals.
fir = sg.firwin(151, [0.05, 47.0], pass_zero=False, fs=500.0)
cb, ca = sg.cheby1(4, 0.5, [0.5, 12.0], btype="band", fs=125.0)
cases = []
for name, b, a, n in [("fir151", fir, np.array([1.0]), 1200), ("fir151_short", fir, np.array([1.0]), 3 * 151 + 1),
                      ("cheby1", cb, ca, 1000), ("cheby1_short", cb, ca, 28)]:
    x = test_signal(n)
    cases.append({"name": name, "b": lst(b), "a": lst(a), "x": lst(x), "filtfilt": lst(sg.filtfilt(b, a, x)),
                  "lfilter": lst(sg.lfilter(b, a, x)), "zi": lst(sg.lfilter_zi(b, a))})
write("filtfilt.json", cases)

# z-score (ddof 0) on a few signals.
cases = []
for n in [10, 1001]:
    x = test_signal(n) * 3 + 5
    cases.append({"x": lst(x), "y": lst((x - x.mean()) / x.std())})
write("zscore.json", cases)
