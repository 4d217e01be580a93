#!/usr/bin/env python3
"""Fits the pool-sparsity model of core/network_model.cpp on real ReLU outputs.

Max-pools every ReLU6 output of ../shared/data/ssd_mobilenetv1 (NHWC) whose maps are at least
16x16 (windows 2x2/2, 3x3/2, 3x3/1, no padding) and compares the measured fraction of zero windows
with the model  P_pool = max(s**n, s * n**(-b))  (s: input sparsity, n: window elements),
fitting b by least squares. Prints b, the model's RMSE and worst error, and those of the old
upper bound P_pool = s. Needs Debian's python3-numpy: run with /usr/bin/python3.
"""
import glob
import os
import sys

import numpy as np

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "ssd_mobilenetv1")
WINDOWS = [(2, 2), (3, 2), (3, 1)]  # (kernel, stride)


def maxpool(x, k, s):
    c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.full((c, oh, ow), -np.inf, dtype=x.dtype)
    for dy in range(k):
        for dx in range(k):
            out = np.maximum(out, x[:, dy:dy + s * oh:s, dx:dx + s * ow:s])
    return out


def main():
    samples = []  # (s, n, measured)
    for path in sorted(glob.glob(os.path.join(DATA, "*relu6.npy"))):
        x = np.load(path).astype(np.float32)
        x = np.transpose(x[0], (2, 0, 1))  # NHWC (../shared/data/README.md) -> CHW
        if max(x.shape[1:]) < 16:
            continue
        s = float((x == 0).mean())
        for k, stride in WINDOWS:
            samples.append((s, k * k, float((maxpool(x, k, stride) == 0).mean())))
    if not samples:
        sys.exit("no tensors found under " + DATA)
    s, n, p = (np.array(v) for v in zip(*samples))

    def model(b):
        return np.maximum(s ** n, s * n ** (-b))

    bs = np.linspace(0, 1, 1001)
    errs = [np.sqrt(np.mean((model(b) - p) ** 2)) for b in bs]
    b = bs[int(np.argmin(errs))]
    e = model(b) - p
    u = s - p
    print(f"{len(samples)} pooled tensors from {len(samples) // len(WINDOWS)} ReLU6 outputs")
    print(f"fitted exponent b = {b:.3f}: RMSE {np.sqrt(np.mean(e ** 2)):.3f}, worst {np.max(np.abs(e)):.3f}")
    print(f"upper bound P = s:       RMSE {np.sqrt(np.mean(u ** 2)):.3f}, worst {np.max(np.abs(u)):.3f}")


if __name__ == "__main__":
    main()
