// Factor sampling (issue 2 §4): global uniform, local windows r_i = floor(n_i·ρ), clipping at the borders, the
// continuity cutoff, the deny list, subsets, determinism by seed, invalid options.
#include <cmath>
#include <limits>
#include <set>

#include "src/core/random.hpp"
#include "datasets/sampling.hpp"
#include "datasets/three_dots.hpp"
#include "src/core/error.hpp"

#include <doctest/doctest.h>

using axial::FactorMatrix;
using axial::FactorVector;
using axial::datasets::LocalSampler;
using axial::datasets::LocalSamplingOptions;

namespace {

// A data set with arbitrary factor sizes (no images needed for sampling).
class FakeData : public axial::datasets::GroundTruthData {
 public:
  FakeData(std::vector<std::int64_t> sizes, std::vector<int> unordered = {}, FactorMatrix rows = {})
      : sizes_(std::move(sizes)), unordered_(std::move(unordered)), rows_(std::move(rows)) {
    for (std::size_t i = 0; i < sizes_.size(); ++i) names_.push_back("f" + std::to_string(i));
  }
  std::string name() const override { return "fake"; }
  const std::vector<std::string>& factor_names() const override { return names_; }
  const std::vector<std::int64_t>& factor_sizes() const override { return sizes_; }
  axial::datasets::ObservationShape observation_shape() const override { return {1, 1, 1}; }
  void observations(const FactorMatrix&, float*) const override {}
  std::vector<int> unordered_factors() const override { return unordered_; }
  const FactorMatrix* existing_rows() const override { return rows_.size() ? &rows_ : nullptr; }

 private:
  std::vector<std::string> names_;
  std::vector<std::int64_t> sizes_;
  std::vector<int> unordered_;
  FactorMatrix rows_;
};

}  // namespace

TEST_CASE("global sampling: every factor uniform over its values, deterministic by seed") {
  FakeData d({3, 64, 10});
  auto rng = axial::make_rng(1);
  FactorMatrix f = axial::datasets::sample_global(d, 30000, rng);
  REQUIRE(f.rows() == 3);
  REQUIRE(f.cols() == 30000);
  for (int i = 0; i < 3; ++i) {
    std::vector<int> count(static_cast<std::size_t>(d.factor_sizes()[static_cast<std::size_t>(i)]), 0);
    for (Eigen::Index j = 0; j < f.cols(); ++j) {
      REQUIRE(f(i, j) >= 0);
      REQUIRE(f(i, j) < d.factor_sizes()[static_cast<std::size_t>(i)]);
      ++count[static_cast<std::size_t>(f(i, j))];
    }
    const double expected = 30000.0 / static_cast<double>(count.size());
    for (int c : count) CHECK(std::abs(c - expected) < 6 * std::sqrt(expected));  // every value, about equally
  }
  auto r1 = axial::make_rng(7), r2 = axial::make_rng(7), r3 = axial::make_rng(8);
  CHECK(axial::datasets::sample_global(d, 50, r1) == axial::datasets::sample_global(d, 50, r2));
  CHECK(axial::datasets::sample_global(d, 50, r1) != axial::datasets::sample_global(d, 50, r3));
  auto r4 = axial::make_rng(0);
  CHECK_THROWS_AS(axial::datasets::sample_global(d, -1, r4), axial::Error);
  CHECK(axial::datasets::sample_global(d, 0, r4).cols() == 0);
}

TEST_CASE("local sampling: radii floor(n_i * rho), cutoff and deny list") {
  // sizes 3 (below cutoff 10), 64 -> floor(6.4) = 6, 10 (= cutoff) -> floor(1.0) = 1, 9 (below) -> 0, 40 -> 4
  FakeData d({3, 64, 10, 9, 40});
  LocalSampler s(d, {0.1, 10, {}});
  CHECK(s.radii() == std::vector<std::int64_t>{0, 6, 1, 0, 4});
  LocalSampler cut(d, {0.1, 3, {}});  // cutoff 3: every factor with >= 3 values varies; floor(3·0.1) = 0 anyway
  CHECK(cut.radii() == std::vector<std::int64_t>{0, 6, 1, 0, 4});
  LocalSampler wide(d, {0.5, 1, {}});
  CHECK(wide.radii() == std::vector<std::int64_t>{1, 32, 5, 4, 20});
  LocalSampler all(d, {1.0, 1, {}});
  CHECK(all.radii() == std::vector<std::int64_t>{3, 64, 10, 9, 40});
  LocalSampler denied(d, {0.5, 1, {"f1", "4"}});  // by name and by index
  CHECK(denied.radii() == std::vector<std::int64_t>{1, 0, 5, 4, 0});
  CHECK(denied.denied() == std::vector<int>{1, 4});
  FakeData unordered({64, 64}, {0});  // unordered factors are deny-listed by default
  LocalSampler u(unordered, {0.1, 10, {}});
  CHECK(u.radii() == std::vector<std::int64_t>{0, 6});
}

