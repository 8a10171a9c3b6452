#!/usr/bin/env python3
"""PyTorch's F.conv_transpose2d(x, w, b, stride=2, padding=1) with a 4x4 kernel, the counterpart of
vqvae-bench's UpsampleBenchmark, at the same shapes and threads: forward (no autograd) and forward
plus backward of a given output gradient into fresh leaves x, w, b.

usage: torch_upsample.py --threads 2 --reps 5 --shapes N,C,F,H,W [N,C,F,H,W ...]
Prints one JSON line: {"peer": "pytorch-eager VERSION", "shapes": [{"shape": [N,C,F,H,W],
"fwd_ms": best, "fwd_bwd_ms": best}, ...]}.
"""
import argparse, json, time
import torch
import torch.nn.functional as F


def best_ms(fn, reps):
    fn()  # warm-up: kernels chosen, memory cached
    times = []
    for _ in range(reps):
        times.append(fn())
    return min(times) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--shapes", nargs="+", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    rows = []
    for s in a.shapes:
        n, c, f, h, w = (int(v) for v in s.split(","))
        x = torch.randn(n, c, h, w)
        k = torch.randn(c, f, 4, 4) * 0.05
        b = torch.randn(f)
        g = torch.randn(n, f, 2 * h, 2 * w)

        def forward():
            with torch.no_grad():
                t = time.perf_counter()
                F.conv_transpose2d(x, k, b, stride=2, padding=1)
                return time.perf_counter() - t

        def forward_backward():
            xl, kl, bl = (v.clone().requires_grad_() for v in (x, k, b))
            t = time.perf_counter()
            F.conv_transpose2d(xl, kl, bl, stride=2, padding=1).backward(g)
            return time.perf_counter() - t

        rows.append({"shape": [n, c, f, h, w], "fwd_ms": best_ms(forward, a.reps),
                     "fwd_bwd_ms": best_ms(forward_backward, a.reps)})
    print(json.dumps({"peer": "pytorch-eager " + torch.__version__, "shapes": rows}))


if __name__ == "__main__":
    main()
