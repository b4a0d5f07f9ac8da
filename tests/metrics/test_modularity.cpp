// Modularity (Ridgeway & Mozer 2018, disentanglement_lib's modularity()), from hand-built MI matrices.
#include <doctest/doctest.h>

#include <cmath>

#include "metrics/modularity.hpp"

using namespace axial;

TEST_CASE("each latent informative about one factor → 1, constant latent → 0") {
  Eigen::MatrixXd m(3, 2);
  m << 0.7, 0.0,  //
      0.0, 0.2,   //
      0.0, 0.0;
  const ModularityResult r = modularity_from_mutual_info(m);
  CHECK(r.per_latent == std::vector<double>{1.0, 1.0, 0.0});
  CHECK(r.modularity == doctest::Approx(2.0 / 3.0));
}

TEST_CASE("closed form: row [2, 1, 0] → s = [4, 1, 0], δ = (5 − 4)/(4·2) = 1/8 → 0.875") {
  Eigen::MatrixXd m(1, 3);
  m << 2, 1, 0;
  CHECK(modularity_from_mutual_info(m).modularity == doctest::Approx(0.875).epsilon(1e-15));
}

TEST_CASE("a latent shared equally by two factors → 0") {
  // s = [a², a²]: δ = (2a² − a²)/(a²·1) = 1.
  Eigen::MatrixXd m(1, 2);
  m << 0.4, 0.4;
  CHECK(modularity_from_mutual_info(m).modularity == doctest::Approx(0.0));
}

TEST_CASE("varying-only modularity drops zero-entropy factors") {
  // K = 3 with factor 2 constant; row [a, a, 0]: all factors δ = a²/(a²·2) = ½ → 0.5;
  // varying factors only (K = 2): δ = 1 → 0.
  Eigen::MatrixXd m(1, 3);
  m << 0.3, 0.3, 0.0;
  Eigen::VectorXd h(3);
  h << 0.69, 0.69, 0.0;
  CHECK(modularity_from_mutual_info(m).modularity == doctest::Approx(0.5));
  CHECK(modularity_varying_from_mutual_info(m, h).modularity == doctest::Approx(0.0));
  const ModularityResult none = modularity_varying_from_mutual_info(m, Eigen::VectorXd::Zero(3));
  CHECK_FALSE(none.defined);
  CHECK(std::isnan(none.modularity));
}

TEST_CASE("single factor: informative latents are trivially modular") {
  Eigen::MatrixXd m(2, 1);
  m << 0.5, 0.0;
  CHECK(modularity_from_mutual_info(m).per_latent == std::vector<double>{1.0, 0.0});
}
