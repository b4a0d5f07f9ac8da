// disentanglement_lib's unsupervised scores: values derived in the tests.
#include <doctest/doctest.h>

#include <cmath>

#include "metrics/unsupervised.hpp"
#include "src/core/error.hpp"

using namespace axial;

TEST_CASE("unsupervised: uncorrelated codes score zero") {
  // z1 = (1,−1,1,−1), z2 = (1,1,−1,−1): mean 0, Σ = (4/3)·I → TC = 0, W = 0; the binned codes are independent → MI 0.
  CodeMatrix z(2, 4);
  z << 1, -1, 1, -1,  //
      1, 1, -1, -1;
  const UnsupervisedResult r = compute_unsupervised(z, {});
  CHECK(std::fabs(r.gaussian_total_correlation) < 1e-15);
  CHECK(std::fabs(r.gaussian_wasserstein_correlation) < 1e-14);
  CHECK(std::fabs(r.mutual_info_score) < 1e-15);
}

TEST_CASE("unsupervised: a correlated pair worked by hand") {
  // z1 = (1,−1,1,−1), z2 = (2,−2,0,0): Σ = [[4/3, 4/3], [4/3, 8/3]], det 16/9 → TC = ½ log((4/3)(8/3)/(16/9)) = ½ log 2.
  // D^½ΣD^½ has trace 80/9 and determinant 512/81 → tr sqrt = sqrt(80/9 + 2·sqrt(512)/9); W = 2·4 − 2·that.
  // Bins: z1 → (20, 1, 20, 1); z2 → (20, 1, 11, 11): H(z1) = log 2, H(z2) = 1.5 log 2, H(joint) = 2 log 2 → MI ½ log 2.
  CodeMatrix z(2, 4);
  z << 1, -1, 1, -1,  //
      2, -2, 0, 0;
  const UnsupervisedResult r = compute_unsupervised(z, {});
  CHECK(r.gaussian_total_correlation == doctest::Approx(0.5 * std::log(2.0)).epsilon(1e-14));
  const double w = 8 - 2 * std::sqrt(80.0 / 9 + 2 * std::sqrt(512.0) / 9);
  CHECK(r.gaussian_wasserstein_correlation == doctest::Approx(w).epsilon(1e-13));
  CHECK(r.gaussian_wasserstein_correlation_norm == doctest::Approx(w / 4).epsilon(1e-13));
  CHECK(r.mutual_info_score == doctest::Approx(0.5 * std::log(2.0)).epsilon(1e-14));
}

TEST_CASE("unsupervised degenerate cases: constant code, duplicated codes, one latent") {
  CodeMatrix z(2, 4);
  z << 1, -1, 1, -1,  //
      5, 5, 5, 5;
  const UnsupervisedResult c = compute_unsupervised(z, {});
  CHECK(std::isnan(c.gaussian_total_correlation));
  CHECK(c.total_correlation_undefined_reason.find("constant") != std::string::npos);
  // The zero row and column drop out of the Wasserstein term: W = 2·(4/3) − 2·(4/3) = 0.
  CHECK(std::fabs(c.gaussian_wasserstein_correlation) < 1e-15);
  CodeMatrix d(2, 4);
  d << 1, -1, 2, 0,  //
      1, -1, 2, 0;
  const UnsupervisedResult u = compute_unsupervised(d, {});
  CHECK(std::isnan(u.gaussian_total_correlation));
  CHECK(!u.total_correlation_undefined_reason.empty());
  // Σ = v·[[1,1],[1,1]] → D^½ΣD^½ = v²·[[1,1],[1,1]], eigenvalues 2v², 0 → W = 4v − 2·sqrt(2)·v.
  const double v = 5.0 / 3;  // mean ½, deviations (½, −3/2, 3/2, −½): Σ = 5, / (N − 1)
  CHECK(u.gaussian_wasserstein_correlation == doctest::Approx(4 * v - 2 * std::sqrt(2.0) * v).epsilon(1e-13));
  CHECK_THROWS_AS(compute_unsupervised(z.topRows(1), {}), Error);
}
