// DCI (Eastwood & Williams 2018) as disentanglement_lib's _compute_dci: values derived in the tests.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "metrics/dci.hpp"
#include "metrics/registry.hpp"

using namespace axial;

namespace {
// H of p (renormalised) in base b.
double H(std::vector<double> p, double b) {
  double s = 0;
  for (double v : p) s += v;
  double h = 0;
  for (double v : p) h -= v / s * std::log(v / s);
  return h / std::log(b);
}
// Two binary factors, alternating patterns, n samples.
FactorMatrix factors(Eigen::Index n) {
  FactorMatrix y(2, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    y(0, i) = i % 2;
    y(1, i) = (i / 2) % 2;
  }
  return y;
}
}  // namespace

TEST_CASE("DCI scores from an importance matrix: identity, uniform, duplicated") {
  DciResult r;
  dci_scores_from_importance(Eigen::MatrixXd::Identity(2, 2), r);
  const double one = 1.0 - H({1 + 1e-11, 1e-11}, 2);
  CHECK(r.disentanglement == doctest::Approx(one).epsilon(1e-14));
  CHECK(r.completeness == doctest::Approx(one).epsilon(1e-14));
  dci_scores_from_importance(Eigen::MatrixXd::Constant(2, 3, 0.25), r);
  CHECK(std::fabs(r.disentanglement) < 1e-12);
  CHECK(std::fabs(r.completeness) < 1e-12);
  // Latents 0 and 1 share factor 0 half and half, latent 2 is factor 1: D_i ≈ 1 for all, C_0 = 1 − H_3(½, ½, 0).
  Eigen::MatrixXd P(3, 2);
  P << 0.5, 0, 0.5, 0, 0, 1;
  dci_scores_from_importance(P, r);
  const double c0 = 1 - H({0.5 + 1e-11, 0.5 + 1e-11, 1e-11}, 3), c1 = 1 - H({1e-11, 1e-11, 1 + 1e-11}, 3);
  CHECK(r.completeness == doctest::Approx(0.5 * c0 + 0.5 * c1).epsilon(1e-12));
  const double d0 = 1 - H({0.5 + 1e-11, 1e-11}, 2), d2 = 1 - H({1e-11, 1 + 1e-11}, 2);
  CHECK(r.disentanglement == doctest::Approx(0.25 * d0 + 0.25 * d0 + 0.5 * d2).epsilon(1e-12));
  // All zero: uniform weights, D = C = 0 up to rounding.
  dci_scores_from_importance(Eigen::MatrixXd::Zero(2, 2), r);
  CHECK(std::fabs(r.disentanglement) < 1e-12);
  CHECK(std::fabs(r.completeness) < 1e-12);
}