TEST_CASE("local sampling: windows, clipping at the borders (not shifted), centroids held") {
  FakeData d({64, 64, 5});
  LocalSampler s(d, {0.1, 10, {}});  // r = 6, 6, 0
  auto rng = axial::make_rng(3);
  struct Case {
    std::int64_t c0, c1, lo0, hi0, lo1, hi1;
  };
  // centre 2: [0, 8] (a shifted window would reach 12); centre 63: [57, 63]; centre 30: [24, 36].
  for (const Case& k : {Case{2, 63, 0, 8, 57, 63}, Case{30, 0, 24, 36, 0, 6}, Case{63, 60, 57, 63, 54, 63}}) {
    FactorVector c(3);
    c << k.c0, k.c1, 4;
    FactorMatrix f = s.sample(c, 4000, rng);
    REQUIRE(f.cols() == 4000);
    CHECK(f.row(0).minCoeff() == k.lo0);
    CHECK(f.row(0).maxCoeff() == k.hi0);
    CHECK(f.row(1).minCoeff() == k.lo1);
    CHECK(f.row(1).maxCoeff() == k.hi1);
    CHECK((f.row(2).array() == 4).all());  // below the cutoff: held at the centroid
    CHECK(s.window_lo(0, k.c0) == k.lo0);
    CHECK(s.window_hi(0, k.c0) == k.hi0);
    // Uniform over the clipped window: each of the 9 values of [0, 8] about 4000/9 times.
    if (k.c0 == 2) {
      std::vector<int> count(9, 0);
      for (Eigen::Index j = 0; j < f.cols(); ++j) ++count[static_cast<std::size_t>(f(0, j))];
      for (int n : count) CHECK(std::abs(n - 4000.0 / 9) < 6 * std::sqrt(4000.0 / 9));
    }
  }
}

TEST_CASE("local sampling: centroids uniform, determinism by seed") {
  axial::datasets::ThreeDots td;
  LocalSampler s(td, {});
  auto r1 = axial::make_rng(42), r2 = axial::make_rng(42);
  FactorVector c1 = s.centroid(r1), c2 = s.centroid(r2);
  CHECK(c1 == c2);
  CHECK(s.sample(c1, 100, r1) == s.sample(c2, 100, r2));
  std::set<std::int64_t> seen;
  auto r3 = axial::make_rng(5);
  for (int i = 0; i < 2000; ++i) {
    FactorVector c = s.centroid(r3);
    for (int k = 0; k < 6; ++k) {
      REQUIRE(c(k) >= 0);
      REQUIRE(c(k) < 64);
    }
    seen.insert(c(0));
  }
  CHECK(seen.size() == 64);
}

TEST_CASE("local sampling: invalid options and centroids are errors naming the value") {
  FakeData d({64, 64});
  CHECK_THROWS_WITH_AS(LocalSampler(d, {0.0, 10, {}}), doctest::Contains("locality 0"), axial::Error);
  CHECK_THROWS_AS(LocalSampler(d, {-0.1, 10, {}}), axial::Error);
  CHECK_THROWS_AS(LocalSampler(d, {1.5, 10, {}}), axial::Error);
  CHECK_THROWS_AS(LocalSampler(d, {std::numeric_limits<double>::quiet_NaN(), 10, {}}), axial::Error);
  CHECK_NOTHROW(LocalSampler(d, {1.0, 10, {}}));
  CHECK_THROWS_WITH_AS(LocalSampler(d, {0.1, 0, {}}), doctest::Contains("cutoff 0"), axial::Error);
  CHECK_THROWS_WITH_AS(LocalSampler(d, {0.1, 10, {"size"}}), doctest::Contains("'size'"), axial::Error);
  CHECK_THROWS_AS(LocalSampler(d, {0.1, 10, {"2"}}), axial::Error);  // index out of range
  LocalSampler s(d, {});
  auto rng = axial::make_rng(0);
  FactorVector bad(2);
  bad << 64, 0;
  CHECK_THROWS_WITH_AS(s.sample(bad, 3, rng), doctest::Contains("f0 = 64"), axial::Error);
  FactorVector shortc(1);
  shortc << 0;
  CHECK_THROWS_AS(s.sample(shortc, 3, rng), axial::Error);
  FactorVector ok(2);
  ok << 1, 1;
  CHECK_THROWS_AS(s.sample(ok, -1, rng), axial::Error);
}

TEST_CASE("subset data sets: only existing rows are drawn") {
  // 4×4 grid, only rows with f0 == f1 exist (the diagonal), plus (3, 0).
  FactorMatrix rows(2, 5);
  rows << 0, 1, 2, 3, 3,  //
      0, 1, 2, 3, 0;
  FakeData d({4, 4}, {}, rows);
  auto rng = axial::make_rng(9);
  FactorMatrix g = axial::datasets::sample_global(d, 500, rng);
  std::set<std::pair<std::int64_t, std::int64_t>> seen;
  for (Eigen::Index j = 0; j < g.cols(); ++j) seen.insert({g(0, j), g(1, j)});
  CHECK(seen == std::set<std::pair<std::int64_t, std::int64_t>>{{0, 0}, {1, 1}, {2, 2}, {3, 3}, {3, 0}});
  LocalSampler s(d, {0.25, 1, {}});  // radius floor(4·0.25) = 1
  for (int t = 0; t < 50; ++t) {
    FactorVector c = s.centroid(rng);
    bool exists = false;
    for (Eigen::Index j = 0; j < rows.cols(); ++j) exists |= rows.col(j) == c;
    REQUIRE(exists);  // centroids are existing rows
    FactorMatrix f = s.sample(c, 20, rng);
    for (Eigen::Index j = 0; j < f.cols(); ++j) {
      bool in = false;
      for (Eigen::Index r = 0; r < rows.cols(); ++r) in |= rows.col(r) == f.col(j);
      REQUIRE(in);
      REQUIRE(std::abs(f(0, j) - c(0)) <= 1);
      REQUIRE(std::abs(f(1, j) - c(1)) <= 1);
    }
  }
  FactorVector empty(2);
  empty << 0, 3;  // no existing row within 1 of (0, 3)
  CHECK_THROWS_WITH_AS(s.sample(empty, 5, rng), doctest::Contains("no row inside the window"), axial::Error);
}
