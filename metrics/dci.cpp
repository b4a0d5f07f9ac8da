#include "metrics/dci.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "metrics/gradient_boosting.hpp"
#include "src/core/error.hpp"
#include "src/core/parallel.hpp"

namespace axial {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// scipy.stats.entropy(p, base): p renormalised, −Σ p log p / log base.
double entropy(const std::vector<double>& p, double base) {
  double total = 0.0;
  for (double v : p) total += v;
  double h = 0.0;
  for (double v : p) {
    const double q = v / total;
    if (q > 0.0) h -= q * std::log(q);
  }
  return h / std::log(base);
}

std::vector<float> feature_major(const CodeMatrix& codes) {
  const Eigen::Index L = codes.rows(), N = codes.cols();
  std::vector<float> x(static_cast<std::size_t>(L * N));
  for (Eigen::Index l = 0; l < L; ++l)
    for (Eigen::Index n = 0; n < N; ++n) x[static_cast<std::size_t>(l * N + n)] = static_cast<float>(codes(l, n));
  return x;
}

// Σ_i weight_i / weight_total · (1 − H_{cols}(P[i,:] + 1e-11)), the per-row terms into `per_row`: disentanglement on
// P's rows, completeness on its columns (P transposed).
double weighted_row_scores(const Eigen::MatrixXd& P, const std::vector<double>& weight, double weight_total,
                           std::vector<double>& per_row) {
  const Eigen::Index rows = P.rows(), cols = P.cols();
  double total = 0.0;
  for (Eigen::Index i = 0; i < rows; ++i) {
    std::vector<double> row(static_cast<std::size_t>(cols));
    for (Eigen::Index j = 0; j < cols; ++j) row[static_cast<std::size_t>(j)] = P(i, j) + 1e-11;
    const double score = 1.0 - entropy(row, static_cast<double>(cols));
    per_row[static_cast<std::size_t>(i)] = score;
    total += weight[static_cast<std::size_t>(i)] / weight_total * score;
  }
  return total;
}

}  // namespace

void dci_scores_from_importance(const Eigen::MatrixXd& P, DciResult& r) {
  const Eigen::Index L = P.rows(), K = P.cols();
  // Weights: from P, or uniform (ones_like) when P sums to zero.
  const Eigen::MatrixXd W = P.sum() == 0.0 ? Eigen::MatrixXd::Ones(L, K) : P;
  const double wsum = W.sum();
  std::vector<double> code_weight(static_cast<std::size_t>(L)), factor_weight(static_cast<std::size_t>(K));
  for (Eigen::Index i = 0; i < L; ++i) code_weight[static_cast<std::size_t>(i)] = W.row(i).sum();
  for (Eigen::Index k = 0; k < K; ++k) factor_weight[static_cast<std::size_t>(k)] = W.col(k).sum();
  r.per_latent_disentanglement.assign(static_cast<std::size_t>(L), kNaN);
  r.per_factor_completeness.assign(static_cast<std::size_t>(K), kNaN);
  if (K > 1) {
    r.disentanglement = weighted_row_scores(P, code_weight, wsum, r.per_latent_disentanglement);
  } else {
    r.disentanglement = kNaN;
    r.disentanglement_undefined_reason = "one factor: the entropy over factors has base 1";
  }
  if (L > 1) {
    r.completeness = weighted_row_scores(P.transpose(), factor_weight, wsum, r.per_factor_completeness);
  } else {
    r.completeness = kNaN;
    r.completeness_undefined_reason = "one latent: the entropy over latents has base 1";
  }
}

