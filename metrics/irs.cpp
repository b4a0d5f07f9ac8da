#include "metrics/irs.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

// Lanes of W values of T with IEEE add, subtract, absolute value, max and min (the same bits as the scalar operations:
// no FMA, no reassociation). SSE2 on x86-64, one lane elsewhere.
template <class T>
struct Lanes {
  static constexpr std::size_t W = 1;
  T v;
  static Lanes load(const T* p) { return {*p}; }
  static Lanes splat(T x) { return {x}; }
  void store(T* p) const { *p = v; }
  friend Lanes operator+(Lanes a, Lanes b) { return {a.v + b.v}; }
  friend Lanes abs_diff(Lanes a, Lanes b) { return {static_cast<T>(std::fabs(static_cast<T>(a.v - b.v)))}; }
  friend Lanes max(Lanes a, Lanes b) { return {a.v > b.v ? a.v : b.v}; }
  friend Lanes min(Lanes a, Lanes b) { return {a.v < b.v ? a.v : b.v}; }
};
#ifdef __SSE2__
template <>
struct Lanes<float> {
  static constexpr std::size_t W = 4;
  __m128 v;
  static Lanes load(const float* p) { return {_mm_loadu_ps(p)}; }
  static Lanes splat(float x) { return {_mm_set1_ps(x)}; }
  void store(float* p) const { _mm_storeu_ps(p, v); }
  friend Lanes operator+(Lanes a, Lanes b) { return {_mm_add_ps(a.v, b.v)}; }
  friend Lanes abs_diff(Lanes a, Lanes b) { return {_mm_andnot_ps(_mm_set1_ps(-0.0f), _mm_sub_ps(a.v, b.v))}; }
  friend Lanes max(Lanes a, Lanes b) { return {_mm_max_ps(a.v, b.v)}; }
  friend Lanes min(Lanes a, Lanes b) { return {_mm_min_ps(a.v, b.v)}; }
};
template <>
struct Lanes<double> {
  static constexpr std::size_t W = 2;
  __m128d v;
  static Lanes load(const double* p) { return {_mm_loadu_pd(p)}; }
  static Lanes splat(double x) { return {_mm_set1_pd(x)}; }
  void store(double* p) const { _mm_storeu_pd(p, v); }
  friend Lanes operator+(Lanes a, Lanes b) { return {_mm_add_pd(a.v, b.v)}; }
  friend Lanes abs_diff(Lanes a, Lanes b) { return {_mm_andnot_pd(_mm_set1_pd(-0.0), _mm_sub_pd(a.v, b.v))}; }
  friend Lanes max(Lanes a, Lanes b) { return {_mm_max_pd(a.v, b.v)}; }
  friend Lanes min(Lanes a, Lanes b) { return {_mm_min_pd(a.v, b.v)}; }
};
#endif

