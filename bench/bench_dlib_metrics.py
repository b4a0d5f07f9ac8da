#!/usr/bin/env python3
"""Side-by-side speed of axial's DCI, IRS and unsupervised scores against the re-typed disentanglement_lib
functions (bench/reference/dlib_reference.py, numpy/scipy/sklearn from Debian: apt install python3-sklearn), in the
same run, interleaved, on N = 10,000 train (+ 5,000 test for DCI) codes, L = 10, K = 6 factors with 64 values.
Prints min/median/max seconds of both and the ratio of the medians per metric, and the values of both.

  /usr/bin/python3 bench/bench_dlib_metrics.py [--build build] [--rounds 3] [--dci-rounds 1] [--threads 1]

axial is timed as the whole `axial score` process (file read included); the reference as the function call alone.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference"))
import dlib_reference as R  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dci-rounds", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    rs = np.random.RandomState(20261202)
    ntr, nte, L, K = 10000, 5000, 10, 6
    ys = rs.randint(0, 64, size=(ntr + nte, K))
    z = np.concatenate([ys / 64.0 + 0.05 * rs.randn(ntr + nte, K), rs.randn(ntr + nte, L - K)], axis=1).astype(np.float32)
    tmp = tempfile.mkdtemp()
    full, train = os.path.join(tmp, "full.npz"), os.path.join(tmp, "train.npz")
    np.savez(full, codes=z, factors=ys)
    np.savez(train, codes=z[:ntr], factors=ys[:ntr])
    axial = os.path.join(a.build, "src", "axial")
    mus, y = z[:ntr].T, ys[:ntr].T

    def run_axial(metric, path, extra=()):
        t = time.perf_counter()
        out = subprocess.run([axial, "score", "--codes", path, "--metrics", metric, "--threads", str(a.threads),
                              "--format", "json", *extra], capture_output=True, text=True, check=True).stdout
        return time.perf_counter() - t, json.loads(out)

    cases = [
        ("dci", a.dci_rounds,
         lambda: run_axial("dci", full, ["--num-train", str(ntr)]),
         lambda: (np.random.seed(0), R.compute_dci(z[:ntr].T, ys[:ntr].T, z[ntr:].T, ys[ntr:].T))[1],
         lambda o: o["dci_disentanglement"], lambda r: r["disentanglement"]),
        ("irs", a.rounds, lambda: run_axial("irs", train), lambda: R.compute_irs(mus, y),
         lambda o: o["irs"], lambda r: r["IRS"]),
        ("unsupervised", a.rounds, lambda: run_axial("unsupervised", train), lambda: R.unsupervised_metrics(mus),
         lambda o: o["gaussian_total_correlation"], lambda r: r["gaussian_total_correlation"]),
    ]
    print(f"bench_dlib_metrics: N={ntr} (+{nte} test for DCI), L={L}, K={K} (64 values), axial --threads {a.threads}")
    print(f"{'metric':<14} {'axial min/med/max s':>26} {'reference min/med/max s':>28} {'ratio':>8}  values (axial, ref)")
    for name, rounds, fa, fr, va, vr in cases:
        ta, tr = [], []
        for _ in range(rounds):  # interleaved
            t, out = fa()
            ta.append(t)
            t0 = time.perf_counter()
            ref = fr()
            tr.append(time.perf_counter() - t0)
        fmt = lambda v: f"{min(v):.3f}/{statistics.median(v):.3f}/{max(v):.3f}"
        print(f"{name:<14} {fmt(ta):>26} {fmt(tr):>28} {statistics.median(tr) / statistics.median(ta):>7.1f}x  "
              f"{va(out):.6g}, {vr(ref):.6g}")


if __name__ == "__main__":
    main()
