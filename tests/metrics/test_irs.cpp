// IRS (Suter et al. 2019) as disentanglement_lib's compute_irs: values derived in the tests.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "metrics/irs.hpp"
#include "src/core/error.hpp"

using namespace axial;

TEST_CASE("IRS: a code equal to its factor scores 1, an independent one 0") {
  // Code = factor: within each factor bin the code is constant → 99% quantile of |z − e| is 0 → IRS 1.
  FactorMatrix y(1, 8);
  y << 0, 0, 1, 1, 2, 2, 3, 3;
  CodeMatrix z = y.cast<double>();
  CHECK(compute_irs(z, y).irs == 1.0);
  // z = (0,1,0,1) against y = (0,0,1,1): max_dev = ½; each group {0,1} has mean ½ and |z − e| = ½ → 1 − ½/½ = 0.
  FactorMatrix y2(1, 4);
  y2 << 0, 0, 1, 1;
  CodeMatrix z2(1, 4);
  z2 << 0, 1, 0, 1;
  const IrsResult r = compute_irs(z2, y2);
  CHECK(r.irs == 0.0);
  CHECK(r.max_deviation[0] == 0.5);
}

TEST_CASE("IRS: numpy's linear percentile, weights by max deviation, constant codes dropped") {
  // One factor value (one group). Latent 0: z = (0, 1, 5): e = 2, |z − e| sorted (1, 2, 3); index 0.99·2 = 1.98 →
  // γ = 0.98 ≥ ½ → b − (b − a)(1 − γ) = 3 − 1·(1 − γ); max_dev = 3.
  // Latent 1: z = (0, 0, 6): e = 2, |z − e| = (2, 2, 4) → 4 − 2(1 − γ); max_dev = 4.  Latent 2 constant: dropped.
  FactorMatrix y = FactorMatrix::Constant(1, 3, 7);
  CodeMatrix z(3, 3);
  z << 0, 1, 5,  //
      0, 0, 6,   //
      9, 9, 9;
  const double gamma = 2 * 0.99 - 1;
  const double s0 = 1 - (3 - 1 * (1 - gamma)) / 3, s1 = 1 - (4 - 2 * (1 - gamma)) / 4;
  const IrsResult r = compute_irs(z, y);
  CHECK(r.active_dims == 2);
  CHECK(std::isnan(r.per_latent[2]));
  CHECK(r.per_latent[0] == doctest::Approx(s0).epsilon(1e-15));
  CHECK(r.per_latent[1] == doctest::Approx(s1).epsilon(1e-15));
  CHECK(r.irs == doctest::Approx((3 * s0 + 4 * s1) / 7).epsilon(1e-15));
  // Below the midpoint the interpolation runs from a: quantile 0.2 → index 0.4 → a + (b − a)·0.4.
  IrsOptions o;
  o.diff_quantile = 0.2;
  CHECK(compute_irs(z, y, o).per_latent[0] == doctest::Approx(1 - (1 + 1 * 0.4) / 3).epsilon(1e-15));
  // A quantile outside [0, 1] (numpy.percentile refuses it) is an error, not an undefined index; q = 0 is the minimum.
  o.diff_quantile = -0.1;
  CHECK_THROWS_AS(compute_irs(z, y, o), Error);
  o.diff_quantile = 1.5;
  CHECK_THROWS_AS(compute_irs(z, y, o), Error);
  o.diff_quantile = 0.0;
  CHECK(compute_irs(z, y, o).per_latent[0] == doctest::Approx(1 - 1.0 / 3).epsilon(1e-15));
  // All codes constant → 0.
  CHECK(compute_irs(CodeMatrix::Constant(2, 3, 1.0), y).irs == 0.0);
}

TEST_CASE("IRS: float32 codes use float32 arithmetic as numpy does") {
  // z = (2^24, 1, 1) in float32: the sum 2^24 + 1 + 1 stays 2^24 (round to even), mean = fl32(2^24 / 3) = 5592405.5;
  // |z − e| = (fl32(11184810.5) = 11184810, 5592404.5, 5592404.5); b − a = 5592405.5; max_dev = 11184810.
  // In float64 the mean is 5592406 and |z − e| = (11184810, 5592405, 5592405).
  FactorMatrix y = FactorMatrix::Constant(1, 3, 0);
  CodeMatrix z(1, 3);
  z << 16777216.0, 1.0, 1.0;
  const double g = 2 * 0.99 - 1;
  IrsOptions f32;
  f32.precision = Precision::Float32;
  const double q32 = 11184810.0 - 5592405.5 * (1 - g), q64 = 11184810.0 - 5592405.0 * (1 - g);
  CHECK(compute_irs(z, y, f32).irs == doctest::Approx(1 - q32 / 11184810.0).epsilon(1e-13));
  CHECK(compute_irs(z, y).irs == doctest::Approx(1 - q64 / 11184810.0).epsilon(1e-13));
  CHECK(compute_irs(z, y, f32).irs != compute_irs(z, y).irs);
}

TEST_CASE("IRS bins the factors with a 20-bin histogram") {
  // Factor values 0..39 fall two per bin: a code equal to the factor then varies inside each bin (values 2j, 2j+1,
  // e = 2j + ½, |z − e| = ½) → IRS = 1 − ½ / max_dev with max_dev = |0 − 19.5| = 19.5.
  FactorMatrix y(1, 40);
  for (int i = 0; i < 40; ++i) y(0, i) = i;
  const CodeMatrix z = y.cast<double>();
  CHECK(compute_irs(z, y).irs == doctest::Approx(1 - 0.5 / 19.5).epsilon(1e-14));
}

