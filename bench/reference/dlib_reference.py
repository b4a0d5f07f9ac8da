"""Re-typed disentanglement_lib metric cores (google-research/disentanglement_lib, Apache-2.0, commit 86a644d),
as ../shared/reference/dlib-metric-definitions.md spells them out. Used by bench/bench_metrics (timing beside axial)
and scripts/check-dlib-metrics (value cross-check). Inputs use the original's layout: mus (L, N), ys (K, N)."""
import numpy as np
import scipy
import scipy.linalg
import scipy.stats
from sklearn import ensemble, linear_model
from sklearn.metrics import mutual_info_score


def histogram_discretize(target, num_bins=20):
    discretized = np.zeros_like(target)
    for i in range(target.shape[0]):
        discretized[i, :] = np.digitize(target[i, :], np.histogram(target[i, :], num_bins)[1][:-1])
    return discretized


def discrete_mutual_info(mus, ys):
    num_codes = mus.shape[0]
    num_factors = ys.shape[0]
    m = np.zeros([num_codes, num_factors])
    for i in range(num_codes):
        for j in range(num_factors):
            m[i, j] = mutual_info_score(ys[j, :], mus[i, :])
    return m


# --- DCI -------------------------------------------------------------------------------------------------------
def compute_importance_gbt(x_train, y_train, x_test, y_test):
    num_factors = y_train.shape[0]
    num_codes = x_train.shape[0]
    importance_matrix = np.zeros(shape=[num_codes, num_factors], dtype=np.float64)
    train_loss = []
    test_loss = []
    for i in range(num_factors):
        model = ensemble.GradientBoostingClassifier()
        model.fit(x_train.T, y_train[i, :])
        importance_matrix[:, i] = np.abs(model.feature_importances_)
        train_loss.append(np.mean(model.predict(x_train.T) == y_train[i, :]))
        test_loss.append(np.mean(model.predict(x_test.T) == y_test[i, :]))
    return importance_matrix, np.mean(train_loss), np.mean(test_loss)


def disentanglement_per_code(importance_matrix):
    return 1. - scipy.stats.entropy(importance_matrix.T + 1e-11, base=importance_matrix.shape[1])


def disentanglement(importance_matrix):
    per_code = disentanglement_per_code(importance_matrix)
    if importance_matrix.sum() == 0.:
        importance_matrix = np.ones_like(importance_matrix)
    code_importance = importance_matrix.sum(axis=1) / importance_matrix.sum()
    return np.sum(per_code * code_importance)


def completeness_per_factor(importance_matrix):
    return 1. - scipy.stats.entropy(importance_matrix + 1e-11, base=importance_matrix.shape[0])


def completeness(importance_matrix):
    per_factor = completeness_per_factor(importance_matrix)
    if importance_matrix.sum() == 0.:
        importance_matrix = np.ones_like(importance_matrix)
    factor_importance = importance_matrix.sum(axis=0) / importance_matrix.sum()
    return np.sum(per_factor * factor_importance)


def compute_dci(mus_train, ys_train, mus_test, ys_test):
    scores = {}
    importance_matrix, train_err, test_err = compute_importance_gbt(mus_train, ys_train, mus_test, ys_test)
    scores["informativeness_train"] = train_err
    scores["informativeness_test"] = test_err
    scores["disentanglement"] = disentanglement(importance_matrix)
    scores["completeness"] = completeness(importance_matrix)
    scores["importance_matrix"] = importance_matrix
    return scores


# --- IRS -------------------------------------------------------------------------------------------------------
def _drop_constant_dims(ys):
    ys = np.asarray(ys)
    return ys[ys.var(axis=1) > 0.]


def scalable_disentanglement_score(gen_factors, latents, diff_quantile=0.99):
    num_gen = gen_factors.shape[1]
    num_lat = latents.shape[1]
    max_deviations = np.max(np.abs(latents - latents.mean(axis=0)), axis=0)
    cum_deviations = np.zeros([num_lat, num_gen])
    for i in range(num_gen):
        unique_factors = np.unique(gen_factors[:, i], axis=0)
        num_distinct_factors = unique_factors.shape[0]
        for k in range(num_distinct_factors):
            match = gen_factors[:, i] == unique_factors[k]
            e_loc = np.mean(latents[match, :], axis=0)
            diffs = np.abs(latents[match, :] - e_loc)
            max_diffs = np.percentile(diffs, q=diff_quantile * 100, axis=0)
            cum_deviations[:, i] += max_diffs
        cum_deviations[:, i] /= num_distinct_factors
    normalized_deviations = cum_deviations / max_deviations[:, np.newaxis]
    irs_matrix = 1.0 - normalized_deviations
    disentanglement_scores = irs_matrix.max(axis=1)
    if np.sum(max_deviations) > 0.0:
        avg_score = np.average(disentanglement_scores, weights=max_deviations)
    else:
        avg_score = np.mean(disentanglement_scores)
    return {"disentanglement_scores": disentanglement_scores, "avg_score": avg_score,
            "parents": irs_matrix.argmax(axis=1), "IRS_matrix": irs_matrix, "max_deviations": max_deviations}


