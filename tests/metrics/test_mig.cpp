// MIG (Chen et al. 2018, disentanglement_lib's _compute_mig): closed-form triad plus degenerate cases.
#include <doctest/doctest.h>

#include <cmath>

#include "src/core/error.hpp"
#include "metrics/mig.hpp"

using namespace axial;

namespace {
// Two independent balanced bits over 4 samples: (0,0), (0,1), (1,0), (1,1).
FactorMatrix two_bits() {
  FactorMatrix y(2, 4);
  y << 0, 0, 1, 1,  //
      0, 1, 0, 1;
  return y;
}
}  // namespace

TEST_CASE("perfect codes: each latent copies one factor → MIG = 1") {
  // m = [[ln2, 0], [0, ln2]], H = [ln2, ln2] → gaps (ln2 − 0)/ln2 = 1.
  const FactorMatrix y = two_bits();
  const CodeMatrix z = y.cast<double>();
  const MigResult r = compute_mig(z, y);
  CHECK(r.mig == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(r.winning_latent == std::vector<int>{0, 1});
  CHECK(r.skipped_factors == 0);
}

TEST_CASE("duplicated latents: both copy factor 0 → gap 0 for it") {
  // latents 0 and 1 both = factor 0; latent 2 = factor 1. Factor 0: m1 = m2 = ln2 → 0; factor 1: 1. MIG = 0.5.
  const FactorMatrix y = two_bits();
  CodeMatrix z(3, 4);
  z.row(0) = y.row(0).cast<double>();
  z.row(1) = y.row(0).cast<double>();
  z.row(2) = y.row(1).cast<double>();
  const MigResult r = compute_mig(z, y);
  CHECK(r.per_factor[0] == doctest::Approx(0.0));
  CHECK(r.per_factor[1] == doctest::Approx(1.0));
  CHECK(r.mig == doctest::Approx(0.5));
}

TEST_CASE("one latent shared by two factors") {
  // latent 0 = 2·y0 + y1 (4 distinct values → determines both bits): m[0,:] = [ln2, ln2]; latent 1 constant.
  // Each factor: gap (ln2 − 0)/ln2 = 1, won by latent 0 — MIG cannot see the sharing (modularity does).
  const FactorMatrix y = two_bits();
  CodeMatrix z(2, 4);
  z.row(0) = (2 * y.row(0) + y.row(1)).cast<double>();
  z.row(1).setConstant(3.0);
  const MigResult r = compute_mig(z, y);
  CHECK(r.mig == doctest::Approx(1.0));
  CHECK(r.winning_latent == std::vector<int>{0, 0});
}

TEST_CASE("constant codes → MIG = 0") {
  const FactorMatrix y = two_bits();
  const CodeMatrix z = CodeMatrix::Constant(3, 4, 0.25);
  CHECK(compute_mig(z, y).mig == 0.0);
}

TEST_CASE("zero-entropy factors are skipped and counted, all skipped → undefined with a reason") {
  FactorMatrix y(2, 4);
  y << 0, 1, 0, 1,  //
      4, 4, 4, 4;
  CodeMatrix z(2, 4);
  z << 0, 1, 0, 1,  //
      1, 1, 0, 0;
  const MigResult r = compute_mig(z, y);
  CHECK(r.skipped_factors == 1);
  CHECK(r.mig == doctest::Approx(1.0));
  CHECK(std::isnan(r.per_factor[1]));
  CHECK(r.winning_latent[1] == -1);

  const FactorMatrix constant = FactorMatrix::Constant(2, 4, 1);
  const MigResult u = compute_mig(z, constant);
  CHECK_FALSE(u.defined);
  CHECK(std::isnan(u.mig));
  CHECK(u.skipped_factors == 2);
  CHECK_FALSE(u.undefined_reason.empty());
}

TEST_CASE("MIG needs two latents") {
  const FactorMatrix y = two_bits();
  CHECK_THROWS_AS(compute_mig(CodeMatrix::Zero(1, 4), y), Error);
}
