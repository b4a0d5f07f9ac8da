#include "metrics/irs.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "metrics/mutual_info.hpp"
#include "src/core/error.hpp"

namespace axial {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// numpy's pairwise summation (add.reduce over a contiguous axis) in type T.
template <class T>
T pairwise(const T* a, std::size_t n) {
  if (n < 8) {
    T res = 0;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    T r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + static_cast<std::size_t>(j)];
    T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

// np.add.reduce over a contiguous axis: pairwise sums of 8192-element buffers (NPY_BUFSIZE), added in order.
template <class T>
T numpy_sum(const T* a, std::size_t n) {
  constexpr std::size_t kBuffer = 8192;
  T acc = 0;
  for (std::size_t i = 0; i < n; i += kBuffer) acc += pairwise(a + i, std::min(kBuffer, n - i));
  return acc;
}

// numpy.percentile(x, 100·q) of x[0..n) (linear): sorts x in place.
template <class T>
double percentile(std::vector<T>& x, double q) {
  const std::size_t n = x.size();
  const double virtual_index = static_cast<double>(n - 1) * q;
  std::sort(x.begin(), x.end());
  if (virtual_index >= static_cast<double>(n - 1)) return static_cast<double>(x[n - 1]);
  if (virtual_index < 0) return static_cast<double>(x[0]);
  const double prev = std::floor(virtual_index);
  const auto lo = static_cast<std::size_t>(prev);
  const double gamma = virtual_index - prev;
  const T a = x[lo], b = x[lo + 1];
  const double diff = static_cast<double>(static_cast<T>(b - a));  // subtract(b, a) in the array's type
  return gamma >= 0.5 ? static_cast<double>(b) - diff * (1.0 - gamma) : static_cast<double>(a) + diff * gamma;
}

template <class T>
IrsResult irs_typed(const CodeMatrix& codes, const FactorMatrix& factors, const IrsOptions& o) {
  const Eigen::Index L = codes.rows(), K = factors.rows(), N = codes.cols();
  IrsResult r;
  r.per_latent.assign(static_cast<std::size_t>(L), kNaN);
  r.max_deviation.assign(static_cast<std::size_t>(L), 0.0);
  r.matrix = Eigen::MatrixXd::Constant(L, K, kNaN);
  // Factor bins.
  std::vector<std::vector<std::int32_t>> bins(static_cast<std::size_t>(K), std::vector<std::int32_t>(N));
  {
    DiscretizeOptions d;
    d.num_bins = o.num_bins;
    std::vector<double> row(static_cast<std::size_t>(N));
    for (Eigen::Index k = 0; k < K; ++k) {
      for (Eigen::Index n = 0; n < N; ++n) row[static_cast<std::size_t>(n)] = static_cast<double>(factors(k, n));
      discretize_latent(row.data(), N, d, bins[static_cast<std::size_t>(k)].data());
    }
  }
  // Active (non-constant) codes, in the codes' type.
  std::vector<Eigen::Index> active;
  std::vector<std::vector<T>> z;
  for (Eigen::Index l = 0; l < L; ++l) {
    std::vector<T> col(static_cast<std::size_t>(N));
    for (Eigen::Index n = 0; n < N; ++n) col[static_cast<std::size_t>(n)] = static_cast<T>(codes(l, n));
    const auto mm = std::minmax_element(col.begin(), col.end());
    if (*mm.first == *mm.second) continue;
    active.push_back(l);
    z.push_back(std::move(col));
  }
  r.active_dims = static_cast<int>(active.size());
  if (active.empty()) {
    r.irs = 0.0;
    return r;
  }
  const std::size_t A = active.size();
  std::vector<double> max_dev(A), score(A);
  for (std::size_t a = 0; a < A; ++a) {
    const T mean = numpy_sum(z[a].data(), z[a].size()) / static_cast<T>(N);
    T m = 0;
    for (const T v : z[a]) m = std::max(m, static_cast<T>(std::fabs(static_cast<T>(v - mean))));
    max_dev[a] = static_cast<double>(m);
  }
  Eigen::MatrixXd cum = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(A), K);
  std::vector<T> group, diffs;
  for (Eigen::Index k = 0; k < K; ++k) {
    const auto& g = bins[static_cast<std::size_t>(k)];
    std::vector<std::int32_t> values(g.begin(), g.end());
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (const std::int32_t v : values) {
      for (std::size_t a = 0; a < A; ++a) {
        group.clear();
        for (Eigen::Index n = 0; n < N; ++n)
          if (g[static_cast<std::size_t>(n)] == v) group.push_back(z[a][static_cast<std::size_t>(n)]);
        T sum = 0;  // np.mean over axis 0 of a C-ordered selection: sequential, then divided in T
        for (const T x : group) sum += x;
        const T e = sum / static_cast<T>(group.size());
        diffs.resize(group.size());
        for (std::size_t i = 0; i < group.size(); ++i) diffs[i] = static_cast<T>(std::fabs(static_cast<T>(group[i] - e)));
        cum(static_cast<Eigen::Index>(a), k) += percentile(diffs, o.diff_quantile);
      }
    }
    for (std::size_t a = 0; a < A; ++a) cum(static_cast<Eigen::Index>(a), k) /= static_cast<double>(values.size());
  }
  for (std::size_t a = 0; a < A; ++a) {
    double best = -std::numeric_limits<double>::infinity();
    for (Eigen::Index k = 0; k < K; ++k) {
      const double m = 1.0 - cum(static_cast<Eigen::Index>(a), k) / max_dev[a];
      r.matrix(active[a], k) = m;
      best = std::max(best, m);
    }
    score[a] = best;
    r.per_latent[static_cast<std::size_t>(active[a])] = best;
    r.max_deviation[static_cast<std::size_t>(active[a])] = max_dev[a];
  }
  // np.average(score, weights=max_dev) in float64.
  std::vector<double> prod(A);
  for (std::size_t a = 0; a < A; ++a) prod[a] = score[a] * max_dev[a];
  const double scl = detail::pairwise_sum(max_dev.data(), A);
  if (scl > 0.0) {
    r.irs = detail::pairwise_sum(prod.data(), A) / scl;
  } else {
    r.irs = detail::pairwise_sum(score.data(), A) / static_cast<double>(A);
  }
  return r;
}

}  // namespace

IrsResult compute_irs(const CodeMatrix& codes, const FactorMatrix& factors, const IrsOptions& options) {
  if (codes.cols() != factors.cols()) throw Error("IRS: codes and factors have different numbers of samples");
  if (codes.cols() < 1) throw Error("IRS: no samples");
  if (options.num_bins < 1) throw Error("IRS: the factor histogram needs at least 1 bin");
  return options.precision == Precision::Float32 ? irs_typed<float>(codes, factors, options)
                                                 : irs_typed<double>(codes, factors, options);
}

}  // namespace axial
