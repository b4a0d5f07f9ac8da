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

// numpy.percentile(x, 100·q) of x[first..last) (linear): only the two order statistics it needs are found (the
// same values a full sort gives); the range may be reordered.
template <class T>
double percentile(T* first, T* last, double q) {
  const std::size_t n = static_cast<std::size_t>(last - first);
  const double virtual_index = static_cast<double>(n - 1) * q;
  if (virtual_index >= static_cast<double>(n - 1)) return static_cast<double>(*std::max_element(first, last));
  if (virtual_index < 0) return static_cast<double>(*std::min_element(first, last));
  const double prev = std::floor(virtual_index);
  const auto lo = static_cast<std::size_t>(prev);
  const double gamma = virtual_index - prev;
  // The order statistics lo..n−1 are the m largest values. For the 99th percentile m is small: one pass keeping
  // them in a sorted array; otherwise nth_element.
  const std::size_t m = n - lo;  // ≥ 2 here
  T a, b;
  if (m <= 16) {
    T top[16];  // ascending
    std::size_t filled = 0;
    for (const T* p = first; p != last; ++p) {
      const T v = *p;
      if (filled < m) {
        std::size_t j = filled++;
        for (; j > 0 && top[j - 1] > v; --j) top[j] = top[j - 1];
        top[j] = v;
      } else if (v > top[0]) {
        std::size_t j = 1;
        for (; j < m && top[j] < v; ++j) top[j - 1] = top[j];
        top[j - 1] = v;
      }
    }
    a = top[0];
    b = top[1];
  } else {
    std::nth_element(first, first + lo, last);
    a = first[lo];
    b = *std::min_element(first + lo + 1, last);
  }
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
  std::vector<T> sums, diffs(static_cast<std::size_t>(N));
  std::vector<std::size_t> count, offset, order(static_cast<std::size_t>(N));
  for (Eigen::Index k = 0; k < K; ++k) {
    const auto& g = bins[static_cast<std::size_t>(k)];
    // The samples grouped by bin (each group in sample order), once per factor: a counting sort.
    const std::int32_t nb = *std::max_element(g.begin(), g.end()) + 1;
    count.assign(static_cast<std::size_t>(nb), 0);
    for (const std::int32_t b : g) ++count[static_cast<std::size_t>(b)];
    offset.assign(static_cast<std::size_t>(nb) + 1, 0);
    for (std::size_t b = 0; b < static_cast<std::size_t>(nb); ++b) offset[b + 1] = offset[b] + count[b];
    {
      std::vector<std::size_t> next(offset.begin(), offset.end() - 1);
      for (std::size_t n = 0; n < static_cast<std::size_t>(N); ++n) order[next[static_cast<std::size_t>(g[n])]++] = n;
    }
    std::size_t present = 0;
    for (const std::size_t c : count) present += c > 0;
    for (std::size_t a = 0; a < A; ++a) {
      const std::vector<T>& za = z[a];
      // np.mean(latents[match, :], axis=0), then divided in T. With two or more active latents the selection is a
      // C-ordered (n_v, A) array and numpy adds its rows sequentially; with one it is contiguous (n_v, 1) and numpy
      // uses its pairwise summation (numpy_sum), as for the global mean.
      sums.assign(static_cast<std::size_t>(nb), T(0));
      if (A > 1) {
        for (std::size_t n = 0; n < static_cast<std::size_t>(N); ++n) sums[static_cast<std::size_t>(g[n])] += za[n];
      } else {
        for (std::size_t i = 0; i < static_cast<std::size_t>(N); ++i) diffs[i] = za[order[i]];
        for (std::size_t b = 0; b < static_cast<std::size_t>(nb); ++b)
          if (count[b] > 0) sums[b] = numpy_sum(diffs.data() + offset[b], count[b]);
      }
      for (std::int32_t b = 0; b < nb; ++b) {
        const auto bi = static_cast<std::size_t>(b);
        if (count[bi] == 0) continue;
        const T e = sums[bi] / static_cast<T>(count[bi]);
        for (std::size_t i = offset[bi]; i < offset[bi + 1]; ++i)
          diffs[i] = static_cast<T>(std::fabs(static_cast<T>(za[order[i]] - e)));
        cum(static_cast<Eigen::Index>(a), k) +=
            percentile(diffs.data() + offset[bi], diffs.data() + offset[bi + 1], o.diff_quantile);
      }
    }
    for (std::size_t a = 0; a < A; ++a) cum(static_cast<Eigen::Index>(a), k) /= static_cast<double>(present);
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
