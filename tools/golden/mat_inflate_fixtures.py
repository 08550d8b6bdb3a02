"""MAT v5 files for the reader's inflate limit (MatFileTests), written by scipy.io.savemat.

zeros_compressed.mat: a 2000 x 1000 zero array saved compressed, about 1000:1, near deflate's 1032:1 ceiling, so a
legitimate highly compressed variable must still read. bomb.mat: the same element whose miMATRIX tag, inside the
compressed stream, is rewritten to claim 4,294,967,040 bytes; the reader must refuse it before allocating.
Run: python3 tools/golden/mat_inflate_fixtures.py tests/BioXBridge.Tests/Fixtures/isruc
"""
import io, struct, sys, zlib
import numpy as np
import scipy.io

out = sys.argv[1]
buf = io.BytesIO()
scipy.io.savemat(buf, {"zeros": np.zeros((2000, 1000))}, do_compression=True)
data = buf.getvalue()
open(f"{out}/zeros_compressed.mat", "wb").write(data)

header, (mtype, nbytes) = data[:128], struct.unpack("<II", data[128:136])
assert mtype == 15, mtype
inner = bytearray(zlib.decompress(data[136:136 + nbytes]))
assert struct.unpack("<I", inner[:4])[0] == 14
inner[4:8] = struct.pack("<I", 0xFFFFFF00)
packed = zlib.compress(bytes(inner))
open(f"{out}/bomb.mat", "wb").write(header + struct.pack("<II", 15, len(packed)) + packed)
print(len(data), "bytes compressed for", 2000 * 1000 * 8, "bytes of doubles")
