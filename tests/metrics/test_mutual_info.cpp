// Discrete mutual information / entropy (sklearn.metrics.mutual_info_score), closed-form cases.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "metrics/mutual_info.hpp"

using namespace axial;

TEST_CASE("a balanced bit has I(y,y) = ln 2") {
  const std::vector<std::int64_t> y{0, 1, 0, 1};
  CHECK(mutual_info_score(y.data(), y.data(), 4) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
}

TEST_CASE("independent variables have zero MI, a single class has exactly zero") {
  const std::vector<std::int64_t> a{0, 0, 1, 1}, b{0, 1, 0, 1}, c{7, 7, 7, 7};
  CHECK(mutual_info_score(a.data(), b.data(), 4) == 0.0);
  CHECK(mutual_info_score(a.data(), c.data(), 4) == 0.0);
}

TEST_CASE("four equiprobable classes: ln 4, unbalanced bit: −(¾ ln ¾ + ¼ ln ¼)") {
  const std::vector<std::int64_t> y{3, 9, -2, 5, 3, 9, -2, 5};
  CHECK(mutual_info_score(y.data(), y.data(), 8) == doctest::Approx(std::log(4.0)).epsilon(1e-15));
  const std::vector<std::int64_t> u{0, 0, 0, 1};
  CHECK(mutual_info_score(u.data(), u.data(), 4) ==
        doctest::Approx(-(0.75 * std::log(0.75) + 0.25 * std::log(0.25))).epsilon(1e-15));
}

TEST_CASE("MI matrix and factor entropy") {
  // factor 0 = balanced bit, factor 1 = independent balanced bit; latent 0 copies factor 0, latent 1 is constant.
  LabelMatrix labels(2, 4);
  labels << 1, 2, 1, 2,  //
      5, 5, 5, 5;
  FactorMatrix y(2, 4);
  y << 0, 1, 0, 1,  //
      0, 0, 1, 1;
  const Eigen::MatrixXd m = mutual_info_matrix(labels, y, 2);
  CHECK(m(0, 0) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
  CHECK(m(0, 1) == 0.0);
  CHECK(m(1, 0) == 0.0);
  CHECK(m(1, 1) == 0.0);
  const Eigen::VectorXd h = factor_entropy(y);
  CHECK(h(0) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
  CHECK(h(1) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
}

TEST_CASE("pairwise_sum equals the plain sum on exactly representable values") {
  std::vector<double> v;
  for (int i = 0; i < 1000; ++i) v.push_back(i);
  CHECK(detail::pairwise_sum(v.data(), v.size()) == 999.0 * 1000.0 / 2.0);
}
