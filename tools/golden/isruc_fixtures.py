"""Writes tests/BioXBridge.Tests/Fixtures/isruc/*: small files in the ISRUC-Sleep formats (see
the ISRUC-Sleep site's description of its files) for MatFileTests.cs, EdfTests.cs and IsrucLabelsTests.cs. Run with Debian's
/usr/bin/python3 (numpy, scipy; python3-mne optional).

MAT (values are value(c, i, j) = ((i·7919 + j·677 + c·31) mod 2001 − 1000) / 8, exact in float32 and float64, so the
C# tests recompute every element; c = index in CHANNELS):
  subject1_compressed.mat    scipy savemat, do_compression=True: the paper's 7 derivations, (2, 6000) each,
                             EEG float64, X2 float32
  subject1_uncompressed.mat  do_compression=False: F3_A2 float32 (2, 6000), X2 float64 (2, 1000), odd float64 (2, 3)
                             of awkward values, i16/u8/i64 integer classes, v3d (2, 3, 4), and a cell, a struct, a
                             char array, a sparse and a complex matrix (unsupported kinds)
  matlab_style.mat           hand-written (struct): doubles stored as miINT16 / small-format miUINT8, the way MATLAB
                             saves integral doubles; matlab_style_be.mat: the same, big-endian ("MI")
  damaged: truncated.mat (cut inside F3_A2's data), truncated_compressed.mat (cut inside F3_A2's zlib stream),
           bad_tag.mat (top-level tag type 99), bad_real_type.mat (real part of 'bad' typed 8, no such mi type),
           bad_header.mat (endian indicator 'XX'), bad_count.mat ('short' says 2×3, holds 5), v73.mat (7.3 header)
  mat_expected.json          the awkward and integer values as written
EDF (an independent writer in plain struct):
  python_written.edf         EDF+C, 3 records of 1 s: C3-A2 (uV, 200/record), X2 (mV, 100/record, 12-bit digital
                             range) and EDF Annotations with two annotations
  edf_expected.json          header fields, each signal's fields and physical values computed by numpy as
                             (d − dmin)·(pmax − pmin)/(dmax − dmin) + pmin, and the annotations
  damaged: truncated.edf (half a record short), bad_numeric.edf ('samples per record' of signal 2 is 'abc'),
           bad_header_bytes.edf ('header bytes' 999), bad_tal.edf (an annotation onset without its sign)
  mne_read.json              when python3-mne is installed and csharp_written.edf exists, what mne.io.read_raw_edf
                             read from it. csharp_written.edf is not written here: it is EdfFile.Write applied to
                             IsrucFixtures.CsharpWritten() (tests/BioXBridge.Tests/Data/IsrucFixtures.cs), and
                             EdfTests.Csharp_writer_output_is_the_file_mne_read checks the writer still produces it
                             byte for byte. To refresh: write it from a few lines of C#, then rerun this script.
Labels: subject1_1.txt (32 lines = 2 epochs + 30), subject1_2.txt (the same with CRLF and a trailing blank line),
        bad_labels_code.txt (line 7 is '4'), bad_labels_text.txt (line 3 is 'N2').
"""
import json
import os
import struct
import zlib

import numpy as np
import scipy.io
import scipy.sparse

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "BioXBridge.Tests", "Fixtures", "isruc")
CHANNELS = ["F3_A2", "C3_A2", "O1_A2", "F4_A1", "C4_A1", "O2_A1", "X2"]


def value(c, rows, cols, dtype):
    i, j = np.meshgrid(np.arange(rows, dtype=np.int64), np.arange(cols, dtype=np.int64), indexing="ij")
    return (((i * 7919 + j * 677 + c * 31) % 2001 - 1000) / 8.0).astype(dtype)


def out(name):
    return os.path.join(OUT, name)


