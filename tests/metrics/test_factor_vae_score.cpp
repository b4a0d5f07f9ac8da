// FactorVAE and BetaVAE scores (disentanglement_lib's factor_vae / beta_vae) and sklearn's default
// LogisticRegression, on cases worked by hand.
#include <doctest/doctest.h>

#include <cmath>

#include "metrics/factor_vae_score.hpp"
#include "metrics/logistic_regression.hpp"
#include "src/core/error.hpp"

using namespace axial;

TEST_CASE("FactorVAE score: votes, majority classifier and pruning worked by hand") {
  // Two latents, global variances from four points: z0 = (0, 2, 0, 2) → var 4/3; z1 = (0, 0, 6, 6) → var 12.
  CodeMatrix var(2, 4);
  var << 0, 2, 0, 2,  //
      0, 0, 6, 6;
  // Votes of batch 2. Vote with factor 0 fixed: z0 constant, z1 varies → argmin = latent 0. Factor 1 fixed: z1
  // constant → latent 1. Train votes: (k=0 → 0), (k=1 → 1), (k=1 → 0): classifier col 0 → factor 0 (1 vs 1 tie →
  // lowest), col 1 → factor 1. Train accuracy = (1 + 1) / 3.
  CodeMatrix tr(2, 6);
  tr << 1, 1, 0, 2, 5, 5,  //
      0, 3, 2, 2, 0, 9;
  const std::vector<std::int64_t> tk = {0, 1, 1};
  CodeMatrix ev(2, 4);
  ev << 1, 1, 0, 2,  //
      0, 3, 2, 2;
  const std::vector<std::int64_t> ek = {1, 1};  // votes (k=1 → 0) wrong, (k=1 → 1) right → 1/2
  const FactorVaeResult r = factor_vae_score(var, tr, tk, ev, ek, 2, 2, Precision::Float64);
  CHECK(r.active_dims == 2);
  CHECK(r.train_accuracy == doctest::Approx(2.0 / 3.0));
  CHECK(r.eval_accuracy == doctest::Approx(0.5));
  // Prune: latent 1's std sqrt(12) ≥ 0.05 stays, latent 0 scaled to std < 0.05 is dropped, so every vote goes to the
  // active subset's index 0 (= latent 1): classifier col 0 = factor 1 (2 of 3 votes).
  CodeMatrix var2 = var;
  var2.row(0) *= 0.01;  // std = 0.02·sqrt(1/3)·… < 0.05
  const FactorVaeResult p = factor_vae_score(var2, tr, tk, ev, ek, 2, 2, Precision::Float64);
  CHECK(p.active_dims == 1);
  CHECK(p.train_accuracy == doctest::Approx(2.0 / 3.0));
  CHECK(p.eval_accuracy == doctest::Approx(1.0));
  // No active dim: zeros, as the original.
  const FactorVaeResult none = factor_vae_score(var * 0.0, tr, tk, ev, ek, 2, 2, Precision::Float64);
  CHECK(none.active_dims == 0);
  CHECK(none.train_accuracy == 0.0);
  CHECK_THROWS_AS(factor_vae_score(var, tr, {0, 1, 2}, ev, ek, 2, 2, Precision::Float64), Error);
}

TEST_CASE("BetaVAE feature: mean absolute difference in the codes' type") {
  CodeMatrix a(1, 2), b(1, 2);
  a << 1.0, 16777216.0;  // 2^24
  b << 0.0, 16777217.0;  // not a float32: rounds to 2^24 in float32
  CHECK(beta_vae_feature(a, b, Precision::Float64)(0) == doctest::Approx(1.0));
  CHECK(beta_vae_feature(a, b, Precision::Float32)(0) == 0.5);
}

TEST_CASE("logistic regression: binary optimum satisfies w = 2·sigmoid(-w) on a symmetric pair") {
  // x = (−1, 1), y = (0, 1), C = 1: by symmetry b = 0 and ∂/∂w [log(1+e^{−w})·2 + w²/2] = 0 ⇔ w = 2σ(−w).
  Eigen::MatrixXd x(1, 2);
  x << -1, 1;
  LogisticRegression m;
  m.fit(x, {0, 1});
  const double w = m.weights()(0, 0);
  CHECK(w == doctest::Approx(2.0 / (1.0 + std::exp(w))).epsilon(1e-12));
  CHECK(std::fabs(m.intercepts()(0)) < 1e-12);
  CHECK(m.predict(x) == std::vector<std::int64_t>{0, 1});
}

TEST_CASE("logistic regression: multinomial optimum has zero gradient of the sklearn objective") {
  // Three classes on a line: the stationarity conditions Σ_i (p_ik − y_ik) x̃_i + (w_k, 0)/C = 0, checked here.
  Eigen::MatrixXd x(1, 6);
  x << -2, -1.5, 0, 0.3, 2, 2.5;
  const std::vector<std::int64_t> y = {3, 3, 5, 5, 9, 9};
  LogisticRegression m;
  m.fit(x, y);
  Eigen::MatrixXd grad = Eigen::MatrixXd::Zero(3, 2);
  for (int i = 0; i < 6; ++i) {
    Eigen::VectorXd s = m.weights() * x.col(i) + m.intercepts();
    Eigen::VectorXd p = (s.array() - s.maxCoeff()).exp();
    p /= p.sum();
    for (int k = 0; k < 3; ++k) {
      const double r = p(k) - (y[static_cast<std::size_t>(i)] == m.classes()[static_cast<std::size_t>(k)] ? 1 : 0);
      grad(k, 0) += r * x(0, i);
      grad(k, 1) += r;
    }
  }
  grad.col(0) += m.weights().col(0);
  CHECK(grad.cwiseAbs().maxCoeff() < 1e-9);
  CHECK(m.predict(x) == y);
  CHECK_THROWS_AS(m.fit(x, {1, 1, 1, 1, 1, 1}), Error);
}

TEST_CASE("BetaVAE score: separable features give accuracy 1") {
  Eigen::MatrixXd f(2, 4);
  f << 0.1, 0.2, 1.0, 1.1,  //
      1.0, 0.9, 0.1, 0.2;
  const BetaVaeResult r = beta_vae_score(f, {0, 0, 1, 1}, f, {0, 0, 1, 1});
  CHECK(r.train_accuracy == 1.0);
  CHECK(r.eval_accuracy == 1.0);
}
