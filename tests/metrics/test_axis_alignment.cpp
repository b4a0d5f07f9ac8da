// Jacobian axis alignment: closed-form cases derived from the definitions in metrics/axis_alignment.hpp.
#include <cmath>
#include <vector>

#include "metrics/axis_alignment.hpp"
#include "src/core/error.hpp"

#include <doctest/doctest.h>

using axial::axis_alignment;
using axial::axis_alignment_anchor;
using doctest::Approx;

TEST_CASE("axis alignment: identity map scores 1") {
  // E = I: every column has one non-zero entry (f = 1), every row too (p = Σ_l (1/K)·1 = 1).
  const auto s = axis_alignment_anchor(Eigen::MatrixXd::Identity(4, 4));
  CHECK(s.defined);
  CHECK(s.factor_purity == Approx(1.0));
  CHECK(s.latent_purity == Approx(1.0));
  CHECK(s.axis_alignment == Approx(1.0));
}

TEST_CASE("axis alignment: a permuted, rescaled identity still scores 1") {
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(3, 3);
  m(0, 2) = -5.0;
  m(1, 0) = 0.1;
  m(2, 1) = 3.0;
  CHECK(axis_alignment_anchor(m).axis_alignment == Approx(1.0));
}

TEST_CASE("axis alignment: two factors mixed by a 45-degree rotation score 0.5") {
  // B = [[cos, -sin], [sin, cos]] at 45°: E = 0.5 everywhere. f = mean_k 0.5/1 = 0.5; p = Σ_l 0.5·(0.5/1) = 0.5;
  // harmonic mean of 0.5 and 0.5 = 0.5.
  const double c = std::cos(M_PI / 4), s = std::sin(M_PI / 4);
  Eigen::MatrixXd m(2, 2);
  m << c, -s, s, c;
  const auto r = axis_alignment_anchor(m);
  CHECK(r.factor_purity == Approx(0.5));
  CHECK(r.latent_purity == Approx(0.5));
  CHECK(r.axis_alignment == Approx(0.5));
}

TEST_CASE("axis alignment: a dead latent does not count") {
  // Identity plus a zero row (latent 2 dead): column maxima and sums are unchanged (f = 1); the dead row has
  // weight 0 (p = 1). A live but noisy extra latent would lower both — the negative control below.
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(3, 2);
  m(0, 0) = 1.0;
  m(1, 1) = 1.0;
  const auto r = axis_alignment_anchor(m);
  CHECK(r.factor_purity == Approx(1.0));
  CHECK(r.latent_purity == Approx(1.0));
  CHECK(r.axis_alignment == Approx(1.0));

  // Negative control: latent 2 responds equally to both factors with entries 1 (E row = [1, 1]).
  // Columns: E = [[1,0],[0,1],[1,1]] → each column max 1, sum 2 → f = 0.5.
  // Rows: total ΣE = 4; p = (1/4)·1 + (1/4)·1 + (2/4)·(1/2) = 0.75. a = 2·0.5·0.75/1.25 = 0.6.
  m(2, 0) = 1.0;
  m(2, 1) = 1.0;
  const auto n = axis_alignment_anchor(m);
  CHECK(n.factor_purity == Approx(0.5));
  CHECK(n.latent_purity == Approx(0.75));
  CHECK(n.axis_alignment == Approx(0.6));
}

TEST_CASE("axis alignment: latent purity is weighted by each latent's share of the total") {
  // E = [[4, 0], [1, 1]] (B = [[2,0],[1,1]]): total 6. p = (4/6)·1 + (2/6)·(1/2) = 5/6.
  // Columns: factor 0: max 4 / sum 5 = 0.8; factor 1: 1/1 = 1 → f = 0.9. a = 2·0.9·(5/6)/(0.9 + 5/6).
  Eigen::MatrixXd m(2, 2);
  m << 2, 0, 1, 1;
  const auto r = axis_alignment_anchor(m);
  CHECK(r.factor_purity == Approx(0.9));
  CHECK(r.latent_purity == Approx(5.0 / 6.0));
  CHECK(r.axis_alignment == Approx(2 * 0.9 * (5.0 / 6.0) / (0.9 + 5.0 / 6.0)));
}

TEST_CASE("axis alignment: an unresponsive factor is left out of factor purity and counted") {
  // Factor 1 moves nothing (zero column). f over factor 0 only = 1; p = 1.
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(2, 2);
  m(0, 0) = 3.0;
  const auto r = axis_alignment_anchor(m);
  CHECK(r.defined);
  CHECK(r.unresponsive_factors == 1);
  CHECK(r.axis_alignment == Approx(1.0));
}

