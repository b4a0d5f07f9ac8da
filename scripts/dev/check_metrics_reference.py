#!/usr/bin/python3
"""Dev-time check (never run by tests/CI): compares `axial score` with disentanglement_lib's metric formulas,
re-typed here on numpy 1.24 / scikit-learn 1.2.1 (Debian's /usr/bin/python3).

  /usr/bin/python3 scripts/dev/check_metrics_reference.py BUILD_DIR/src/axial [--cases 40] [--time FILE.h5]

Random inputs cover float32 and float64 codes, ties, edge-exact values, constant latents, constant factors, many
classes and arbitrary integer labels. Prints the max absolute difference per quantity; exit 1 if over tolerance.
With --time FILE.h5 (written by bench_metrics --write), times the reference on the bench data instead.
"""
import argparse, json, os, subprocess, sys, tempfile, time
import numpy as np
import h5py
import sklearn.metrics
from sklearn import linear_model, preprocessing, svm


# ---- disentanglement_lib formulas (utils.py, mig.py, modularity_explicitness.py, sap_score.py) ----
def histogram_discretize(target, num_bins):
    discretized = np.zeros_like(target)
    for i in range(target.shape[0]):
        discretized[i, :] = np.digitize(target[i, :], np.histogram(target[i, :], num_bins)[1][:-1])
    return discretized


def discrete_mutual_info(mus, ys):
    m = np.zeros([mus.shape[0], ys.shape[0]])
    for i in range(mus.shape[0]):
        for j in range(ys.shape[0]):
            m[i, j] = sklearn.metrics.mutual_info_score(ys[j, :], mus[i, :])
    return m


def discrete_entropy(ys):
    return np.array([sklearn.metrics.mutual_info_score(ys[j, :], ys[j, :]) for j in range(ys.shape[0])])