DciResult compute_dci(const CodeMatrix& train_codes, const FactorMatrix& train_factors, const CodeMatrix& test_codes,
                      const FactorMatrix& test_factors, const DciOptions& options) {
  const Eigen::Index L = train_codes.rows(), K = train_factors.rows();
  const Eigen::Index Ntr = train_codes.cols(), Nte = test_codes.cols();
  if (train_factors.cols() != Ntr || test_factors.cols() != Nte || test_codes.rows() != L ||
      test_factors.rows() != K)
    throw Error("DCI: train/test codes and factors do not match in shape");
  if (Ntr < 2 || Nte < 1) throw Error(fmt::format("DCI: {} train and {} test samples; need ≥ 2 and ≥ 1", Ntr, Nte));
  if (L < 1 || K < 1) throw Error("DCI: no latents or no factors");
  DciResult r;
  r.importance = Eigen::MatrixXd::Zero(L, K);
  r.per_factor_informativeness_train.assign(static_cast<std::size_t>(K), kNaN);
  r.per_factor_informativeness_test.assign(static_cast<std::size_t>(K), kNaN);

  // Labels per factor; a single-valued factor makes the whole metric undefined (the original raises).
  std::vector<std::vector<std::int64_t>> ytr(static_cast<std::size_t>(K));
  std::vector<int> classes(static_cast<std::size_t>(K));
  for (Eigen::Index k = 0; k < K; ++k) {
    auto& y = ytr[static_cast<std::size_t>(k)];
    y.resize(static_cast<std::size_t>(Ntr));
    for (Eigen::Index n = 0; n < Ntr; ++n) y[static_cast<std::size_t>(n)] = train_factors(k, n);
    std::vector<std::int64_t> u = y;
    std::sort(u.begin(), u.end());
    classes[static_cast<std::size_t>(k)] = static_cast<int>(std::unique(u.begin(), u.end()) - u.begin());
    if (classes[static_cast<std::size_t>(k)] < 2) {
      const std::string why =
          fmt::format("factor {} has a single value in the train split; no classifier can be fitted", k);
      r.disentanglement = r.completeness = r.informativeness_train = r.informativeness_test = kNaN;
      r.disentanglement_undefined_reason = r.completeness_undefined_reason = r.informativeness_undefined_reason = why;
      r.importance.setConstant(kNaN);
      r.per_latent_disentanglement.assign(static_cast<std::size_t>(L), kNaN);
      r.per_factor_completeness.assign(static_cast<std::size_t>(K), kNaN);
      return r;
    }
  }
  // One global seed stream, consumed factor by factor as the original's loop does.
  const GradientBoostingOptions gbo{100, 3, 0.1, options.tie_seed};
  std::vector<std::size_t> first_tree(static_cast<std::size_t>(K) + 1, 0);
  for (Eigen::Index k = 0; k < K; ++k)
    first_tree[static_cast<std::size_t>(k) + 1] =
        first_tree[static_cast<std::size_t>(k)] +
        static_cast<std::size_t>(gradient_boosting_tree_count(classes[static_cast<std::size_t>(k)], gbo));
  const std::vector<std::uint32_t> seeds = tree_seed_stream(options.tie_seed, first_tree.back());
  const std::vector<float> xtr = feature_major(train_codes), xte = feature_major(test_codes);

  parallel_for(K, options.num_threads, [&](Eigen::Index k) {
    const auto sk = static_cast<std::size_t>(k);
    GradientBoostingClassifier model;
    model.fit(xtr, static_cast<int>(L), Ntr, ytr[sk], gbo,
              std::vector<std::uint32_t>(seeds.begin() + static_cast<std::ptrdiff_t>(first_tree[sk]),
                                         seeds.begin() + static_cast<std::ptrdiff_t>(first_tree[sk + 1])));
    for (Eigen::Index l = 0; l < L; ++l) r.importance(l, k) = std::fabs(model.feature_importances()[static_cast<std::size_t>(l)]);
    const auto ptr = model.predict(xtr, Ntr);
    const auto pte = model.predict(xte, Nte);
    std::int64_t ctr = 0, cte = 0;
    for (Eigen::Index n = 0; n < Ntr; ++n) ctr += ptr[static_cast<std::size_t>(n)] == train_factors(k, n);
    for (Eigen::Index n = 0; n < Nte; ++n) cte += pte[static_cast<std::size_t>(n)] == test_factors(k, n);
    r.per_factor_informativeness_train[sk] = static_cast<double>(ctr) / static_cast<double>(Ntr);
    r.per_factor_informativeness_test[sk] = static_cast<double>(cte) / static_cast<double>(Nte);
  });
  double a = 0.0, b = 0.0;
  for (Eigen::Index k = 0; k < K; ++k) {
    a += r.per_factor_informativeness_train[static_cast<std::size_t>(k)];
    b += r.per_factor_informativeness_test[static_cast<std::size_t>(k)];
  }
  r.informativeness_train = a / static_cast<double>(K);
  r.informativeness_test = b / static_cast<double>(K);
  for (Eigen::Index k = 0; k < K; ++k)
    if (r.importance.col(k).hasNaN()) {
      const std::string why = fmt::format(
          "factor {}: its trees split without reducing impurity anywhere (no code informs it), so the importances "
          "are 0/0 (NaN in disentanglement_lib too)", k);
      r.disentanglement = r.completeness = kNaN;
      r.disentanglement_undefined_reason = r.completeness_undefined_reason = why;
      r.per_latent_disentanglement.assign(static_cast<std::size_t>(L), kNaN);
      r.per_factor_completeness.assign(static_cast<std::size_t>(K), kNaN);
      return r;
    }
  dci_scores_from_importance(r.importance, r);
  return r;
}

}  // namespace axial
