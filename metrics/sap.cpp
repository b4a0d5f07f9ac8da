#include "metrics/sap.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "src/core/error.hpp"
#include "metrics/mutual_info.hpp"
#include "src/core/parallel.hpp"

namespace axial {

namespace detail {

// sklearn/svm/src/newrand/newrand.h `bounded_rand_int` (32-bit mt19937, as on platforms with a 32-bit int).
inline int bounded_rand_int(std::mt19937& mt, int orig_range) {
  const auto range = static_cast<std::uint32_t>(orig_range);
  std::uint32_t x = static_cast<std::uint32_t>(mt());
  std::uint64_t m = static_cast<std::uint64_t>(x) * static_cast<std::uint64_t>(range);
  auto l = static_cast<std::uint32_t>(m);
  if (l < range) {
    std::uint32_t t = -range;
    if (t >= range) {
      t -= range;
      if (t >= range) t %= range;
    }
    while (l < t) {
      x = static_cast<std::uint32_t>(mt());
      m = static_cast<std::uint64_t>(x) * static_cast<std::uint64_t>(range);
      l = static_cast<std::uint32_t>(m);
    }
  }
  return static_cast<int>(m >> 32);
}

// liblinear's dual coordinate descent for the L2-regularised squared-hinge SVM (solver L2R_L2LOSS_SVC_DUAL,
// Hsieh et al. ICML 2008, with shrinking), specialised to one feature x plus the bias feature of value 1:
//   min_α ½ αᵀ(Q + D)α − eᵀα,  α ≥ 0,  Q_ij = y_i y_j (x_i x_j + 1),  D_ii = 1 / (2 C_i),
//   C_i = Cp for y_i = +1, Cn for y_i = −1;  stop when max PG − min PG ≤ eps or after max_iter outer passes.
// Samples are visited in a random order per pass (`rng`), drawn as sklearn's liblinear draws it: std::mt19937
// post-processed by `bounded_rand_int` (sklearn/svm/src/newrand/newrand.h, Lemire's method, high bits), not
// rand() % n. With the same seed this reproduces sklearn's coef_/intercept_ bit for bit.
// Returns (w, b): decision = w·x + b.
std::pair<double, double> svc_dual_1d(const std::vector<double>& x, const std::vector<signed char>& y, double Cp,
                                      double Cn, double eps, int max_iter, std::mt19937& rng) {
  const int l = static_cast<int>(x.size());
  const double inf = std::numeric_limits<double>::infinity();
  const double diag_neg = 0.5 / Cn, diag_pos = 0.5 / Cp;
  std::vector<double> alpha(static_cast<std::size_t>(l), 0.0), qd(static_cast<std::size_t>(l));
  std::vector<int> index(static_cast<std::size_t>(l));
  for (int i = 0; i < l; ++i) {
    const auto si = static_cast<std::size_t>(i);
    qd[si] = (y[si] > 0 ? diag_pos : diag_neg) + x[si] * x[si] + 1.0;
    index[si] = i;
  }
  double w = 0.0, b = 0.0;
  int active_size = l;
  double pg_max_old = inf, pg_min_old = -inf;
  for (int iter = 0; iter < max_iter;) {
    double pg_max_new = -inf, pg_min_new = inf;
    for (int i = 0; i < active_size; ++i) {
      const int j = i + bounded_rand_int(rng, active_size - i);
      std::swap(index[static_cast<std::size_t>(i)], index[static_cast<std::size_t>(j)]);
    }
    for (int s = 0; s < active_size; ++s) {
      const auto i = static_cast<std::size_t>(index[static_cast<std::size_t>(s)]);
      const double yi = y[i];
      double g = yi * (w * x[i] + b) - 1.0;
      g += alpha[i] * (y[i] > 0 ? diag_pos : diag_neg);
      double pg = 0.0;
      if (alpha[i] == 0.0) {
        if (g > pg_max_old) {
          --active_size;
          std::swap(index[static_cast<std::size_t>(s)], index[static_cast<std::size_t>(active_size)]);
          --s;
          continue;
        }
        if (g < 0.0) pg = g;
      } else {
        pg = g;  // upper bound is infinite for the squared hinge
      }
      pg_max_new = std::max(pg_max_new, pg);
      pg_min_new = std::min(pg_min_new, pg);
      if (std::fabs(pg) > 1.0e-12) {
        const double old = alpha[i];
        alpha[i] = std::max(alpha[i] - g / qd[i], 0.0);
        const double d = (alpha[i] - old) * yi;
        w += d * x[i];
        b += d;
      }
    }
    ++iter;
    if (pg_max_new - pg_min_new <= eps) {
      if (active_size == l) break;
      active_size = l;
      pg_max_old = inf;
      pg_min_old = -inf;
      continue;
    }
    pg_max_old = pg_max_new;
    pg_min_old = pg_min_new;
    if (pg_max_old <= 0.0) pg_max_old = inf;
    if (pg_min_old >= 0.0) pg_min_old = -inf;
  }
  return {w, b};
}

}  // namespace detail

namespace {

constexpr double kC = 0.01;
constexpr double kTol = 1e-4;
constexpr int kMaxIter = 1000;

// Test accuracy of LinearSVC(C=0.01, class_weight="balanced") on one feature.
double svc_accuracy(const double* xtr, const detail::DenseLabels& ytr, const double* xte, const std::int64_t* yte,
                    std::int64_t nte, std::uint32_t seed) {
  const int C = ytr.num_classes;
  const auto ntr = static_cast<std::int64_t>(ytr.index.size());
  std::vector<std::int64_t> count(static_cast<std::size_t>(C), 0);
  for (auto c : ytr.index) ++count[static_cast<std::size_t>(c)];
  std::vector<double> weight(static_cast<std::size_t>(C));
  for (int c = 0; c < C; ++c)
    weight[static_cast<std::size_t>(c)] =
        static_cast<double>(ntr) / (static_cast<double>(C) * static_cast<double>(count[static_cast<std::size_t>(c)]));
  // Samples grouped by class in class order (as liblinear's group_classes orders them).
  std::vector<std::int64_t> order;
  order.reserve(static_cast<std::size_t>(ntr));
  for (int c = 0; c < C; ++c)
    for (std::int64_t i = 0; i < ntr; ++i)
      if (ytr.index[static_cast<std::size_t>(i)] == c) order.push_back(i);
  std::vector<double> x(static_cast<std::size_t>(ntr));
  std::vector<int> cls(static_cast<std::size_t>(ntr));
  for (std::size_t i = 0; i < order.size(); ++i) {
    x[i] = xtr[order[i]];
    cls[i] = ytr.index[static_cast<std::size_t>(order[i])];
  }
  std::vector<signed char> y(static_cast<std::size_t>(ntr));
  std::mt19937 rng(seed);  // sklearn's set_seed(random_seed): mt_rand.seed(seed)
  std::vector<std::pair<double, double>> models;
  if (C == 2) {
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = cls[i] == 1 ? 1 : -1;
    models.push_back(detail::svc_dual_1d(x, y, kC * weight[1], kC * weight[0], kTol, kMaxIter, rng));
  } else if (C > 2) {
    for (int c = 0; c < C; ++c) {
      for (std::size_t i = 0; i < y.size(); ++i) y[i] = cls[i] == c ? 1 : -1;
      models.push_back(detail::svc_dual_1d(x, y, kC * weight[static_cast<std::size_t>(c)], kC, kTol, kMaxIter, rng));
    }
  }
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < nte; ++i) {
    std::int64_t pred;
    if (C == 1) {
      pred = ytr.values[0];
    } else if (C == 2) {
      pred = models[0].first * xte[i] + models[0].second > 0.0 ? ytr.values[1] : ytr.values[0];
    } else {
      int best = 0;
      double best_d = models[0].first * xte[i] + models[0].second;
      for (int c = 1; c < C; ++c) {
        const double d = models[static_cast<std::size_t>(c)].first * xte[i] + models[static_cast<std::size_t>(c)].second;
        if (d > best_d) {
          best_d = d;
          best = c;
        }
      }
      pred = ytr.values[static_cast<std::size_t>(best)];
    }
    correct += pred == yte[i];
  }
  return static_cast<double>(correct) / static_cast<double>(nte);
}

}  // namespace

