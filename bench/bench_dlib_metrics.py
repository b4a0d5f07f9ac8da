#!/usr/bin/env python3
"""Side-by-side speed of axial's DCI, IRS and unsupervised scores against the re-typed disentanglement_lib
functions (bench/reference/dlib_reference.py, numpy/scipy/sklearn from Debian: apt install python3-sklearn), in the
same run, interleaved, on N = 10,000 train (+ 5,000 test for DCI) codes, L = 10, K = 6 factors with 64 values.
Prints min/median/max seconds of both and the ratio of the medians per metric, and the values of both.

  /usr/bin/python3 bench/bench_dlib_metrics.py [--build build] [--rounds 3] [--dci-rounds 1 (0 = skip DCI)] [--threads 1]

axial is timed twice: as the whole `axial score` process (start-up and file read included) and, where the Python
module is built (BUILD/python), as the in-process call `axial.score(codes, factors, metrics=(m,))` on the same arrays
(numpy conversion and the input's sha256 included) — the like-for-like comparison with the reference function call.
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
    sys.path.insert(0, os.path.join(a.build, "python"))
    try:
        import axial as module
    except ImportError:
        module = None
    mus, y = z[:ntr].T, ys[:ntr].T

    def run_axial(metric, path, extra=()):
        t = time.perf_counter()
        out = subprocess.run([axial, "score", "--codes", path, "--metrics", metric, "--threads", str(a.threads),
                              "--format", "json", *extra], capture_output=True, text=True, check=True).stdout
        return time.perf_counter() - t, json.loads(out)

    def in_process(metric, codes, factors, extra=None):
        if module is None:
            return None
        def f():
            t = time.perf_counter()
            out = module.score(codes, factors, metrics=(metric,), threads=a.threads, **(extra or {}))
            return time.perf_counter() - t, out
        return f

    cases = [
        ("dci", a.dci_rounds,
         lambda: run_axial("dci", full, ["--num-train", str(ntr)]), None,  # minutes: start-up does not count
         lambda: (np.random.seed(0), R.compute_dci(z[:ntr].T, ys[:ntr].T, z[ntr:].T, ys[ntr:].T))[1],
         lambda o: o["dci_disentanglement"], lambda r: r["disentanglement"]),
        ("irs", a.rounds, lambda: run_axial("irs", train), in_process("irs", z[:ntr], ys[:ntr]),
         lambda: R.compute_irs(mus, y),
         lambda o: o["irs"], lambda r: r["IRS"]),
        ("unsupervised", a.rounds, lambda: run_axial("unsupervised", train), in_process("unsupervised", z[:ntr], ys[:ntr]),
         lambda: R.unsupervised_metrics(mus),
         lambda o: o["gaussian_total_correlation"], lambda r: r["gaussian_total_correlation"]),
    ]
    print(f"bench_dlib_metrics: N={ntr} (+{nte} test for DCI), L={L}, K={K} (64 values), axial --threads {a.threads}")
    print("ratio = reference median / axial median; 'in-process' = axial.score in this Python process"
          + ("" if module else " (not built: no BUILD/python/axial module)"))
    print(f"{'metric':<14} {'axial process min/med/max s':>30} {'in-process min/med/max s':>27} "
          f"{'reference min/med/max s':>28} {'ratio':>7} {'in-proc':>8}  values (axial, ref)")
    for name, rounds, fa, fi, fr, va, vr in cases:
        if rounds == 0:  # e.g. --dci-rounds 0: sklearn's booster alone takes ~20 min
            continue
        ta, ti, tr = [], [], []
        for _ in range(rounds):  # interleaved
            t, out = fa()
            ta.append(t)
            if fi is not None:
                t, out_i = fi()
                ti.append(t)
                assert va(out_i) == va(out), (name, va(out_i), va(out))
            t0 = time.perf_counter()
            ref = fr()
            tr.append(time.perf_counter() - t0)
        fmt = lambda v: f"{min(v):.4f}/{statistics.median(v):.4f}/{max(v):.4f}" if v else "-"
        ratio_i = f"{statistics.median(tr) / statistics.median(ti):.1f}x" if ti else "-"
        print(f"{name:<14} {fmt(ta):>30} {fmt(ti):>27} {fmt(tr):>28} {statistics.median(tr) / statistics.median(ta):>6.1f}x "
              f"{ratio_i:>8}  {va(out):.6g}, {vr(ref):.6g}")


if __name__ == "__main__":
    main()