TEST_CASE("IRS: with one active latent the group means use numpy's pairwise sum") {
  // disentanglement_lib passes the codes transposed, so with one active latent latents[match, :] is a contiguous
  // (n, 1) array and np.mean sums it pairwise (8-wide blocks, 8192-element buffers), not row by row as for two or
  // more latents. On 12,000 float32 codes 1000 + 0.01·((7919 i) mod 1000)/1000 (a constant second latent, dropped)
  // with factors (31 i) mod 64 and i mod 7, compute_irs of disentanglement_lib (numpy 1.24) gives
  // 0.012195121951219523; summed row by row the float32 means differ and so does IRS.
  const Eigen::Index n = 12000;
  CodeMatrix z(2, n);
  FactorMatrix y(2, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    z(0, i) = static_cast<float>(1000.0 + 0.01 * double((i * 7919) % 1000) / 1000.0);
    z(1, i) = 5.0;
    y(0, i) = (i * 31) % 64;
    y(1, i) = i % 7;
  }
  IrsOptions f32;
  f32.precision = Precision::Float32;
  const IrsResult r = compute_irs(z, y, f32);
  CHECK(r.active_dims == 1);
  CHECK(r.irs == 0.012195121951219523);
}


namespace {

// IRS from its definition, the slow way, per latent. For factor values 0..19 the 20-bin histogram puts each value in
// its own bin, so the groups are the factor's values. The codes here are multiples of 1/8 with sums below 2^21, so
// every sum is exact in float32 and float64 whatever the order; means and deviations rounded in T as numpy does; the
// percentile from a full sort with numpy's linear interpolation.
template <class T>
std::vector<double> irs_by_definition(const CodeMatrix& z, const FactorMatrix& y, double q) {
  const Eigen::Index L = z.rows(), K = y.rows(), N = z.cols();
  std::vector<double> scores;
  for (Eigen::Index l = 0; l < L; ++l) {
    T sum = 0;
    for (Eigen::Index n = 0; n < N; ++n) sum += static_cast<T>(z(l, n));
    const T mean = sum / static_cast<T>(N);
    T max_dev = 0;
    for (Eigen::Index n = 0; n < N; ++n) max_dev = std::max(max_dev, static_cast<T>(std::fabs(static_cast<T>(z(l, n)) - mean)));
    double best = -1e300;
    for (Eigen::Index k = 0; k < K; ++k) {
      double cum = 0;
      int present = 0;
      for (std::int64_t v = 0; v < 20; ++v) {
        std::vector<T> g;
        for (Eigen::Index n = 0; n < N; ++n)
          if (y(k, n) == v) g.push_back(static_cast<T>(z(l, n)));
        if (g.empty()) continue;
        ++present;
        T s = 0;
        for (const T x : g) s += x;
        const T e = s / static_cast<T>(g.size());
        std::vector<T> d;
        for (const T x : g) d.push_back(static_cast<T>(std::fabs(static_cast<T>(x - e))));
        std::sort(d.begin(), d.end());
        const double idx = static_cast<double>(d.size() - 1) * q;
        const auto lo = static_cast<std::size_t>(std::floor(idx));
        const double gamma = idx - std::floor(idx);
        const T a = d[lo], b = d[std::min(lo + 1, d.size() - 1)];
        const double diff = static_cast<double>(static_cast<T>(b - a));
        cum += gamma >= 0.5 ? static_cast<double>(b) - diff * (1 - gamma) : static_cast<double>(a) + diff * gamma;
      }
      best = std::max(best, 1.0 - cum / present / static_cast<double>(max_dev));
    }
    scores.push_back(best);
  }
  return scores;
}

}  // namespace

TEST_CASE("IRS on thousands of samples equals its definition: groups large and small, ties, outliers, both precisions") {
  // 14,003 samples. Factor 0 has 20 values (groups of ≈ 700: the 99th percentile needs the 8 largest deviations),
  // factor 1 three (≈ 4,700: 48 largest), factor 2 two, unevenly (≈ 1,400 and 12,600: 15 and 127 largest), factor 3
  // has 20 values with one of them on 5 samples only. Codes on a grid of 1/8 (ties), heavy-tailed (every 37th sample
  // ×6), one of them following factor 0.
  const Eigen::Index n = 14003;
  CodeMatrix z(4, n);
  FactorMatrix y(4, n);
  std::uint64_t state = 12345;
  auto uniform = [&] {  // splitmix64 → [0, 1)
    state += 0x9e3779b97f4a7c15ULL;
    std::uint64_t x = state;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<double>((x ^ (x >> 31)) >> 11) * 0x1.0p-53;
  };
  for (Eigen::Index i = 0; i < n; ++i) {
    y(0, i) = static_cast<std::int64_t>(uniform() * 20);
    y(1, i) = static_cast<std::int64_t>(uniform() * 3);
    y(2, i) = uniform() < 0.1 ? 0 : 1;
    y(3, i) = i < 5 ? 19 : static_cast<std::int64_t>(uniform() * 19);
    for (Eigen::Index l = 0; l < 4; ++l) {
      double x = 12.0 * (uniform() + uniform() + uniform() - 1.5) * (i % 37 == 0 ? 6.0 : 1.0);
      if (l == 0) x = 4.0 * static_cast<double>(y(0, i)) + 0.3 * x;
      z(l, i) = std::round(std::clamp(x, -120.0, 120.0) * 8.0) / 8.0;
    }
  }
  for (const Precision p : {Precision::Float64, Precision::Float32}) {
    IrsOptions o;
    o.precision = p;
    const IrsResult r = compute_irs(z, y, o);
    const std::vector<double> want = p == Precision::Float32 ? irs_by_definition<float>(z, y, 0.99)
                                                             : irs_by_definition<double>(z, y, 0.99);
    for (std::size_t l = 0; l < 4; ++l) CHECK(r.per_latent[l] == want[l]);
  }
}