TEST_CASE("axis alignment: summary means, spread and undefined anchors") {
  const double c = std::cos(M_PI / 4), s = std::sin(M_PI / 4);
  Eigen::MatrixXd rot(2, 2);
  rot << c, -s, s, c;
  std::vector<Eigen::MatrixXd> anchors = {Eigen::MatrixXd::Identity(2, 2), rot, Eigen::MatrixXd::Zero(2, 2)};
  const auto r = axis_alignment(anchors);
  CHECK(r.num_anchors == 3);
  CHECK(r.num_undefined_anchors == 1);
  // Defined anchors score 1 and 0.5: mean 0.75, population std 0.25, median 0.75, p10 = 0.5 + 0.1·0.5 = 0.55.
  CHECK(r.axis_alignment == Approx(0.75));
  CHECK(r.factor_purity == Approx(0.75));
  CHECK(r.latent_purity == Approx(0.75));
  CHECK(r.axis_alignment_std == Approx(0.25));
  CHECK(r.axis_alignment_median == Approx(0.75));
  CHECK(r.axis_alignment_p10 == Approx(0.55));
  CHECK(r.axis_alignment_p90 == Approx(0.95));
  REQUIRE(r.per_anchor.size() == 3);
  CHECK(std::isnan(r.per_anchor[2]));
}

TEST_CASE("axis alignment: bad input is an axial::Error") {
  CHECK_THROWS_AS(axis_alignment({}), axial::Error);
  CHECK_THROWS_AS(axis_alignment({Eigen::MatrixXd::Zero(2, 2)}), axial::Error);  // nothing responds anywhere
  CHECK_THROWS_AS(axis_alignment({Eigen::MatrixXd::Identity(2, 2), Eigen::MatrixXd::Identity(3, 2)}), axial::Error);
  Eigen::MatrixXd nan = Eigen::MatrixXd::Identity(2, 2);
  nan(0, 1) = std::nan("");
  CHECK_THROWS_AS(axis_alignment_anchor(nan), axial::Error);
  CHECK_THROWS_AS(axis_alignment_anchor(Eigen::MatrixXd(0, 3)), axial::Error);
}

TEST_CASE("decoder variant: least squares recovers the factor coefficients") {
  // G (4 pixels × 2 factors), a known A (2×3), J = G·A exactly → A recovered.
  Eigen::MatrixXd g(4, 2);
  g << 1, 0, 0, 1, 1, 1, 2, -1;
  Eigen::MatrixXd a(2, 3);
  a << 1, 0, 0.5, 0, 2, 0;
  const Eigen::MatrixXd got = axial::decoder_factor_coefficients(g, g * a);
  CHECK((got - a).cwiseAbs().maxCoeff() < 1e-12);
  // Latent 2 = 0.5·factor 0 too: Aᵀ = [[1,0],[0,2],[0.5,0]], E = [[1,0],[0,4],[0.25,0]]:
  // f = mean(1/1.25, 4/4) = 0.9; p = (1 + 4 + 0.25)/5.25 = 1; a = 2·0.9/1.9.
  const auto s = axis_alignment_anchor(got.transpose());
  CHECK(s.factor_purity == Approx(0.9));
  CHECK(s.latent_purity == Approx(1.0));
  CHECK(s.axis_alignment == Approx(1.8 / 1.9));
}

TEST_CASE("decoder variant: a factor that changes no pixel gets a zero coefficient row") {
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(3, 2);
  g(0, 0) = 1;
  g(1, 0) = 1;  // factor 1 changes nothing (e.g. an occluded dot)
  Eigen::MatrixXd j(3, 1);
  j << 2, 2, 0;
  const Eigen::MatrixXd got = axial::decoder_factor_coefficients(g, j);
  CHECK(got(0, 0) == Approx(2.0));
  CHECK(std::abs(got(1, 0)) < 1e-12);
  CHECK_THROWS_AS(axial::decoder_factor_coefficients(g, Eigen::MatrixXd::Zero(4, 1)), axial::Error);
}

TEST_CASE("difference stencil: central inside, one-sided at the borders") {
  auto mid = axial::difference_stencil(5, 64);
  CHECK(mid.lo == 4);
  CHECK(mid.hi == 6);
  CHECK(mid.inverse_step() == 0.5);
  auto first = axial::difference_stencil(0, 64);
  CHECK(first.lo == 0);
  CHECK(first.hi == 1);
  CHECK(first.inverse_step() == 1.0);
  auto last = axial::difference_stencil(63, 64);
  CHECK(last.lo == 62);
  CHECK(last.hi == 63);
  CHECK_THROWS_AS(axial::difference_stencil(64, 64), axial::Error);
  CHECK_THROWS_AS(axial::difference_stencil(0, 1), axial::Error);
}