# ---------------------------------------------------------------- MAT
def write_mats():
    comp = {ch: value(c, 2, 6000, np.float32 if ch == "X2" else np.float64) for c, ch in enumerate(CHANNELS)}
    scipy.io.savemat(out("subject1_compressed.mat"), comp, do_compression=True, oned_as="row")
    odd = np.array([[0.1, -2.5e-300, 1e300], [-0.0, 5e-324, 123456.789]], dtype=np.float64)
    i16 = np.array([[-32768, -1, 0, 32767], [1, 2, -300, 400], [5, 6, 7, 8]], dtype=np.int16)
    u8 = np.array([[0, 255], [17, 128]], dtype=np.uint8)
    i64 = np.array([[2 ** 53, -(2 ** 53), 12345678901]], dtype=np.int64)
    v3d = np.arange(24, dtype=np.float64).reshape(2, 3, 4) * 0.5
    unc = {
        "F3_A2": value(0, 2, 6000, np.float32),
        "X2": value(6, 2, 1000, np.float64),
        "odd": odd, "i16": i16, "u8": u8, "i64": i64, "v3d": v3d,
        "cell": np.array([np.array([1.0]), "ab"], dtype=object),
        "st": {"a": 1.0, "b": np.array([1.0, 2.0])},
        "txt": "hello",
        "sp": scipy.sparse.csc_matrix(np.array([[0.0, 1.0], [2.0, 0.0]])),
        "cplx": np.array([[1 + 2j, 3 - 4j]]),
    }
    scipy.io.savemat(out("subject1_uncompressed.mat"), unc, do_compression=False, oned_as="row")
    with open(out("mat_expected.json"), "w") as f:
        json.dump({
            "odd": {"dims": list(odd.shape), "column_major": odd.flatten(order="F").tolist()},
            "i16": {"dims": list(i16.shape), "column_major": i16.flatten(order="F").astype(float).tolist()},
            "u8": {"dims": list(u8.shape), "column_major": u8.flatten(order="F").astype(float).tolist()},
            "i64": {"dims": list(i64.shape), "column_major": i64.flatten(order="F").astype(float).tolist()},
            "v3d": {"dims": list(v3d.shape), "column_major": v3d.flatten(order="F").tolist()},
        }, f, indent=1)

    # damaged copies: cut inside the first variable (F3_A2), whose data start after header + tags
    raw = open(out("subject1_uncompressed.mat"), "rb").read()
    open(out("truncated.mat"), "wb").write(raw[:128 + 8 + 2000])
    rawc = open(out("subject1_compressed.mat"), "rb").read()
    first_len = struct.unpack_from("<I", rawc, 132)[0]
    open(out("truncated_compressed.mat"), "wb").write(rawc[:136 + first_len // 2])
    hdr = raw[:128]
    open(out("bad_tag.mat"), "wb").write(hdr + struct.pack("<II", 99, 8) + b"\0" * 8)
    open(out("bad_header.mat"), "wb").write(raw[:126] + b"XX" + raw[128:400])
    v73 = (b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .")
    open(out("v73.mat"), "wb").write(v73.ljust(116, b" ") + b"\0" * 8 + struct.pack("<H", 0x0200) + b"IM" + b"\x89HDF\r\n\x1a\n")
    open(out("bad_real_type.mat"), "wb").write(hand_mat("<", [("bad", 6, (1, 2), 8, struct.pack("<2d", 1.0, 2.0))]))
    open(out("bad_count.mat"), "wb").write(hand_mat("<", [("short", 6, (2, 3), 9, struct.pack("<5d", *range(5)))]))


def element(e, mi, data, small_ok=True):
    """One MAT data element: small format when it fits in 4 bytes, else tag + data padded to 8."""
    if small_ok and len(data) <= 4:
        return struct.pack(e + "HH", len(data), mi) + data.ljust(4, b"\0") if e == ">" else \
            struct.pack(e + "HH", mi, len(data)) + data.ljust(4, b"\0")
    return struct.pack(e + "II", mi, len(data)) + data + b"\0" * (-len(data) % 8)


def matrix(e, name, cls, dims, mi, data):
    body = element(e, 6, struct.pack(e + "II", cls, 0), small_ok=False)
    body += element(e, 5, struct.pack(e + "%di" % len(dims), *dims), small_ok=False)
    body += element(e, 1, name.encode())
    body += element(e, mi, data)
    return struct.pack(e + "II", 14, len(body)) + body


def hand_mat(e, variables, compress_last=False):
    text = b"MATLAB 5.0 MAT-file, written by tools/golden/isruc_fixtures.py".ljust(116, b" ")
    out_bytes = text + b"\0" * 8 + struct.pack(e + "H", 0x0100) + (b"IM" if e == "<" else b"MI")
    for k, v in enumerate(variables):
        m = matrix(e, *v)
        if compress_last and k == len(variables) - 1:
            z = zlib.compress(m)
            m = struct.pack(e + "II", 15, len(z)) + z
        out_bytes += m
    return out_bytes


def write_matlab_style():
    for e, name in (("<", "matlab_style.mat"), (">", "matlab_style_be.mat")):
        variables = [
            ("dbl_as_i16", 6, (2, 3), 3, struct.pack(e + "6h", -3, 0, 7, 32000, -32000, 1)),
            ("u8", 6, (2, 2), 2, bytes([1, 2, 3, 4])),  # 4 bytes: small data element format
            ("s", 7, (1, 2), 7, struct.pack(e + "2f", 1.5, -0.25)),
            ("z", 6, (1, 3), 9, struct.pack(e + "3d", 0.5, 1e-3, -7.0)),  # compressed element
        ]
        open(out(name), "wb").write(hand_mat(e, variables, compress_last=True))


# ---------------------------------------------------------------- EDF
def edf_bytes(signals, records, duration, reserved="EDF+C", tal_records=None, header_bytes=None, spr_override=None):
    """signals: list of dicts label/dim/pmin/pmax/dmin/dmax/spr/digital (records × spr int16 values)."""
    ns = len(signals)
    h = "0".ljust(8) + "X X X X".ljust(80) + "Startdate 01-JAN-2020 X X X".ljust(80) + "01.01.20" + "22.30.00"
    h += str(header_bytes if header_bytes is not None else 256 * (ns + 1)).ljust(8) + reserved.ljust(44)
    h += str(records).ljust(8) + ("%g" % duration).ljust(8) + str(ns).ljust(4)
    cols = [("label", 16), ("transducer", 80), ("dim", 8), ("pmin", 8), ("pmax", 8), ("dmin", 8), ("dmax", 8),
            ("prefilter", 80), ("spr", 8), ("reserved", 32)]
    for key, width in cols:
        for k, s in enumerate(signals):
            v = s.get(key, "")
            if key == "spr" and spr_override and spr_override[0] == k:
                v = spr_override[1]
            h += str(v).ljust(width)
    assert len(h) == 256 * (ns + 1)
    data = b""
    for r in range(records):
        for s in signals:
            if s["label"] == "EDF Annotations":
                data += tal_records[r].ljust(2 * s["spr"], b"\0")
            else:
                data += struct.pack("<%dh" % s["spr"], *s["digital"][r * s["spr"]:(r + 1) * s["spr"]])
    return h.encode("ascii") + data


def write_edfs():
    rng = np.random.default_rng(7)
    records = 3
    c3 = dict(label="C3-A2", transducer="AgAgCl electrode", dim="uV", pmin="-500.5", pmax="499.75", dmin=-32768,
              dmax=32767, prefilter="HP:0.3Hz LP:35Hz", spr=200)
    x2 = dict(label="X2", dim="mV", pmin="-3.2", pmax="3.2", dmin=-2048, dmax=2047, spr=100)
    c3["digital"] = rng.integers(-32768, 32768, records * 200).tolist()
    x2["digital"] = rng.integers(-2048, 2048, records * 100).tolist()
    ann = dict(label="EDF Annotations", pmin="-1", pmax="1", dmin=-32768, dmax=32767, spr=30)
    tals = [b"+0\x14\x14\x00+0.5\x150.2\x14Lights off\x14\x00", b"+1\x14\x14\x00", b"+2\x14\x14\x00+2.25\x14Arousal\x14\x00"]
    good = edf_bytes([c3, x2, ann], records, 1, tal_records=tals)
    open(out("python_written.edf"), "wb").write(good)
    expected = {
        "header": {"patient": "X X X X", "recording": "Startdate 01-JAN-2020 X X X", "start_date": "01.01.20",
                   "start_time": "22.30.00", "reserved": "EDF+C", "records": records, "duration": 1.0,
                   "header_bytes": 256 * 4, "signals": 3},
        "signals": [],
        "annotations": [{"onset": 0.5, "duration": 0.2, "text": "Lights off"}, {"onset": 2.25, "duration": None, "text": "Arousal"}],
        "tal": [t.decode().rstrip("\0") for t in tals],
    }
    for s in (c3, x2):
        d = np.array(s["digital"], dtype=np.float64)
        pmin, pmax, dmin, dmax = float(s["pmin"]), float(s["pmax"]), float(s["dmin"]), float(s["dmax"])
        phys = (d - dmin) * (pmax - pmin) / (dmax - dmin) + pmin
        expected["signals"].append({"label": s["label"], "transducer": s.get("transducer", ""), "dim": s["dim"],
                                    "pmin": pmin, "pmax": pmax, "dmin": s["dmin"], "dmax": s["dmax"],
                                    "prefilter": s.get("prefilter", ""), "spr": s["spr"], "physical": phys.tolist()})
    with open(out("edf_expected.json"), "w") as f:
        json.dump(expected, f)
    record_bytes = 2 * (200 + 100 + 30)
    open(out("truncated.edf"), "wb").write(good[:len(good) - record_bytes // 2])
    open(out("bad_numeric.edf"), "wb").write(edf_bytes([c3, x2, ann], records, 1, tal_records=tals, spr_override=(1, "abc")))
    open(out("bad_header_bytes.edf"), "wb").write(edf_bytes([c3, x2, ann], records, 1, tal_records=tals, header_bytes=999))
    bad_tals = [tals[0], b"1\x14\x14\x00", tals[2]]
    open(out("bad_tal.edf"), "wb").write(edf_bytes([c3, x2, ann], records, 1, tal_records=bad_tals))


# ---------------------------------------------------------------- labels
def write_labels():
    codes = [0, 5] + [0, 1, 2, 3, 5] * 6
    assert len(codes) == 32
    open(out("subject1_1.txt"), "w").write("\n".join(map(str, codes)) + "\n")
    open(out("subject1_2.txt"), "wb").write(("\r\n".join(map(str, [2, 3] + codes[2:])) + "\r\n\r\n").encode())
    bad = list(map(str, codes))
    bad[6] = "4"
    open(out("bad_labels_code.txt"), "w").write("\n".join(bad) + "\n")
    bad = list(map(str, codes))
    bad[2] = "N2"
    open(out("bad_labels_text.txt"), "w").write("\n".join(bad) + "\n")


def write_mne():
    src = out("csharp_written.edf")
    try:
        import mne
    except ImportError:
        print("python3-mne not installed: mne_read.json not written")
        return
    if not os.path.exists(src):
        print("csharp_written.edf missing: run the C# writer first, then this script again")
        return
    raw = mne.io.read_raw_edf(src, preload=True, verbose="error")
    data = raw.get_data()
    with open(out("mne_read.json"), "w") as f:
        json.dump({"mne_version": mne.__version__, "ch_names": raw.ch_names, "sfreq": raw.info["sfreq"],
                   "units": [ch["unit_mul"] for ch in raw.info["chs"]],
                   "data": data.tolist(),
                   "annotations": [{"onset": float(a["onset"]), "duration": float(a["duration"]), "text": a["description"]}
                                   for a in raw.annotations]}, f)
    print("mne_read.json written with mne", mne.__version__)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    write_mats()
    write_matlab_style()
    write_edfs()
    write_labels()
    write_mne()
