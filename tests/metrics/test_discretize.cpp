// Histogram discretiser: numpy.histogram edges + numpy.digitize(z, edges[:-1]), derived by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "metrics/discretize.hpp"
#include "src/core/error.hpp"

using namespace axial;

namespace {
std::vector<std::int32_t> labels_of(const std::vector<double>& z, int bins, Precision p = Precision::Float64,
                                    Discretizer m = Discretizer::Histogram) {
  std::vector<std::int32_t> out(z.size());
  DiscretizeOptions o;
  o.num_bins = bins;
  o.precision = p;
  o.method = m;
  discretize_latent(z.data(), static_cast<std::int64_t>(z.size()), o, out.data());
  return out;
}
}  // namespace

TEST_CASE("histogram edges are numpy.linspace(min, max, B+1)") {
  const std::vector<double> z{2.0, -1.0, 3.0};
  const auto e = histogram_edges(z.data(), 3, 4, Precision::Float64);
  // step = (3 - (-1)) / 4 = 1 exactly → edges -1, 0, 1, 2, 3.
  REQUIRE(e.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(e[static_cast<std::size_t>(i)] == -1.0 + i);
}

TEST_CASE("edge-exact values: 0..20 with 20 bins land on the edge's own bin, the maximum in bin B") {
  // edges = 0, 1, ..., 20 exactly; digitize(v, edges[:-1]) = #{edges_i ≤ v} = v + 1 for v < 20; v = 20 → 20.
  std::vector<double> z;
  for (int v = 0; v <= 20; ++v) z.push_back(v);
  const auto lab = labels_of(z, 20);
  for (int v = 0; v < 20; ++v) CHECK(lab[static_cast<std::size_t>(v)] == v + 1);
  CHECK(lab[20] == 20);
}

TEST_CASE("maximum in the last bin, minimum in the first") {
  // B = 3 on [0, 1]: edges 0, 1/3, 2/3, 1 → 0 ↦ 1, 0.3 ↦ 1, 1 ↦ 3.
  const auto lab = labels_of({0.0, 0.3, 1.0}, 3);
  CHECK(lab == std::vector<std::int32_t>{1, 1, 3});
}

TEST_CASE("constant latent gets a single label") {
  // numpy widens the empty range to [v-0.5, v+0.5]; edges 4.5 + i·0.05, so 5 ≥ edges 0..10 → label 11 for all.
  const auto lab = labels_of({5.0, 5.0, 5.0}, 20);
  CHECK(lab == std::vector<std::int32_t>{11, 11, 11});
}

TEST_CASE("ties share a label") {
  const auto lab = labels_of({0.0, 0.5, 0.5, 1.0}, 4);  // edges 0, .25, .5, .75, 1 → 0.5 ↦ 3
  CHECK(lab == std::vector<std::int32_t>{1, 3, 3, 4});
}

TEST_CASE("float32 codes use float32 edges") {
  // B = 10 on [0, 1]. Edge 7 is 7·0.1 = 0.7000000000000001 in float64, which rounds to 0.7f = 0.699999988… in
  // float32. The code 0.7f sits exactly on the float32 edge (label 8), but below the float64 edge (label 7).
  const double v = static_cast<double>(0.7f);
  CHECK(labels_of({0.0, v, 1.0}, 10, Precision::Float32) == std::vector<std::int32_t>{1, 8, 10});
  CHECK(labels_of({0.0, v, 1.0}, 10, Precision::Float64) == std::vector<std::int32_t>{1, 7, 10});
}

TEST_CASE("quantile discretiser gives equal-frequency bins") {
  // 8 distinct values, 4 bins: inner edges at quantiles 0.25, 0.5, 0.75 = 1.75, 3.5, 5.25 → two values per bin.
  const auto lab = labels_of({0, 1, 2, 3, 4, 5, 6, 7}, 4, Precision::Float64, Discretizer::Quantile);
  CHECK(lab == std::vector<std::int32_t>{1, 1, 2, 2, 3, 3, 4, 4});
}

TEST_CASE("discretize checks its inputs") {
  CodeMatrix z(2, 3);
  z << 0, 1, 2, 3, std::nan(""), 5;
  DiscretizeOptions o;
  CHECK_THROWS_AS(discretize(z, o), Error);
  o.num_bins = 0;
  z(1, 1) = 4;
  CHECK_THROWS_AS(discretize(z, o), Error);
  CHECK_THROWS_AS(parse_discretizer("kmeans"), Error);
  CHECK(parse_discretizer("quantile") == Discretizer::Quantile);
}

TEST_CASE("histogram labels equal numpy.digitize's count on values at, just below and just above every edge") {
  // digitize(z, edges[:-1]) = #{ j < B : edges[j] <= z } (right=False), compared in the codes' precision. Brute-force
  // that count for awkward latents: non-representable steps, values sitting on the edges and one ulp either side.
  for (const Precision p : {Precision::Float64, Precision::Float32}) {
    for (const int bins : {1, 2, 5, 20, 37}) {
      std::vector<double> z = {-0.3, 0.7};  // min and max: step 0.05 for 20 bins is not exact in binary
      const auto probe_edges = histogram_edges(z.data(), 2, bins, p);
      for (double e : probe_edges) {
        for (double v : {e, std::nextafter(e, -1e9), std::nextafter(e, 1e9),
                         static_cast<double>(std::nextafter(static_cast<float>(e), -1e9f)),
                         static_cast<double>(std::nextafter(static_cast<float>(e), 1e9f))})
          if (v >= -0.3 && v <= 0.7) z.push_back(v);
      }
      for (int i = 0; i < 500; ++i) z.push_back(-0.3 + 1.0 * ((i * 7919) % 1000) / 999.0);
      if (p == Precision::Float32)
        for (double& v : z) v = static_cast<double>(static_cast<float>(v));
      const auto edges = histogram_edges(z.data(), static_cast<std::int64_t>(z.size()), bins, p);
      const auto labels = labels_of(z, bins, p);
      int mismatches = 0;
      for (std::size_t i = 0; i < z.size(); ++i) {
        std::int32_t count = 0;
        for (int j = 0; j < bins; ++j) {
          const bool le = p == Precision::Float32
                              ? static_cast<float>(edges[static_cast<std::size_t>(j)]) <= static_cast<float>(z[i])
                              : edges[static_cast<std::size_t>(j)] <= z[i];
          count += le ? 1 : 0;
        }
        if (labels[i] != count) ++mismatches;
        CHECK(labels[i] >= 1);
        CHECK(labels[i] <= bins);
      }
      INFO("bins " << bins << ", float32 " << (p == Precision::Float32));
      CHECK(mismatches == 0);
    }
  }
}
