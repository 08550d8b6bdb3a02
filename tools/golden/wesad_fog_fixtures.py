#!/usr/bin/env python3
"""Writes the tiny real-format WESAD and FOG fixtures read by WesadReaderTests / FogReaderTests.

Run with Debian's /usr/bin/python3 (numpy):  /usr/bin/python3 tools/golden/wesad_fog_fixtures.py
Output: tests/BioXBridge.Tests/Fixtures/datasets/{wesad,wesad-damaged,fog,fog-damaged}/ and wesad_expected.json.

WESAD: SX.pkl is a Python-2 pickle. Python 3 cannot write one directly, so Py2Pickler (the pure-Python pickler with
protocol 2) saves every str and bytes object the way Python 2's cPickle saved its 8-bit `str`: SHORT_BINSTRING /
BINSTRING with the raw (latin-1) bytes. Numpy's own __reduce__ supplies the array structure
(numpy.core.multiarray._reconstruct, numpy.dtype + BUILD state), exactly as in the real files. Every pickle is read
back with pickle.load(f, encoding='latin1') (how Python 3 users read WESAD) and compared with the source arrays.
"""
import io, json, os, pickle, pickletools, struct, sys
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "BioXBridge.Tests", "Fixtures", "datasets")


class Py2Pickler(pickle._Pickler):
    """Protocol 2 with Python-2 `str` semantics: str and bytes both become BINSTRING/SHORT_BINSTRING (latin-1 bytes)."""
    dispatch = pickle._Pickler.dispatch.copy()

    def save_py2_str(self, obj):
        data = obj.encode("latin-1") if isinstance(obj, str) else bytes(obj)
        n = len(data)
        if not self.bin:                                   # protocol 0: STRING with Python 2's repr escapes
            self.write(pickle.STRING + repr(data)[1:].encode("ascii") + b"\n")
        elif n < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([n]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", n) + data)
        self.memoize(obj)

    dispatch[str] = save_py2_str
    dispatch[bytes] = save_py2_str


def py2_dumps(obj, protocol=2):
    buf = io.BytesIO()
    Py2Pickler(buf, protocol=protocol).dump(obj)
    return buf.getvalue()


def write(rel, data):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def same(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    return a == b


def check_roundtrip(data, obj, py2):
    back = pickle.loads(data, encoding="latin1") if py2 else pickle.loads(data)
    assert same(obj, back), "pickle does not read back"
    try:
        ops = {op.name for op, _, _ in pickletools.genops(data)}
    except UnicodeDecodeError:   # pickletools cannot show protocol-0 STRINGs holding non-ASCII bytes (pickle reads them)
        assert data[:1] == b"(" and b"\nS'" in data, data[:40]
        ops = {"STRING"}
    if py2:
        assert {"STRING", "BINSTRING", "SHORT_BINSTRING"} & ops, ops
        assert not ({"UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINBYTES", "SHORT_BINBYTES"} & ops), ops
    return ops


def wesad_session(n_chest, subject, rng, full=True, ecg=None, ecg_dtype="<f8"):
    """A WESAD-shaped dict: chest at 700 Hz, wrist ACC 32 / BVP 64 / EDA 4 / TEMP 4 Hz, label 700 Hz int32."""
    sec = n_chest / 700.0
    n = lambda hz: max(1, int(round(sec * hz)))
    ecg = rng.standard_normal((n_chest, 1)) if ecg is None else ecg
    chest = {"ECG": ecg.astype(ecg_dtype)}
    wrist = {"BVP": (rng.standard_normal((n(64), 1)) * 50).astype("<f8")}
    if full:
        chest = {"ACC": rng.standard_normal((n_chest, 3)), "ECG": chest["ECG"], "EMG": rng.standard_normal((n_chest, 1)),
                 "EDA": rng.standard_normal((n_chest, 1)), "Temp": rng.standard_normal((n_chest, 1)).astype(np.float32),
                 "Resp": rng.standard_normal((n_chest, 1))}
        wrist = {"ACC": rng.integers(-64, 64, (n(32), 3)).astype(np.float64), "BVP": wrist["BVP"],
                 "EDA": rng.random((n(4), 1)), "TEMP": 30 + rng.random((n(4), 1))}
    label = np.repeat(np.array([0, 1, 2, 3, 4, 6, 7], dtype=np.int32), -(-n_chest // 7))[:n_chest]
    return {"signal": {"chest": chest, "wrist": wrist}, "label": label, "subject": subject}


def main():
    rng = np.random.default_rng(20251002)
    n = 140                                   # 0.2 s at 700 Hz: wrist BVP 13 samples, ACC 6, EDA/TEMP 1
    base = wesad_session(n, "S2", rng)
    expected = {"subject_S2": "S2", "ecg": base["signal"]["chest"]["ECG"][:, 0].tolist(),
                "bvp": base["signal"]["wrist"]["BVP"][:, 0].tolist(), "label": base["label"].tolist()}

    # The same arrays in four encodings (only the subject differs).
    def variant(subject):
        d = dict(base); d["subject"] = subject
        return d
    out = {}
    d = variant("S2"); data = py2_dumps(d); check_roundtrip(data, d, True); out["wesad/S2/S2.pkl"] = data
    for subject, proto in (("S3", 2), ("S4", 4), ("S5", 5)):
        d = variant(subject); data = pickle.dumps(d, protocol=proto); check_roundtrip(data, d, False)
        out[f"wesad/{subject}/{subject}.pkl"] = data
    assert b"_codecs" in out["wesad/S3/S3.pkl"]           # py3 protocol 2: bytes via _codecs.encode(str, 'latin1')

    # A longer (6 s) Python-2-style session, float32 signals, only the three fields the reader needs, for
    # WesadReader -> WesadPreprocessing.Prepare with 2-s windows: labels 2 s baseline (1), then 4 s stress (2).
    t = np.arange(4200) / 700.0
    ecg = (np.sin(2 * np.pi * 1.2 * t) ** 15 + 0.05 * np.sin(2 * np.pi * 7 * t)).astype(np.float32)[:, None]
    tb = np.arange(384) / 64.0
    bvp = (np.sin(2 * np.pi * 1.2 * tb) + 0.3 * np.sin(2 * np.pi * 2.4 * tb)).astype(np.float32)[:, None]
    label = np.where(np.arange(4200) < 1400, 1, 2).astype(np.int32)
    long = {"signal": {"chest": {"ECG": ecg}, "wrist": {"BVP": bvp}}, "label": label, "subject": "S10"}
    data = py2_dumps(long); check_roundtrip(data, long, True); out["wesad/S10/S10.pkl"] = data
    expected["long"] = {"ecg_sum": float(ecg.astype(np.float64).sum()), "ecg_first": [float(v) for v in ecg[:4, 0]],
                        "bvp_sum": float(bvp.astype(np.float64).sum()), "n_ecg": 4200, "n_bvp": 384}

    # Python 2's pickle.dump default is protocol 0 (STRING reprs, MARK/DICT, SETITEM per item, I00/I01 bools);
    # protocol 1 (BINSTRING, no PROTO opcode). Small sessions with only the fields the reader needs.
    for subject, proto in (("S6", 0), ("S7", 1)):
        d = wesad_session(70, subject, rng, full=False)
        data = py2_dumps(d, proto); ops = check_roundtrip(data, d, True)
        assert ("STRING" in ops) == (proto == 0) and "PROTO" not in ops, ops
        out[f"wesad/{subject}/{subject}.pkl"] = data
        expected[f"proto{proto}"] = {"ecg": d["signal"]["chest"]["ECG"][:, 0].tolist(), "bvp": d["signal"]["wrist"]["BVP"][:, 0].tolist(),
                                     "label": d["label"].tolist()}

    # Hand-damaged variants (small, Python-2 style).
    small = wesad_session(70, "S7", rng, full=False)
    good_small = py2_dumps(small)
    check_roundtrip(good_small, small, True)
    i = good_small.index(b"ECG")
    out["wesad-damaged/truncated.pkl"] = good_small[: i + 200]          # ends inside chest/ECG's data
    corrupt = bytearray(good_small)
    j = i + 3                                                          # after the key: its memo PUT, then the value
    while corrupt[j] in (ord("q"),): j += 2
    corrupt[j] = 0xFE                                                  # not a pickle opcode
    out["wesad-damaged/corrupt_opcode.pkl"] = bytes(corrupt)
    d = wesad_session(70, "S7", rng, full=False); d["signal"]["chest"]["ECG"] = rng.integers(0, 9, (70, 3)).astype(np.int32)
    out["wesad-damaged/wrong_dtype.pkl"] = py2_dumps(d)
    d = wesad_session(70, "S7", rng, full=False); del d["signal"]["wrist"]["BVP"]; d["signal"]["wrist"]["EDA"] = np.zeros((1, 1))
    out["wesad-damaged/missing_key.pkl"] = py2_dumps(d)
    d = wesad_session(70, "S7", rng, full=False, ecg_dtype=">f8")
    out["wesad-damaged/big_endian.pkl"] = py2_dumps(d)
    d = wesad_session(70, "S7", rng, full=False); d["label"] = d["label"].astype(np.float64)
    out["wesad-damaged/float_label.pkl"] = py2_dumps(d)
    out["wesad-damaged/not_a_pickle.pkl"] = b"subject,ECG\nS2,0.1\n"
    for rel, data in out.items():
        write(rel, data)
    write("wesad_expected.json", json.dumps(expected, indent=None).encode())

    # FOG: headerless CSV, 61 columns; each data cell encodes its own row and column, value = (100*row + col)/4 * sign,
    # so a test can tell exactly which column a reader picked. Col 0 index (1-based), col 1 time, col 60 label.
    def fog_rows(rows, sign, labels, fmt="{:.2f}"):
        lines = []
        for r in range(rows):
            cells = [str(r + 1), "{:.3f}".format(r / 500.0)]
            cells += [fmt.format(sign * (100 * r + c) / 4.0) for c in range(2, 60)]
            cells.append(str(labels[r]))
            lines.append(",".join(cells))
        return "\n".join(lines) + "\n"
    rows = 20
    lab = [0] * 8 + [1] * 12
    fog = {
        "fog/Filtered Data/003/task_1.txt": fog_rows(rows, 1, lab),
        "fog/Filtered Data/003/task_2.txt": fog_rows(rows, -1, lab[::-1], "{:.6e}"),
        "fog/Filtered Data/008/OFF_1/task_1.txt": fog_rows(rows, 1, lab),
        "fog/Filtered Data/008/OFF_2/task_3.txt": fog_rows(rows, -1, lab),
    }
    bad = fog_rows(rows, 1, lab).split("\n")
    cells = bad[6].split(","); cells[60] = "x"; bad[6] = ",".join(cells)
    fog["fog-damaged/bad_label/task_3.txt"] = "\n".join(bad)
    short = fog_rows(rows, 1, lab).split("\n")
    short[4] = ",".join(short[4].split(",")[:40])
    fog["fog-damaged/short_row/task_4.txt"] = "\n".join(short)
    nonnum = fog_rows(rows, 1, lab).split("\n")
    cells = nonnum[9].split(","); cells[5] = "abc"; nonnum[9] = ",".join(cells)
    fog["fog-damaged/non_numeric/task_5.txt"] = "\n".join(nonnum)
    fog["fog-damaged/empty/task_6.txt"] = ""
    for rel, text in fog.items():
        write(rel, text.encode())

    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(ROOT) for f in fs)
    print(f"wrote {len(out) + len(fog) + 1} files, {total} bytes under {os.path.normpath(ROOT)}")
    assert total < 300_000


if __name__ == "__main__":
    main()