TEST_CASE("DCI: good, bad and duplicated codes") {
  const Eigen::Index n = 40;
  const FactorMatrix y = factors(n);
  // Good: code l = factor l. Every tree splits once on its factor's code (pure leaves) → P = I, accuracy 1.
  const CodeMatrix good = y.cast<double>();
  const DciResult g = compute_dci(good, y, good, y);
  CHECK(g.importance.isApprox(Eigen::MatrixXd::Identity(2, 2)));
  CHECK(g.disentanglement == doctest::Approx(1 - H({1 + 1e-11, 1e-11}, 2)).epsilon(1e-12));
  CHECK(g.completeness == doctest::Approx(1 - H({1 + 1e-11, 1e-11}, 2)).epsilon(1e-12));
  CHECK(g.informativeness_train == 1.0);
  CHECK(g.informativeness_test == 1.0);
  // Bad: constant codes → no split anywhere → P = 0, D = C = 0; accuracy = the majority class (ties → the lowest
  // label after the prior's argmax: classes are balanced, so class 0 on half the samples).
  const CodeMatrix bad = CodeMatrix::Constant(2, n, 3.0);
  const DciResult b = compute_dci(bad, y, bad, y);
  CHECK(b.importance.isZero());
  CHECK(std::fabs(b.disentanglement) < 1e-12);
  CHECK(std::fabs(b.completeness) < 1e-12);
  CHECK(b.informativeness_train == 0.5);
  // Duplicated: codes 0 and 1 both equal factor 0, code 2 = factor 1. Factor 0's trees split on code 0 or 1 (an
  // exact tie broken by the splitter's feature order): its importance is shared, factor 1's is all on code 2.
  CodeMatrix dup(3, n);
  dup.row(0) = good.row(0);
  dup.row(1) = good.row(0);
  dup.row(2) = good.row(1);
  const DciResult d = compute_dci(dup, y, dup, y);
  CHECK(d.importance(2, 0) == 0.0);
  CHECK(d.importance(0, 0) > 0.0);
  CHECK(d.importance(1, 0) > 0.0);
  CHECK(d.importance(0, 0) + d.importance(1, 0) == doctest::Approx(1.0));
  CHECK(d.importance(2, 1) == doctest::Approx(1.0));
  const double a = d.importance(0, 0);
  const double c0 = 1 - H({a + 1e-11, 1 - a + 1e-11, 1e-11}, 3), c1 = 1 - H({1e-11, 1e-11, 1 + 1e-11}, 3);
  CHECK(d.completeness == doctest::Approx(0.5 * c0 + 0.5 * c1).epsilon(1e-9));
  CHECK(d.completeness < g.completeness);
  CHECK(d.disentanglement == doctest::Approx(1 - H({1 + 1e-11, 1e-11}, 2)).epsilon(1e-9));
}

TEST_CASE("DCI degenerate cases: single-valued factor, one factor, one latent") {
  const Eigen::Index n = 20;
  FactorMatrix y = factors(n);
  y.row(1).setConstant(4);
  const CodeMatrix z = factors(n).cast<double>();
  const DciResult r = compute_dci(z, y, z, y);
  CHECK(std::isnan(r.disentanglement));
  CHECK(r.informativeness_undefined_reason.find("factor 1 has a single value") != std::string::npos);
  const FactorMatrix y1 = factors(n).topRows(1);
  const DciResult one_factor = compute_dci(z, y1, z, y1);
  CHECK(std::isnan(one_factor.disentanglement));
  CHECK(!one_factor.disentanglement_undefined_reason.empty());
  CHECK(std::isfinite(one_factor.completeness));
  // One latent predicting both factors (y1 = 1 − y0): P = [[1, 1]] → D = 1 − H_2(1, 1) = 0, completeness undefined.
  const CodeMatrix z1 = z.topRows(1);
  FactorMatrix y01(2, n);
  y01.row(0) = factors(n).row(0);
  y01.row(1) = 1 - factors(n).row(0).array();
  const DciResult one_latent = compute_dci(z1, y01, z1, y01);
  CHECK(std::isnan(one_latent.completeness));
  CHECK(std::fabs(one_latent.disentanglement) < 1e-12);
  // A factor no code informs: its trees split without reducing impurity, importances 0/0 (NaN in the original).
  FactorMatrix y2 = factors(n);
  const DciResult none = compute_dci(z1, y2, z1, y2);
  CHECK(std::isnan(none.disentanglement));
  CHECK(none.disentanglement_undefined_reason.find("factor 1") != std::string::npos);
}

TEST_CASE("DCI in the registry: split by num_train, keys") {
  const Eigen::Index n = 40;
  const FactorMatrix y = factors(n);
  const CodeMatrix z = y.cast<double>();
  ScoreInputs in;
  in.codes = &z;
  in.factors = &y;
  in.num_train = 30;
  const ScoreSheet s = compute_metrics(parse_metric_list("dci"), in);
  CHECK(s.value("dci_informativeness_test") == 1.0);
  CHECK(s.find("dci_importance_matrix") != nullptr);
  CHECK(s.find("dci_completeness") != nullptr);
}