def compute_irs(mus, ys, diff_quantile=0.99, num_bins=20):
    ys_discrete = histogram_discretize(ys, num_bins)
    active_mus = _drop_constant_dims(mus)
    if not active_mus.any():
        irs_score = 0.0
    else:
        irs_score = scalable_disentanglement_score(ys_discrete.T, active_mus.T, diff_quantile)["avg_score"]
    return {"IRS": irs_score, "num_active_dims": np.sum(active_mus)}


# --- unsupervised ----------------------------------------------------------------------------------------------
def gaussian_total_correlation(cov):
    return 0.5 * (np.sum(np.log(np.diag(cov))) - np.linalg.slogdet(cov)[1])


def gaussian_wasserstein_correlation(cov):
    sqrtm = scipy.linalg.sqrtm(cov * np.expand_dims(np.diag(cov), axis=1))
    return 2 * np.trace(cov) - 2 * np.trace(sqrtm)


def unsupervised_metrics(mus_train, num_bins=20):
    scores = {}
    num_codes = mus_train.shape[0]
    cov_mus = np.cov(mus_train)
    assert num_codes == cov_mus.shape[0]
    scores["gaussian_total_correlation"] = gaussian_total_correlation(cov_mus)
    scores["gaussian_wasserstein_correlation"] = gaussian_wasserstein_correlation(cov_mus)
    scores["gaussian_wasserstein_correlation_norm"] = (scores["gaussian_wasserstein_correlation"] / np.sum(np.diag(cov_mus)))
    mus_discrete = histogram_discretize(mus_train, num_bins)
    mutual_info_matrix = discrete_mutual_info(mus_discrete, mus_discrete)
    np.fill_diagonal(mutual_info_matrix, 0)
    mutual_info_score_ = np.sum(mutual_info_matrix) / (num_codes ** 2 - num_codes)
    scores["mutual_info_score"] = mutual_info_score_
    return scores


# --- FactorVAE score from dumped votes ---------------------------------------------------------------------------
def factor_vae_from_dump(variance_codes, train_codes, train_factor, eval_codes, eval_factor, num_factors=None,
                         threshold=0.05):
    global_variances = np.var(variance_codes, axis=0, ddof=1)
    active_dims = np.sqrt(global_variances) >= threshold
    if not active_dims.any():
        return {"train_accuracy": 0., "eval_accuracy": 0., "num_active_dims": 0}
    K = num_factors if num_factors is not None else int(max(train_factor.max(), eval_factor.max())) + 1
    L = variance_codes.shape[1]

    def votes(codes, factors):
        v = np.zeros((K, L), dtype=np.int64)
        for b in range(codes.shape[0]):
            local_variances = np.var(codes[b], axis=0, ddof=1)
            argmin = np.argmin(local_variances[active_dims] / global_variances[active_dims])
            v[factors[b], argmin] += 1
        return v

    tv = votes(train_codes, train_factor)
    classifier = np.argmax(tv, axis=0)
    other_index = np.arange(tv.shape[1])
    train_accuracy = np.sum(tv[classifier, other_index]) * 1. / np.sum(tv)
    ev = votes(eval_codes, eval_factor)
    eval_accuracy = np.sum(ev[classifier, other_index]) * 1. / np.sum(ev)
    return {"train_accuracy": train_accuracy, "eval_accuracy": eval_accuracy, "num_active_dims": len(active_dims)}


def beta_vae_from_dump(train_features, train_labels, eval_features, eval_labels, seed=0):
    model = linear_model.LogisticRegression(random_state=np.random.RandomState(seed))
    model.fit(train_features, train_labels)
    train_accuracy = np.mean(model.predict(train_features) == train_labels)
    eval_accuracy = model.score(eval_features, eval_labels)
    return {"train_accuracy": train_accuracy, "eval_accuracy": eval_accuracy, "n_iter": int(np.max(model.n_iter_))}
