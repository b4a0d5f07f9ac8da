#!/usr/bin/python3
"""Training speed, side by side: axial's step (build/bench/bench_train) and the paper's own PyTorch step
(../shared/reference/paper-train-step/ref_train.py), run interleaved in the same session, several rounds.

  /usr/bin/python3 bench/bench_train_vs_paper.py [--rounds 5] [--threads 2] [--batch 64] [--steps 5]
        [--cases beta,fd,exact,fd-k1,fd-k2] [--bench build/bench/bench_train] [--reference DIR]

Each round runs, in order, for every case: axial's bench_train for that case (one process, 1 warm-up step, N timed
steps, the median), then — for beta and fd, the two steps the paper has — ref_train.py with the same batch, steps and
threads (--gamma 0 / 0.1). Prints, per case, min/median/max ms/step of both over the rounds and the speed-up
(reference ms / axial ms: median of the per-round ratios, and min/max). The cases without a counterpart in the paper
(exact, k columns) are compared with the paper's JL1 fd step of the same round: that is the step they replace.
Needs Debian's python3-torch (the same libtorch_cpu as axial). Do not run it beside other work: it times.
"""
import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--rounds", type=int, default=5)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--steps", type=int, default=5)
p.add_argument("--cases", default="beta,fd,exact,fd-k1,fd-k2")
p.add_argument("--bench", default=os.path.join(ROOT, "build", "bench", "bench_train"))
p.add_argument("--reference", default=os.path.join(ROOT, "..", "shared", "reference", "paper-train-step"))
a = p.parse_args()
cases = [c for c in a.cases.split(",") if c]
known = {"beta", "fd", "exact", "fd-k1", "fd-k2", "exact-k2"}
for c in cases:
    if c not in known:
        sys.exit(f"bench_train_vs_paper: --cases: '{c}' is not one of {', '.join(sorted(known))}")
if a.rounds < 1 or a.steps < 1 or a.threads < 1 or a.batch < 1:
    sys.exit("bench_train_vs_paper: --rounds, --steps, --threads and --batch must be >= 1")
ref_script = os.path.join(a.reference, "ref_train.py")
for path in (a.bench, ref_script):
    if not os.path.exists(path):
        sys.exit(f"bench_train_vs_paper: {path} does not exist (build axial first; --reference names the "
                 "paper-train-step folder)")
env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))


def axial_ms(case):
    out = subprocess.run([a.bench, "--case", case, "--threads", str(a.threads), "--steps", str(a.steps), "--batch",
                          str(a.batch), "--median-only"], check=True, capture_output=True, text=True, env=env).stdout
    key, ms = out.split()
    assert key == case, out
    return float(ms)


def ref_ms(gamma):
    out = subprocess.run([sys.executable, ref_script, "--gamma", str(gamma), "--batch", str(a.batch), "--steps",
                          str(a.steps), "--warmup", "1", "--threads", str(a.threads)], check=True,
                         capture_output=True, text=True, env=env).stdout
    return float(out.split()[-1])


ours = {c: [] for c in cases}
ref = {"beta": [], "fd": []}
need_ref_fd = any(c != "beta" for c in cases)
for r in range(a.rounds):
    for c in cases:
        ours[c].append(axial_ms(c))
        print(f"round {r + 1}/{a.rounds}: axial {c} {ours[c][-1]:.1f} ms", file=sys.stderr, flush=True)
        if c in ("beta", "fd"):
            ref[c].append(ref_ms(0 if c == "beta" else 0.1))
            print(f"round {r + 1}/{a.rounds}: paper {c} {ref[c][-1]:.1f} ms", file=sys.stderr, flush=True)
    if need_ref_fd and "fd" not in cases:
        ref["fd"].append(ref_ms(0.1))

print(f"bench_train_vs_paper: batch {a.batch}, {a.threads} thread(s), {a.steps} timed steps per process, "
      f"{a.rounds} interleaved rounds; ms/step min / median / max; speed-up = paper ms / axial ms per round")
print("| case | axial ms/step | paper ms/step (its step) | speed-up median (min–max) |")
print("|---|---|---|---|")
fmt = lambda v: f"{min(v):.0f} / {statistics.median(v):.0f} / {max(v):.0f}"
for c in cases:
    against = "beta" if c == "beta" else "fd"
    ratios = [rv / ov for rv, ov in zip(ref[against], ours[c])]
    label = "β-VAE" if against == "beta" else "JL1 fd"
    print(f"| {c} | {fmt(ours[c])} | {fmt(ref[against])} ({label}) | {statistics.median(ratios):.2f}× "
          f"({min(ratios):.2f}–{max(ratios):.2f}) |")
