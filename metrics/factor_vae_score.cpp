#include "metrics/factor_vae_score.hpp"

#include <fmt/core.h>

#include <cmath>

#include "metrics/logistic_regression.hpp"
#include "src/core/error.hpp"

namespace axial {

namespace {

// numpy.var(a, axis=0, ddof=1) of the columns [first, first + n) of an L×N matrix (samples as columns), in T:
// sequential sums (numpy reduces the outer axis of a C-ordered (n, L) array element by element).
template <class T>
std::vector<T> variances(const CodeMatrix& z, Eigen::Index first, Eigen::Index n) {
  const Eigen::Index L = z.rows();
  std::vector<T> out(static_cast<std::size_t>(L));
  for (Eigen::Index l = 0; l < L; ++l) {
    T sum = 0;
    for (Eigen::Index i = 0; i < n; ++i) sum += static_cast<T>(z(l, first + i));
    const T mean = sum / static_cast<T>(n);
    T sq = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const T d = static_cast<T>(static_cast<T>(z(l, first + i)) - mean);
      sq += static_cast<T>(d * d);
    }
    out[static_cast<std::size_t>(l)] = sq / static_cast<T>(n - 1);
  }
  return out;
}

template <class T>
FactorVaeResult factor_vae_typed(const CodeMatrix& vz, const CodeMatrix& tz, const std::vector<std::int64_t>& tf,
                                 const CodeMatrix& ez, const std::vector<std::int64_t>& ef, std::int64_t B, int K,
                                 double threshold) {
  const Eigen::Index L = vz.rows();
  FactorVaeResult r;
  const std::vector<T> global = variances<T>(vz, 0, vz.cols());
  std::vector<Eigen::Index> active;
  r.active.assign(static_cast<std::size_t>(L), 0);
  for (Eigen::Index l = 0; l < L; ++l)
    if (std::sqrt(global[static_cast<std::size_t>(l)]) >= static_cast<T>(threshold)) {
      active.push_back(l);
      r.active[static_cast<std::size_t>(l)] = 1;
    }
  r.active_dims = static_cast<int>(active.size());
  if (active.empty()) return r;  // the original returns 0, 0 before sampling any vote
  auto votes = [&](const CodeMatrix& z, const std::vector<std::int64_t>& f) {
    Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic> v =
        Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>::Zero(K, L);
    for (std::size_t b = 0; b < f.size(); ++b) {
      const std::vector<T> local = variances<T>(z, static_cast<Eigen::Index>(b) * B, B);
      // np.argmin: the first minimum, or the first NaN when there is one.
      std::size_t best = 0;
      bool nan_seen = false;
      T best_ratio = 0;
      for (std::size_t a = 0; a < active.size(); ++a) {
        const auto l = static_cast<std::size_t>(active[a]);
        const T ratio = local[l] / global[l];
        if (nan_seen) break;
        if (std::isnan(ratio)) {
          best = a;
          nan_seen = true;
        } else if (a == 0 || ratio < best_ratio) {
          best = a;
          best_ratio = ratio;
        }
      }
      v(f[b], static_cast<Eigen::Index>(best)) += 1;
    }
    return v;
  };
  const auto train = votes(tz, tf), eval = votes(ez, ef);
  std::int64_t tr_hit = 0, ev_hit = 0;
  for (Eigen::Index j = 0; j < L; ++j) {
    Eigen::Index best = 0;
    for (Eigen::Index k = 1; k < K; ++k)
      if (train(k, j) > train(best, j)) best = k;
    tr_hit += train(best, j);
    ev_hit += eval(best, j);
  }
  r.train_accuracy = static_cast<double>(tr_hit) / static_cast<double>(train.sum());
  r.eval_accuracy = static_cast<double>(ev_hit) / static_cast<double>(eval.sum());
  return r;
}

}  // namespace

FactorVaeResult factor_vae_score(const CodeMatrix& variance_codes, const CodeMatrix& train_codes,
                                 const std::vector<std::int64_t>& train_factor, const CodeMatrix& eval_codes,
                                 const std::vector<std::int64_t>& eval_factor, std::int64_t batch_size,
                                 int num_factors, Precision precision, double threshold) {
  const Eigen::Index L = variance_codes.rows();
  if (variance_codes.cols() < 2) throw Error("FactorVAE score: need at least 2 variance points");
  if (batch_size < 2) throw Error(fmt::format("FactorVAE score: batch size {} (need at least 2)", batch_size));
  if (train_factor.empty() || eval_factor.empty()) throw Error("FactorVAE score: no train or eval votes");
  if (train_codes.rows() != L || eval_codes.rows() != L ||
      train_codes.cols() != static_cast<Eigen::Index>(train_factor.size()) * batch_size ||
      eval_codes.cols() != static_cast<Eigen::Index>(eval_factor.size()) * batch_size)
    throw Error("FactorVAE score: vote codes do not match the votes and batch size");
  for (const auto* f : {&train_factor, &eval_factor})
    for (const std::int64_t k : *f)
      if (k < 0 || k >= num_factors)
        throw Error(fmt::format("FactorVAE score: fixed factor {} outside 0..{}", k, num_factors - 1));
  return precision == Precision::Float32
             ? factor_vae_typed<float>(variance_codes, train_codes, train_factor, eval_codes, eval_factor, batch_size,
                                       num_factors, threshold)
             : factor_vae_typed<double>(variance_codes, train_codes, train_factor, eval_codes, eval_factor,
                                        batch_size, num_factors, threshold);
}

Eigen::VectorXd beta_vae_feature(const CodeMatrix& z1, const CodeMatrix& z2, Precision precision) {
  const Eigen::Index L = z1.rows(), B = z1.cols();
  Eigen::VectorXd out(L);
  for (Eigen::Index l = 0; l < L; ++l) {
    if (precision == Precision::Float32) {
      float sum = 0;
      for (Eigen::Index i = 0; i < B; ++i)
        sum += std::fabs(static_cast<float>(static_cast<float>(z1(l, i)) - static_cast<float>(z2(l, i))));
      out(l) = static_cast<double>(sum / static_cast<float>(B));
    } else {
      double sum = 0;
      for (Eigen::Index i = 0; i < B; ++i) sum += std::fabs(z1(l, i) - z2(l, i));
      out(l) = sum / static_cast<double>(B);
    }
  }
  return out;
}

BetaVaeResult beta_vae_score(const Eigen::MatrixXd& train_features, const std::vector<std::int64_t>& train_labels,
                             const Eigen::MatrixXd& eval_features, const std::vector<std::int64_t>& eval_labels) {
  if (eval_features.cols() < 1) throw Error("BetaVAE score: no eval points");
  LogisticRegression model;
  BetaVaeResult r;
  r.iterations = model.fit(train_features, train_labels);
  auto accuracy = [&](const Eigen::MatrixXd& x, const std::vector<std::int64_t>& y) {
    const auto p = model.predict(x);
    std::int64_t hit = 0;
    for (std::size_t i = 0; i < y.size(); ++i) hit += p[i] == y[i];
    return static_cast<double>(hit) / static_cast<double>(y.size());
  };
  r.train_accuracy = accuracy(train_features, train_labels);
  r.eval_accuracy = accuracy(eval_features, eval_labels);
  return r;
}

}  // namespace axial
