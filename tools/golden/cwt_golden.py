"""Golden vectors for src/BioXBridge/Signals/RickerCwt.cs from scipy's own signal.ricker / signal.cwt.

Run with Debian's /usr/bin/python3 (scipy 1.10; both functions were removed in scipy 1.15):
    /usr/bin/python3 tools/golden/cwt_golden.py
Writes tests/BioXBridge.Tests/Fixtures/dsp/cwt.json: ricker cases (including float lengths such as 10*1.1 =
11.000000000000002, which numpy's arange turns into 12 samples), cwt cases on short signals with a few widths, and
one full NormWear scalogram (signal / 1st diff / 2nd diff at widths 0.1..64.1) of a 40-sample window, row-sampled.
"""
import json
import pathlib

import numpy as np
from scipy import signal

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/BioXBridge.Tests/Fixtures/dsp/cwt.json"


def main() -> None:
    rng = np.random.default_rng(20251002)
    ricker = []
    for points, a in [(1.0, 0.1), (11.000000000000002, 1.1), (10, 2.0), (7, 3.5), (388.0, 64.1), (41.0, 4.1), (5, 0.5)]:
        ricker.append({"points": float(points), "a": float(a), "y": signal.ricker(points, a).tolist()})

    cwt = []
    for n, widths in [(50, [0.1, 1.1, 2.1, 5.1, 20.1]), (33, [1.0, 1.5, 3.0, 4.1, 10.0]), (64, list(np.arange(0.1, 65)[::8]))]:
        x = rng.standard_normal(n)
        out = signal.cwt(x, signal.ricker, np.asarray(widths, dtype=np.float64))
        cwt.append({"x": x.tolist(), "widths": [float(w) for w in widths], "y": out.ravel().tolist()})

    # NormWear's spec_cwt on one window: (3, n-2, 65) with time before scale.
    x = rng.standard_normal(40)
    d1 = x[1:] - x[:-1]
    d2 = d1[1:] - d1[:-1]
    widths = np.arange(0.1, 65)
    scal = np.stack([signal.cwt(s, signal.ricker, widths).T for s in (x[2:], d1[1:], d2)])
    normwear = {"x": x.tolist(), "shape": list(scal.shape), "y": scal.ravel().tolist()}

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"scipy": __import__("scipy").__version__,
                               "ricker": ricker, "cwt": cwt, "normwear": normwear}))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
