// Decoder Jacobians: exact JVPs against autograd (adjoint identity) and against forward differences; the L/k column
// estimator's unbiasedness.
#include <torch/torch.h>

#include <set>

#include "models/loss.hpp"
#include "models/vae.hpp"

#include <doctest/doctest.h>  // last: glog redefines CHECK

using namespace axial::models;

TEST_CASE("exact JVP satisfies <u, J t> = <J^T u, t> with J^T u from autograd") {
  torch::set_num_threads(1);
  torch::manual_seed(7);
  Vae vae(VaeOptions{2, 5});
  vae->to(torch::kDouble);
  auto z = torch::randn({3, 5}, torch::kDouble);
  auto u = torch::randn({3, 2, 64, 64}, torch::kDouble);
  // J^T u per point by reverse mode.
  auto zr = z.clone().requires_grad_(true);
  auto out = vae->decode(zr);
  auto jtu = torch::autograd::grad({(out * u).sum()}, {zr})[0];  // (3,5)
  // J e_l per point by our forward mode; <u_b, J_b e_l> must equal (J^T u)_{b,l}.
  auto jac = decoder_jacobian(vae, z);  // (3,5,2,64,64)
  CHECK(jac.sizes().vec() == std::vector<int64_t>{3, 5, 2, 64, 64});
  auto ujt = (jac * u.unsqueeze(1)).sum({2, 3, 4});  // (3,5)
  CHECK(torch::allclose(ujt, jtu, 1e-10, 1e-9));
}

TEST_CASE("fd and exact Jacobians agree within finite-difference error") {
  torch::set_num_threads(1);
  torch::manual_seed(8);
  Vae vae(VaeOptions{1, 4});
  auto z = torch::randn({2, 4});
  auto dirs = all_column_directions(2, 4, z.options());
  // Directions layout: row l·B + b = e_l.
  CHECK(torch::equal(dirs[5], torch::tensor({0.f, 0.f, 1.f, 0.f})));
  torch::NoGradGuard ng;
  {
    // Double precision, small ε: agreement to ~1e-6 (truncation O(ε), ReLU kinks are measure-zero).
    Vae vd(VaeOptions{1, 4});
    vd->to(torch::kDouble);
    auto zd = z.to(torch::kDouble);
    auto dd = dirs.to(torch::kDouble);
    auto fd = decoder_jvp(vd, zd, dd, JacobianMethod::FiniteDifference, 1e-7);
    auto ex = decoder_jvp(vd, zd, dd, JacobianMethod::Exact);
    CHECK(ex.sizes().vec() == std::vector<int64_t>{8, 1, 64, 64});
    CHECK((fd - ex).abs().max().item<double>() < 1e-5);
    CHECK(ex.abs().max().item<double>() > 1e-3);  // not trivially zero
  }
  {
    // The paper's setting: float32, ε = 1e-3. Penalties agree to within a few percent.
    auto fd = decoder_jvp(vae, z, dirs, JacobianMethod::FiniteDifference, 1e-3);
    auto ex = decoder_jvp(vae, z, dirs, JacobianMethod::Exact);
    const double pf = fd.abs().sum().item<double>(), pe = ex.abs().sum().item<double>();
    CHECK(pf == doctest::Approx(pe).epsilon(0.03));
    PenaltyOptions a, b;
    a.method = JacobianMethod::FiniteDifference;
    b.method = JacobianMethod::Exact;
    CHECK(jacobian_penalty(vae, z, a).item<double>() == doctest::Approx(pf / 2).epsilon(1e-5));
    CHECK(jacobian_penalty(vae, z, b).item<double>() == doctest::Approx(pe / 2).epsilon(1e-5));
  }
}

TEST_CASE("random columns: k distinct unit directions per point, each column with probability k/L") {
  torch::manual_seed(9);
  const int64_t b = 3, l = 5;
  const int k = 2, draws = 4000;
  auto counts = torch::zeros({b, l}, torch::kDouble);
  for (int d = 0; d < draws; ++d) {
    auto dirs = random_column_directions(b, l, k, torch::TensorOptions().dtype(torch::kDouble));
    REQUIRE(dirs.sizes().vec() == std::vector<int64_t>{k * b, l});
    auto per_point = dirs.view({k, b, l}).sum(0);  // (b,l): 0/1 when the k columns are distinct
    REQUIRE(per_point.max().item<double>() == 1.0);
    REQUIRE(per_point.sum().item<double>() == double(k * b));
    counts += per_point;
  }
  auto freq = counts / double(draws);
  // Binomial(4000, 0.4): sd of the frequency ≈ 0.0077; allow 5 sd.
  CHECK((freq - double(k) / l).abs().max().item<double>() < 0.04);
}

TEST_CASE("the L/k column estimator of P is unbiased on a fixed model") {
  torch::set_num_threads(1);
  torch::manual_seed(10);
  Vae vae(VaeOptions{1, 4});
  vae->to(torch::kDouble);
  auto z = torch::randn({2, 4}, torch::kDouble);
  torch::NoGradGuard ng;
  for (auto kind : {PenaltyKind::L1, PenaltyKind::L2}) {
    PenaltyOptions full;
    full.method = JacobianMethod::Exact;
    full.kind = kind;
    const double p = jacobian_penalty(vae, z, full).item<double>();
    // Exact expectation over the column choice, from the per-(point, column) contributions c_{b,l}:
    // each k-subset is equally likely, so E = (1/B)·Σ_b (L/k)·(k/L)·Σ_l c_{b,l} = P.
    auto jac = decoder_jacobian(vae, z);
    auto c = (kind == PenaltyKind::L1 ? jac.abs() : jac.pow(2)).sum({2, 3, 4});  // (B, L)
    CHECK(c.sum().item<double>() / 2 == doctest::Approx(p).epsilon(1e-10));
    // With k = 1 every draw is (L/1)·(c_{0,l0} + c_{1,l1})/B for some columns (l0, l1): check each draw is one of
    // these L² values (the L/k scaling and the one-column-per-point choice), that their uniform average is P
    // (unbiasedness given uniform columns, whose frequencies are tested above), and the Monte Carlo mean.
    PenaltyOptions est = full;
    est.columns = 1;
    std::vector<double> outcomes;
    double outcome_mean = 0;
    for (int l0 = 0; l0 < 4; ++l0)
      for (int l1 = 0; l1 < 4; ++l1) {
        outcomes.push_back(4.0 * (c[0][l0].item<double>() + c[1][l1].item<double>()) / 2);
        outcome_mean += outcomes.back() / 16;
      }
    CHECK(outcome_mean == doctest::Approx(p).epsilon(1e-10));
    const int draws = 200;
    double sum = 0;
    std::set<size_t> seen;
    for (int d = 0; d < draws; ++d) {
      const double v = jacobian_penalty(vae, z, est).item<double>();
      size_t match = outcomes.size();
      for (size_t i = 0; i < outcomes.size(); ++i)
        if (std::abs(outcomes[i] - v) <= 1e-9 * std::abs(v)) match = i;
      CHECK(match < outcomes.size());
      seen.insert(match);
      sum += v;
    }
    double var = 0;
    for (double o : outcomes) var += (o - p) * (o - p) / 16;
    CAPTURE(p);
    CHECK(std::abs(sum / draws - p) < 5 * std::sqrt(var / draws));
    CHECK(seen.size() > 8);  // many different column choices occurred
  }
}
