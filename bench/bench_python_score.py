#!/usr/bin/python3
"""axial.score(..., metrics=("mig", "modularity")) against disentanglement_lib's _compute_mig + modularity, in the
same Python process, on the same arrays (10,000 points x 10 codes, 6 factors; issue 18's target: >= 30x faster).

    PYTHONPATH=build/python /usr/bin/python3 bench/bench_python_score.py [--repeats 10] [--n 10000]

disentanglement_lib's formulas are re-typed below (utils.histogram_discretize, discrete_mutual_info,
discrete_entropy; mig._compute_mig; modularity_explicitness.modularity), with sklearn.metrics.mutual_info_score as
they call it when scikit-learn is installed (else the same formula re-typed on numpy contingency tables). Runs the two
interleaved, one call of each per round, and prints min/median/max of each and the ratio, and the two MIG/modularity values (they must agree to ~1e-12). Not run by CTest;
time only on a machine nobody else is using.
"""
import argparse
import statistics
import time

import numpy as np

import axial

try:
    from sklearn.metrics import mutual_info_score
    MI_SOURCE = "sklearn.metrics.mutual_info_score"
except ImportError:  # the same definition (natural-log MI of the contingency table), re-typed
    MI_SOURCE = "numpy re-type of sklearn's mutual_info_score"

    def mutual_info_score(labels_true, labels_pred):
        _, a = np.unique(labels_true, return_inverse=True)
        _, b = np.unique(labels_pred, return_inverse=True)
        table = np.zeros((a.max() + 1, b.max() + 1))
        np.add.at(table, (a, b), 1)
        n = table.sum()
        nz = table > 0
        pij = table[nz] / n
        pi = table.sum(axis=1, keepdims=True) / n
        pj = table.sum(axis=0, keepdims=True) / n
        return float(np.sum(pij * (np.log(pij) - np.log((pi @ pj)[nz]))))


# ---- disentanglement_lib (utils.py, mig.py, modularity_explicitness.py), arrays (num_codes, num_points) ----
def histogram_discretize(target, num_bins=20):
    discretized = np.zeros_like(target)
    for i in range(target.shape[0]):
        discretized[i, :] = np.digitize(target[i, :], np.histogram(target[i, :], num_bins)[1][:-1])
    return discretized


def discrete_mutual_info(mus, ys):
    num_codes, num_factors = mus.shape[0], ys.shape[0]
    m = np.zeros([num_codes, num_factors])
    for i in range(num_codes):
        for j in range(num_factors):
            m[i, j] = mutual_info_score(ys[j, :], mus[i, :])
    return m


def discrete_entropy(ys):
    num_factors = ys.shape[0]
    h = np.zeros(num_factors)
    for j in range(num_factors):
        h[j] = mutual_info_score(ys[j, :], ys[j, :])
    return h


def _compute_mig(mus_train, ys_train, num_bins=20):
    score_dict = {}
    discretized_mus = histogram_discretize(mus_train, num_bins)
    m = discrete_mutual_info(discretized_mus, ys_train)
    assert m.shape[0] == mus_train.shape[0]
    assert m.shape[1] == ys_train.shape[0]
    entropy = discrete_entropy(ys_train)
    sorted_m = np.sort(m, axis=0)[::-1]
    score_dict["discrete_mig"] = np.mean(np.divide(sorted_m[0, :] - sorted_m[1, :], entropy[:]))
    return score_dict


def modularity(mutual_information):
    squared_mi = np.square(mutual_information)
    max_squared_mi = np.max(squared_mi, axis=1)
    numerator = np.sum(squared_mi, axis=1) - max_squared_mi
    denominator = max_squared_mi * (squared_mi.shape[1] - 1.)
    delta = numerator / denominator
    modularity_score = 1. - delta
    index = (max_squared_mi == 0.)
    modularity_score[index] = 0.
    return np.mean(modularity_score)


def reference(mus, ys, num_bins=20):
    """What disentanglement_lib computes for MIG + modularity (modularity_explicitness re-discretises)."""
    mig = _compute_mig(mus, ys, num_bins)["discrete_mig"]
    mi = discrete_mutual_info(histogram_discretize(mus, num_bins), ys)
    return mig, modularity(mi)


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--latents", type=int, default=10)
    ap.add_argument("--factors", type=int, default=6)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0, help="axial threads (0 = all cores)")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    ys = rng.integers(0, 64, size=(args.n, args.factors))
    mix = rng.normal(size=(args.factors, args.latents))
    codes = (ys @ mix + 5.0 * rng.normal(size=(args.n, args.latents))).astype(np.float32)

    run_axial = lambda: axial.score(codes, ys, metrics=("mig", "modularity"), threads=args.threads)
    # disentanglement_lib takes (num_codes, num_points) arrays; the transposes are views.
    run_ref = lambda: reference(codes.T, ys.T)
    run_axial()  # warm-up (first-call setup)
    t_axial, t_ref = [], []
    for _ in range(args.repeats):  # interleaved: one call of each per round
        t, got = median_time(run_axial, 1)
        t_axial.append(t)
        t, (mig, mod) = median_time(run_ref, 1)
        t_ref.append(t)
    def mmm(ts):
        return f"min {min(ts) * 1e3:.2f} / median {statistics.median(ts) * 1e3:.2f} / max {max(ts) * 1e3:.2f} ms"
    print(f"data: {args.n} points x {args.latents} codes (float32), {args.factors} factors of 64 values; "
          f"{args.repeats} interleaved rounds")
    print(f"axial {axial.__version__}: axial.score(metrics=('mig', 'modularity'), threads={args.threads}): "
          f"{mmm(t_axial)}")
    print(f"disentanglement_lib re-typed (_compute_mig + modularity, {MI_SOURCE}): {mmm(t_ref)}")
    ratios = sorted(r / a for r, a in zip(t_ref, t_axial))
    print(f"ratio of medians: {statistics.median(t_ref) / statistics.median(t_axial):.1f}x "
          f"(per round: min {ratios[0]:.1f}x, max {ratios[-1]:.1f}x)")
    print(f"mig: axial {got['mig']!r}, reference {mig!r} (diff {abs(got['mig'] - mig):.2e})")
    print(f"modularity: axial {got['modularity']!r}, reference {mod!r} (diff {abs(got['modularity'] - mod):.2e})")


if __name__ == "__main__":
    main()