// The m largest values inserted (m ≤ kCapacity), ascending in top[0..m).
template <class T>
struct TopM {
  static constexpr std::size_t kCapacity = 64;
  std::size_t m, filled = 0;
  T top[kCapacity];
  explicit TopM(std::size_t m_) : m(m_) { top[0] = top[1] = T(0); }  // (read only once m ≥ 2 values are in)
  void insert(const T v) {
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
};

// numpy.percentile(x, 100·q) (linear) of n values, from its two order statistics: x_lo (= a) and x_lo+1 (= b).
struct PercentilePlan {
  std::size_t lo, m;  // m = n − lo: a and b are the m-th and (m−1)-th largest values (m ≥ 2), or m = 1: the maximum
  double gamma;
  PercentilePlan(std::size_t n, double q) {
    const double virtual_index = static_cast<double>(n - 1) * q;
    if (virtual_index >= static_cast<double>(n - 1)) {
      lo = n - 1;
      m = 1;
      gamma = 0;
      return;
    }
    const double prev = std::floor(virtual_index);
    lo = static_cast<std::size_t>(prev);
    m = n - lo;
    gamma = virtual_index - prev;
  }
  template <class T>
  double value(T a, T b) const {
    if (m == 1) return static_cast<double>(a);
    const double diff = static_cast<double>(static_cast<T>(b - a));  // subtract(b, a) in the array's type
    return gamma >= 0.5 ? static_cast<double>(b) - diff * (1.0 - gamma) : static_cast<double>(a) + diff * gamma;
  }
};

// The percentile of x[first..last) (any order; the range may be reordered).
template <class T>
double percentile(T* first, T* last, const PercentilePlan& plan) {
  if (plan.m == 1) return plan.value(*std::max_element(first, last), T(0));
  if (plan.m <= TopM<T>::kCapacity) {
    TopM<T> top(plan.m);
    for (const T* p = first; p != last; ++p) top.insert(*p);
    return plan.value(top.top[0], top.top[1]);
  }
  std::nth_element(first, first + plan.lo, last);
  return plan.value(first[plan.lo], *std::min_element(first + plan.lo + 1, last));
}

template <class T>
IrsResult irs_typed(const CodeMatrix& codes, const FactorMatrix& factors, const IrsOptions& o) {
  using V = Lanes<T>;
  constexpr std::size_t W = V::W;
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
    std::vector<double> row;
    std::vector<std::int32_t> table;
    for (Eigen::Index k = 0; k < K; ++k) {
      auto& out = bins[static_cast<std::size_t>(k)];
      const std::int64_t lo = factors.row(k).minCoeff(), hi = factors.row(k).maxCoeff();
      if (hi - lo < N) {
        // Few values: a label depends only on the value and the edges, and the edges only on the minimum and the
        // maximum, so the values lo..hi are discretised once and looked up.
        row.resize(static_cast<std::size_t>(hi - lo + 1));
        for (std::size_t v = 0; v < row.size(); ++v) row[v] = static_cast<double>(lo + static_cast<std::int64_t>(v));
        table.resize(row.size());
        discretize_latent(row.data(), static_cast<std::int64_t>(row.size()), d, table.data());
        for (Eigen::Index n = 0; n < N; ++n) out[static_cast<std::size_t>(n)] = table[static_cast<std::size_t>(factors(k, n) - lo)];
      } else {
        row.resize(static_cast<std::size_t>(N));
        for (Eigen::Index n = 0; n < N; ++n) row[static_cast<std::size_t>(n)] = static_cast<double>(factors(k, n));
        discretize_latent(row.data(), N, d, out.data());
      }
    }
  }
  // Active (non-constant) codes, in the codes' type.
  std::vector<Eigen::Index> active;
  for (Eigen::Index l = 0; l < L; ++l) {
    const T first = static_cast<T>(codes(l, 0));
    for (Eigen::Index n = 1; n < N; ++n)
      if (static_cast<T>(codes(l, n)) != first) {
        active.push_back(l);
        break;
      }
  }
  r.active_dims = static_cast<int>(active.size());
  if (active.empty()) {
    r.irs = 0.0;
    return r;
  }
  const std::size_t A = active.size(), NN = static_cast<std::size_t>(N), P = (A + W - 1) / W * W;
  std::vector<T> col(NN);
  std::vector<double> max_dev(A), score(A);
  for (std::size_t a = 0; a < A; ++a) {
    for (std::size_t n = 0; n < NN; ++n) col[n] = static_cast<T>(codes(active[a], static_cast<Eigen::Index>(n)));
    const T mean = numpy_sum(col.data(), NN) / static_cast<T>(N);
    T m = 0;
    for (const T v : col) m = std::max(m, static_cast<T>(std::fabs(static_cast<T>(v - mean))));
    max_dev[a] = static_cast<double>(m);
  }
  Eigen::MatrixXd cum = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(A), K);
  std::vector<T> grouped(NN * P), sums(P), mean(P), threshold(P), block_max;
  std::vector<std::size_t> count, offset;
  std::vector<std::uint32_t> order(NN);
  for (Eigen::Index k = 0; k < K; ++k) {
    const auto& g = bins[static_cast<std::size_t>(k)];
    // The samples grouped by bin (each group in sample order), once per factor: a counting sort; their active codes
    // copied in that order (in T, each row padded with zeros to P, a multiple of the lane width), so bin b's rows
    // are the (count[b], P) block at grouped[offset[b]·P] — numpy's C-ordered selection latents[match, :].
    const std::int32_t nb = *std::max_element(g.begin(), g.end()) + 1;
    count.assign(static_cast<std::size_t>(nb), 0);
    for (const std::int32_t b : g) ++count[static_cast<std::size_t>(b)];
    offset.assign(static_cast<std::size_t>(nb) + 1, 0);
    for (std::size_t b = 0; b < static_cast<std::size_t>(nb); ++b) offset[b + 1] = offset[b] + count[b];
    {
      std::vector<std::size_t> next(offset.begin(), offset.end() - 1);
      for (std::size_t n = 0; n < NN; ++n) order[next[static_cast<std::size_t>(g[n])]++] = static_cast<std::uint32_t>(n);
    }
    const bool all_active = A == static_cast<std::size_t>(L);
    for (std::size_t i = 0; i < NN; ++i) {
      const double* from = codes.data() + std::size_t{order[i]} * static_cast<std::size_t>(L);  // sample's codes
      T* to = grouped.data() + i * P;
      if (all_active) {
        for (std::size_t a = 0; a < A; ++a) to[a] = static_cast<T>(from[a]);
      } else {
        for (std::size_t a = 0; a < A; ++a) to[a] = static_cast<T>(from[active[a]]);
      }
    }
    std::size_t present = 0;
    for (std::size_t b = 0; b < static_cast<std::size_t>(nb); ++b) {
      const std::size_t c = count[b];
      if (c == 0) continue;
      ++present;
      const T* rows = grouped.data() + offset[b] * P;
      // np.mean(latents[match, :], axis=0), divided in T. With two or more active latents numpy adds the selection's
      // rows in order (each latent's sum sequential; all latents advance together here, lane by lane); with one the
      // selection is a contiguous (c, 1) array and numpy uses its pairwise summation (numpy_sum), as for the
      // global mean.
      if (A > 1) {
        // Up to four lane groups per pass: independent chains, each lane still summed in row order.
        for (std::size_t q0 = 0; q0 < P; q0 += 4 * W) {
          const std::size_t nq = std::min<std::size_t>(4, (P - q0) / W);
          V s[4] = {V::splat(T(0)), V::splat(T(0)), V::splat(T(0)), V::splat(T(0))};
          for (std::size_t i = 0; i < c; ++i)
            for (std::size_t u = 0; u < nq; ++u) s[u] = s[u] + V::load(rows + i * P + q0 + u * W);
          for (std::size_t u = 0; u < nq; ++u) s[u].store(sums.data() + q0 + u * W);
        }
      } else {
        for (std::size_t i = 0; i < c; ++i) col[i] = rows[i * P];
        sums[0] = numpy_sum(col.data(), c);
      }
      for (std::size_t a = 0; a < P; ++a) mean[a] = sums[a] / static_cast<T>(c);
      // np.percentile(|selection − mean|, 99, axis=0) per latent, from the m largest deviations. Rows are taken in
      // blocks of 8 and the blocks in m groups: each group's largest deviation comes from a different block, so at
      // least m deviations are ≥ t = the smallest of the m group maxima — the m largest all are. The block and group
      // maxima of all latents are found together (lanes, no branches); then only the deviations ≥ t in blocks that
      // reach t, and in the last c mod 8 rows, go through the sorted top-m. Otherwise (few rows, large m) each
      // latent's deviations are listed.
      const PercentilePlan plan(c, o.diff_quantile);
      const std::size_t blocks = c / 8, groups = plan.m;
      const bool by_blocks = plan.m >= 2 && plan.m <= TopM<T>::kCapacity && blocks >= groups;
      if (by_blocks) {
        block_max.resize(blocks * P);
        for (std::size_t q = 0; q < P; q += W) {
          const V e = V::load(mean.data() + q);
          V t = V::splat(std::numeric_limits<T>::infinity());
          for (std::size_t gi = 0; gi < groups; ++gi) {
            V group = V::splat(T(0));  // deviations are ≥ 0
            for (std::size_t j = gi * blocks / groups; j < (gi + 1) * blocks / groups; ++j) {
              const T* p = rows + j * 8 * P + q;
              auto dev = [&](std::size_t i) { return abs_diff(V::load(p + i * P), e); };
              const V mx = max(max(max(dev(0), dev(1)), max(dev(2), dev(3))), max(max(dev(4), dev(5)), max(dev(6), dev(7))));
              mx.store(block_max.data() + j * P + q);
              group = max(group, mx);
            }
            t = min(t, group);
          }
          t.store(threshold.data() + q);
        }
      }
      for (std::size_t a = 0; a < A; ++a) {
        const T e = mean[a];
        auto deviation = [&](std::size_t i) { return static_cast<T>(std::fabs(static_cast<T>(rows[i * P + a] - e))); };
        double pct;
        if (by_blocks) {
          // The m-th largest block maximum (≥ the group bound), among the blocks that reach the bound: a tighter t.
          TopM<T> best_blocks(plan.m), top(plan.m);
          for (std::size_t j = 0; j < blocks; ++j)
            if (block_max[j * P + a] >= threshold[a]) best_blocks.insert(block_max[j * P + a]);
          const T t = best_blocks.top[0];  // full: the m groups hold m blocks ≥ the bound
          for (std::size_t j = 0; j < blocks; ++j)
            if (block_max[j * P + a] >= t)
              for (std::size_t i = 8 * j; i < 8 * j + 8; ++i)
                if (const T d = deviation(i); d >= t) top.insert(d);
          for (std::size_t i = 8 * blocks; i < c; ++i)
            if (const T d = deviation(i); d >= t) top.insert(d);
          pct = plan.value(top.top[0], top.top[1]);
        } else {
          for (std::size_t i = 0; i < c; ++i) col[i] = deviation(i);
          pct = percentile(col.data(), col.data() + c, plan);
        }
        cum(static_cast<Eigen::Index>(a), k) += pct;
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
  if (codes.cols() > std::numeric_limits<std::uint32_t>::max())
    throw Error(fmt::format("IRS: {} samples, at most {} supported", codes.cols(), std::numeric_limits<std::uint32_t>::max()));
  if (options.num_bins < 1) throw Error("IRS: the factor histogram needs at least 1 bin");
  if (!(options.diff_quantile >= 0.0 && options.diff_quantile <= 1.0))
    throw Error(fmt::format("IRS: diff quantile {} is outside [0, 1]", options.diff_quantile));
  return options.precision == Precision::Float32 ? irs_typed<float>(codes, factors, options)
                                                 : irs_typed<double>(codes, factors, options);
}

}  // namespace axial
