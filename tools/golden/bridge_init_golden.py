"""Writes tests/BioXBridge.Tests/Fixtures/bridge/release_init_{A,prototypes}.npy: the initial A and prototypes of the release's
prototype bridge (class protoLRFC in chenqi-li/BioX-Bridge train_bridge.py) for one small shape, drawn by PyTorch
itself from torch.manual_seed(11) in the order the release's constructor draws them: A = zeros(r, d_in) and
B = zeros(N_p·N_l, r) allocated, kaiming_uniform_(A, a=√5), zeros_(B), then prototypes = randn(d_l, N_p).
PrototypeBridgeTests checks that our bridge, built from the same seed, holds these values (A transposed, P transposed).
Run with Debian's /usr/bin/python3 (torch 1.13)."""
import math
import os

import numpy as np
import torch

d_in, r, n_p, n_l, d_l = 6, 3, 4, 5, 2
torch.manual_seed(11)
a = torch.nn.Parameter(torch.zeros(r, d_in))
b = torch.nn.Parameter(torch.zeros(n_p * n_l, r))
torch.nn.init.kaiming_uniform_(a, a=math.sqrt(5))
torch.nn.init.zeros_(b)
prototypes = torch.nn.Parameter(torch.randn(d_l, n_p))

out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "BioXBridge.Tests", "Fixtures", "bridge")
os.makedirs(out, exist_ok=True)
np.save(os.path.join(out, "release_init_A.npy"), a.detach().numpy())  # (r, d_in) = (3, 6)
np.save(os.path.join(out, "release_init_prototypes.npy"), prototypes.detach().numpy())  # (d_l, N_p) = (2, 4)
print(a, prototypes, sep="\n")