def compute_mig(mus, ys, num_bins):
    m = discrete_mutual_info(histogram_discretize(mus, num_bins), ys)
    entropy = discrete_entropy(ys)
    sorted_m = np.sort(m, axis=0)[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.divide(sorted_m[0, :] - sorted_m[1, :], entropy[:])
    keep = entropy > 0  # axial skips zero-entropy factors (disentanglement_lib would give nan)
    mig = np.mean(per[keep]) if keep.any() else float("nan")
    return mig, m, entropy, per


def modularity(mutual_information):
    squared_mi = np.square(mutual_information)
    max_squared_mi = np.max(squared_mi, axis=1)
    numerator = np.sum(squared_mi, axis=1) - max_squared_mi
    denominator = max_squared_mi * (squared_mi.shape[1] - 1.)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = numerator / denominator
    modularity_score = 1. - delta
    index = (max_squared_mi == 0.)
    modularity_score[index] = 0.
    return np.mean(modularity_score), modularity_score


def normalize_data(data, mean=None, stddev=None):
    if mean is None:
        mean = np.mean(data, axis=1)
    if stddev is None:
        stddev = np.std(data, axis=1)
    return (data - mean[:, np.newaxis]) / stddev[:, np.newaxis], mean, stddev


def explicitness_per_factor(mus_train, y_train, mus_test, y_test):
    x_train = np.transpose(mus_train)
    x_test = np.transpose(mus_test)
    clf = linear_model.LogisticRegression(solver="liblinear", multi_class="ovr").fit(x_train, y_train)
    y_pred_train = clf.predict_proba(x_train)
    y_pred_test = clf.predict_proba(x_test)
    mlb = preprocessing.MultiLabelBinarizer()
    roc_train = sklearn.metrics.roc_auc_score(mlb.fit_transform(np.expand_dims(y_train, 1)), y_pred_train)
    roc_test = sklearn.metrics.roc_auc_score(mlb.fit_transform(np.expand_dims(y_test, 1)), y_pred_test)
    return roc_train, roc_test


def compute_explicitness(mus_train, ys_train, mus_test, ys_test):
    mus_train_norm, mean_mus, stddev_mus = normalize_data(mus_train)
    mus_test_norm, _, _ = normalize_data(mus_test, mean_mus, stddev_mus)
    tr, te = [], []
    for i in range(ys_train.shape[0]):
        a, b = explicitness_per_factor(mus_train_norm, ys_train[i, :], mus_test_norm, ys_test[i, :])
        tr.append(a)
        te.append(b)
    return np.mean(tr), np.mean(te)


def compute_sap(mus, ys, mus_test, ys_test):
    score_matrix = np.zeros([mus.shape[0], ys.shape[0]])
    for i in range(mus.shape[0]):
        for j in range(ys.shape[0]):
            classifier = svm.LinearSVC(C=0.01, class_weight="balanced")
            classifier.fit(mus[i, :][:, np.newaxis], ys[j, :])
            pred = classifier.predict(mus_test[i, :][:, np.newaxis])
            score_matrix[i, j] = np.mean(pred == ys_test[j, :])
    sorted_matrix = np.sort(score_matrix, axis=0)
    return np.mean(sorted_matrix[-1, :] - sorted_matrix[-2, :]), score_matrix


# ---- random cases ----
def make_case(rng, i):
    n = int(rng.integers(50, 3000))
    L = int(rng.integers(2, 9))
    K = int(rng.integers(1, 6))
    sizes = [int(rng.choice([2, 3, 5, 10, 40, 64])) for _ in range(K)]
    ys = np.stack([rng.integers(0, s, size=n) for s in sizes])
    # arbitrary integer labels (negative, gaps) for some factors
    for k in range(K):
        if rng.random() < 0.3:
            ys[k] = ys[k] * 7 - 11
    dtype = np.float32 if i % 2 == 0 else np.float64
    mix = rng.standard_normal((L, K))
    z = mix @ ys.astype(np.float64) / np.maximum(1, ys.std(axis=1, keepdims=True).max()) + rng.standard_normal((L, n))
    kind = i % 5
    if kind == 1:  # ties: coarse rounding
        z = np.round(z, 1)
    if kind == 2:  # edge-exact: integers 0..20 and 20 bins → every edge is a value
        z = rng.integers(0, 21, size=(L, n)).astype(np.float64)
        z[:, 0] = 0
        z[:, 1] = 20
    if kind == 3:  # a constant latent and a constant factor
        z[0, :] = 1.25
        ys[0, :] = 3
    if kind == 4:  # tiny range, float32 rounding matters
        z = 1.0 + 1e-6 * z
    return z.astype(dtype), ys


def write_h5(path, z, ys):
    with h5py.File(path, "w") as f:
        f["codes"] = np.ascontiguousarray(z.T)
        f["factors"] = np.ascontiguousarray(ys.T).astype(np.int64)


def run_axial(axial, args):
    out = subprocess.run([axial, "score"] + args + ["--format", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout)


def nan_to_none(a):
    return [None if (isinstance(v, float) and np.isnan(v)) else v for v in a]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("axial")
    ap.add_argument("--cases", type=int, default=40)
    ap.add_argument("--time", default=None)
    args = ap.parse_args()
    if args.time:
        return time_reference(args.time)
    rng = np.random.default_rng(20261128)
    worst = {"mig": 0.0, "mutual_info": 0.0, "factor_entropy": 0.0, "modularity": 0.0, "labels": 0,
             "explicitness_train": 0.0, "explicitness_test": 0.0, "sap": 0.0, "local_mig": 0.0,
             "local_modularity": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.cases):
            z, ys = make_case(rng, i)
            n = z.shape[1]
            path = os.path.join(tmp, f"case{i}.h5")
            write_h5(path, z, ys)
            ntr = int(np.ceil(0.8 * n))
            explicit_ok = all(len(np.unique(ys[k, :ntr])) >= 2 and set(np.unique(ys[k, ntr:])) == set(np.unique(ys[k, :ntr]))
                              for k in range(ys.shape[0]))
            metrics = "mig,modularity" + (",explicitness,sap" if explicit_ok else "")
            got = run_axial(args.axial, ["--codes", path, "--metrics", metrics])
            mig, m, h, per = compute_mig(z, ys, 20)
            worst["mutual_info"] = max(worst["mutual_info"], np.abs(np.array(got["mutual_info"]) - m).max())
            worst["factor_entropy"] = max(worst["factor_entropy"], np.abs(np.array(got["factor_entropy"]) - h).max())
            if got["mig"] is None:
                assert np.isnan(mig), (i, mig)
            else:
                worst["mig"] = max(worst["mig"], abs(got["mig"] - mig))
            mod, _ = modularity(m)
            if ys.shape[0] > 1:
                worst["modularity"] = max(worst["modularity"], abs(got["modularity"] - mod))
            if explicit_ok:
                e_tr, e_te = compute_explicitness(z[:, :ntr], ys[:, :ntr],
                                                  z[:, ntr:], ys[:, ntr:])
                worst["explicitness_train"] = max(worst["explicitness_train"], abs(got["explicitness_train"] - e_tr))
                worst["explicitness_test"] = max(worst["explicitness_test"], abs(got["explicitness_test"] - e_te))
                if z.shape[0] >= 2:
                    np.random.seed(0)  # axial's SAP draws liblinear's seeds as sklearn does after this
                    sap, _ = compute_sap(z[:, :ntr], ys[:, :ntr], z[:, ntr:], ys[:, ntr:])
                    worst["sap"] = max(worst["sap"], abs(got["sap"] - sap))
            # local: split the case into 3 clusters, 5 bins
            cpath = os.path.join(tmp, f"clusters{i}.h5")
            parts = np.array_split(np.arange(n), 3)
            with h5py.File(cpath, "w") as f:
                for c, idx in enumerate(parts):
                    f[f"cluster_{c}/codes"] = np.ascontiguousarray(z[:, idx].T)
                    f[f"cluster_{c}/factors"] = np.ascontiguousarray(ys[:, idx].T).astype(np.int64)
            got = run_axial(args.axial, ["--clusters", cpath])
            lm, lmod = [], []
            for idx in parts:
                mg, mm, hh, _ = compute_mig(z[:, idx], ys[:, idx], 5)
                lm.append(mg)
                lmod.append(modularity(mm)[0])
            lm = np.array(lm)
            if np.isfinite(lm).any():
                worst["local_mig"] = max(worst["local_mig"], abs(got["local_mig"] - np.nanmean(lm)))
            if ys.shape[0] > 1:
                worst["local_modularity"] = max(worst["local_modularity"], abs(got["local_modularity"] - np.mean(lmod)))
            print(f"case {i}: n={n} L={z.shape[0]} K={ys.shape[0]} dtype={z.dtype} ok", flush=True)
    tol = {"mig": 1e-12, "mutual_info": 1e-12, "factor_entropy": 1e-12, "modularity": 1e-12,
           "explicitness_train": 1e-4, "explicitness_test": 1e-4, "sap": 1e-12, "local_mig": 1e-12,
           "local_modularity": 1e-12, "labels": 0}
    bad = False
    for k, v in worst.items():
        flag = "OK" if v <= tol[k] else "OVER TOLERANCE"
        bad |= v > tol[k]
        print(f"max |axial - reference| {k:20s} {v:.3e}  (tolerance {tol[k]:g}) {flag}")
    return 1 if bad else 0


def time_reference(path):
    with h5py.File(path, "r") as f:
        z = f["codes"][()].T
        ys = f["factors"][()].T
        clusters = []
        i = 0
        while f"clusters/cluster_{i}" in f:
            clusters.append((f[f"clusters/cluster_{i}/codes"][()].T, f[f"clusters/cluster_{i}/factors"][()].T))
            i += 1
    n = z.shape[1]
    ntr = int(np.ceil(0.8 * n))
    t = time.perf_counter(); m = discrete_mutual_info(histogram_discretize(z, 20), ys); h = discrete_entropy(ys)
    t_mig = time.perf_counter() - t
    t = time.perf_counter(); modularity(discrete_mutual_info(histogram_discretize(z, 20), ys)); t_mod = time.perf_counter() - t
    t = time.perf_counter()
    for cz, cy in clusters:
        compute_mig(cz, cy, 5)
    t_lmig = time.perf_counter() - t
    t = time.perf_counter()
    for cz, cy in clusters:
        modularity(discrete_mutual_info(histogram_discretize(cz, 5), cy))
    t_lmod = time.perf_counter() - t
    t = time.perf_counter(); e = compute_explicitness(z[:, :ntr], ys[:, :ntr], z[:, ntr:], ys[:, ntr:]); t_exp = time.perf_counter() - t
    t = time.perf_counter(); s, _ = compute_sap(z[:, :ntr], ys[:, :ntr], z[:, ntr:], ys[:, ntr:]); t_sap = time.perf_counter() - t
    print(f"reference seconds: mig {t_mig:.3f}  modularity {t_mod:.3f}  local_mig({len(clusters)} clusters) {t_lmig:.3f}  "
          f"local_modularity {t_lmod:.3f}  explicitness {t_exp:.3f}  sap {t_sap:.3f}")
    print(f"reference values: explicitness {e}  sap {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
