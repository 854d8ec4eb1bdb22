#!/usr/bin/env python3
"""scaling_model.py — what data-parallel training on N machines can gain, from
measured numbers (README "Training on many processes").

  scripts/dev/scaling_model.py [--bin build/rnnscope] [--threads 1] [--hidden 512,1024]
                               [--seq 50] [--batch-per-rank 25] [--latency-us 20]

Measures, with `rnnscope bench --json`, one process's training speed r (tokens/s
at --threads, the char LSTM of `make bench`: E=64, 2 layers, B=50, T=50) and the
parameter count at each hidden size, then models a ring allreduce of the
gradient (4 bytes a parameter) over N machines:

  t_ar(N) = 2 (N-1)/N * bytes / bandwidth + 2 (N-1) * latency
  t_c     = b * T / r                      (one rank's step on b streams)
  speedup = N * t_c / (t_c + t_ar(N))      (a fixed batch per rank, no overlap)

and prints, per size and link speed (10, 25, 100 Gb/s), the allreduce time at
N = 8, the speedup at N = 2, 4, 8, 16, 32, 64, and b_half: the streams per rank
below which the allreduce takes longer than the compute (efficiency under 50%:
adding ranks has stopped paying), at N = 64. Assumes every machine computes at
the measured r and the allreduce does not overlap the backward.
"""
import argparse
import json
import subprocess
import sys


def measure(binary, hidden, threads):
    out = subprocess.run([binary, "bench", "--json", "--hidden", hidden, "--threads", str(threads), "--steps", "20"],
                         check=True, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {r["hidden"]: r for r in rows if r.get("kind") == "model"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/rnnscope")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--hidden", default="512,1024")
    ap.add_argument("--seq", type=int, default=50)
    ap.add_argument("--batch-per-rank", type=int, default=25)
    ap.add_argument("--latency-us", type=float, default=20.0)
    a = ap.parse_args()
    models = measure(a.bin, a.hidden, a.threads)
    ns = [2, 4, 8, 16, 32, 64]
    print(f"measured with {a.bin} bench --threads {a.threads}; b = {a.batch_per_rank} streams per rank, "
          f"T = {a.seq}, latency {a.latency_us:g} us per ring message\n")
    print("| H | params | r (tok/s) | link | t_ar at N=8 | t_c | " + " | ".join(f"N={n}" for n in ns) +
          " | b_half at N=64 |")
    print("|---|---|---|---|---|---|" + "---|" * len(ns) + "---|")
    for h in sorted(models):
        m = models[h]
        r, nbytes = m["tokens_per_s"], 4.0 * m["params"]
        t_c = a.batch_per_rank * a.seq / r
        for gbit in (10, 25, 100):
            bw = gbit * 1e9 / 8

            def t_ar(n):
                return 2 * (n - 1) / n * nbytes / bw + 2 * (n - 1) * a.latency_us * 1e-6

            speed = [n * t_c / (t_c + t_ar(n)) for n in ns]
            b_half = t_ar(64) * r / a.seq
            print(f"| {h} | {m['params'] / 1e6:.2f}M | {r:.0f} | {gbit} Gb/s | {t_ar(8) * 1e3:.1f} ms | "
                  f"{t_c * 1e3:.0f} ms | " + " | ".join(f"{s:.1f}x" for s in speed) + f" | {b_half:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
