"""Writes tests/BioXBridge.Tests/Fixtures/models/synthetic_weights.npy: the closed-form weights of three tensor names,
so the C# twin (SyntheticWeights.cs) is checked against this implementation. Run with Debian's /usr/bin/python3."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from synthetic_weights import values  # noqa: E402

out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "BioXBridge.Tests", "Fixtures", "models")
os.makedirs(out, exist_ok=True)
rows = [values("encoder.layers.0.attention.q_proj.weight", 64),
        values("first_block_bn.weight", 64, unit_offset=True),
        values("basicblock_list.3.bn2.running_var", 64, positive=True)]
np.save(os.path.join(out, "synthetic_weights.npy"), np.stack(rows))
