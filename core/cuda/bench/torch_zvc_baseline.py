#!/usr/bin/env python3
"""PyTorch baseline for bench_gpu_zvc: x[x != 0] plus the non-zero mask packed to 32-bit words,
on an fp32 CUDA tensor. Prints the throughput in GB/s of uncompressed bytes, or a reason and
exit code 3 when Python lacks PyTorch or PyTorch lacks CUDA.
Usage: torch_zvc_baseline.py ELEMENTS SPARSITY"""
import sys

try:
    import torch
except ImportError:
    print("PyTorch is not installed for python3")
    sys.exit(3)
if not torch.cuda.is_available():
    print("PyTorch has no CUDA device")
    sys.exit(3)

n = int(sys.argv[1])
sparsity = float(sys.argv[2])
padded = (n + 31) // 32 * 32
x = torch.rand(n, device="cuda")
x = torch.where(x < sparsity, torch.zeros_like(x), x + 0.25)
shifts = (torch.ones(32, dtype=torch.int64, device="cuda") << torch.arange(32, device="cuda"))


def compress():
    nz = x != 0
    values = x[nz]
    bits = torch.nn.functional.pad(nz, (0, padded - n)).view(-1, 32).to(torch.int64)
    mask = (bits * shifts).sum(dim=1).to(torch.int64)  # one packed 32-bit word per group
    return values, mask


compress()
torch.cuda.synchronize()
times = []
for _ in range(11):
    start = torch.cuda.Event(enable_timing=True)
    stop = torch.cuda.Event(enable_timing=True)
    start.record()
    compress()
    stop.record()
    stop.synchronize()
    times.append(start.elapsed_time(stop) / 1e3)
times.sort()
print(f"{n * 4 / times[len(times) // 2] / 1e9:.1f}")
