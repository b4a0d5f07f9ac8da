// Explicitness (Ridgeway & Mozer 2018, disentanglement_lib): AUC rules by hand, separable and uninformative codes.
#include <doctest/doctest.h>

#include <cmath>

#include "src/core/error.hpp"
#include "metrics/explicitness.hpp"

using namespace axial;

TEST_CASE("macro one-vs-rest AUC: the textbook binary example gives 0.75") {
  // scores 0.1, 0.4, 0.35, 0.8 for y = 0, 0, 1, 1: of the 4 (positive, negative) pairs, 3 are ordered → 0.75.
  // Class 0's column is 1 − p, which orders the same pairs → 0.75 too; macro mean 0.75.
  Eigen::MatrixXd s(4, 2);
  s << 0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8;
  const std::vector<std::int64_t> y{0, 0, 1, 1};
  CHECK(macro_ovr_auc(s, {0, 1}, y.data(), 4) == doctest::Approx(0.75).epsilon(1e-15));
}

TEST_CASE("AUC: ties get half credit, a single class present has no AUC") {
  Eigen::MatrixXd s = Eigen::MatrixXd::Constant(4, 2, 0.5);
  const std::vector<std::int64_t> y{0, 1, 0, 1}, one{1, 1, 1, 1};
  CHECK(macro_ovr_auc(s, {0, 1}, y.data(), 4) == 0.5);
  CHECK(std::isnan(macro_ovr_auc(s, {0, 1}, one.data(), 4)));
}

namespace {
// Three classes, one-hot codes: class c sits at 5·e_c plus a small deterministic jitter.
void one_hot(Eigen::Index n, CodeMatrix& z, FactorMatrix& y) {
  z = CodeMatrix::Zero(3, n);
  y.resize(1, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto c = i % 3;
    y(0, i) = 10 * c;  // labels 0, 10, 20
    z(c, i) = 5.0 + 0.01 * static_cast<double>((i * 7) % 11);
    z((c + 1) % 3, i) = 0.01 * static_cast<double>((i * 5) % 13);
  }
}
}  // namespace

TEST_CASE("separable codes → explicitness 1 on train and test") {
  // Each class is separated from the rest by its own coordinate, so every one-vs-rest probability ranks the
  // class's samples above all others: every per-class AUC is 1.
  CodeMatrix ztr, zte;
  FactorMatrix ytr, yte;
  one_hot(300, ztr, ytr);
  one_hot(90, zte, yte);
  const ExplicitnessResult r = compute_explicitness(ztr, ytr, zte, yte, 2);
  CHECK(r.train == 1.0);
  CHECK(r.test == 1.0);
}

TEST_CASE("constant codes → every probability ties → explicitness 0.5, single-class factor skipped") {
  // A constant latent standardises to 0, so every sample gets the same probabilities: all AUCs are 0.5.
  const CodeMatrix z = CodeMatrix::Constant(2, 8, 3.0);
  FactorMatrix y(2, 8);
  y << 0, 1, 2, 0, 1, 2, 0, 1,  //
      5, 5, 5, 5, 5, 5, 5, 5;
  const ExplicitnessResult r = compute_explicitness(z, y, z, y, 1);
  CHECK(r.train == 0.5);
  CHECK(r.test == 0.5);
  CHECK(r.skipped_factors == 1);
  CHECK(std::isnan(r.per_factor_train[1]));
}

TEST_CASE("binary factor on a separable latent") {
  CodeMatrix z(2, 6);
  z << -2, -1, -1.5, 1, 2, 1.5,  //
      0.3, 0.1, 0.2, 0.2, 0.1, 0.3;
  FactorMatrix y(1, 6);
  y << 4, 4, 4, 9, 9, 9;
  const ExplicitnessResult r = compute_explicitness(z, y, z, y, 1);
  CHECK(r.train == 1.0);
}