SapResult compute_sap(const CodeMatrix& train_codes, const FactorMatrix& train_factors, const CodeMatrix& test_codes,
                      const FactorMatrix& test_factors, int num_threads) {
  const Eigen::Index L = train_codes.rows(), K = train_factors.rows();
  const Eigen::Index Ntr = train_codes.cols(), Nte = test_codes.cols();
  if (L < 2) throw Error(fmt::format("SAP needs at least 2 latents, got {}", L));
  if (train_factors.cols() != Ntr || test_factors.cols() != Nte)
    throw Error("SAP: number of code samples does not match number of factor samples");
  if (test_codes.rows() != L || test_factors.rows() != K)
    throw Error(fmt::format("SAP: train has {} latents/{} factors, test has {}/{}", L, K, test_codes.rows(),
                            test_factors.rows()));
  if (Ntr < 1) throw Error("SAP: empty train split");
  if (Nte < 1) throw Error("SAP: empty test split");
  // Row-contiguous copies (codes are L×N column-major).
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> ztr = train_codes, zte = test_codes;
  const Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> yte = test_factors;
  std::vector<detail::DenseLabels> dense(static_cast<std::size_t>(K));
  for (Eigen::Index k = 0; k < K; ++k) {
    std::vector<std::int64_t> row(static_cast<std::size_t>(Ntr));
    for (Eigen::Index n = 0; n < Ntr; ++n) row[static_cast<std::size_t>(n)] = train_factors(k, n);
    dense[static_cast<std::size_t>(k)] = detail::dense_labels(row.data(), Ntr);
  }
  SapResult r;
  r.score_matrix.resize(L, K);
  // Seeds as disentanglement_lib's loop (latent-major, then factor) hands them to liblinear after
  // np.random.seed(0): each LinearSVC.fit draws np.random.randint(np.iinfo('i').max) from numpy's global
  // legacy RandomState (sklearn/svm/_base.py, _fit_liblinear), i.e. MT19937 seeded with init_genrand(0), masked
  // rejection sampling of 31 bits below 2^31 - 1. Drawn up front in loop order so the result is thread-independent.
  std::vector<std::uint32_t> seeds(static_cast<std::size_t>(L * K));
  {
    std::mt19937 np_global(0u);
    for (auto& s : seeds) {
      std::uint32_t v;
      do {
        v = static_cast<std::uint32_t>(np_global()) & 0x7fffffffu;
      } while (v > 0x7ffffffeu);
      s = v;
    }
  }
  parallel_for(L * K, num_threads, [&](Eigen::Index t) {
    const Eigen::Index l = t / K, k = t % K;
    const std::uint32_t seed = seeds[static_cast<std::size_t>(t)];
    r.score_matrix(l, k) =
        svc_accuracy(ztr.row(l).data(), dense[static_cast<std::size_t>(k)], zte.row(l).data(), yte.row(k).data(), Nte,
                     seed);
  });
  r.per_factor.resize(static_cast<std::size_t>(K));
  for (Eigen::Index k = 0; k < K; ++k) {
    std::vector<double> col(r.score_matrix.col(k).data(), r.score_matrix.col(k).data() + L);
    std::sort(col.begin(), col.end());
    r.per_factor[static_cast<std::size_t>(k)] = col[static_cast<std::size_t>(L - 1)] - col[static_cast<std::size_t>(L - 2)];
  }
  r.sap = detail::pairwise_sum(r.per_factor.data(), r.per_factor.size()) / static_cast<double>(K > 0 ? K : 1);
  if (K == 0) r.sap = std::numeric_limits<double>::quiet_NaN();
  return r;
}

}  // namespace axial
