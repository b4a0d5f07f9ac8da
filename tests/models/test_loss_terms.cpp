// Loss terms on hand-computable cases and the annealing schedule.
#include <torch/torch.h>

#include <cmath>

#include "src/core/error.hpp"
#include "models/loss.hpp"

#include <doctest/doctest.h>  // last: glog redefines CHECK

using namespace axial::models;

TEST_CASE("BCE summed over pixels, divided by the batch size") {
  // Two images of one pixel: x = 1 with recon 0.5, x = 0 with recon 0.25:
  //   (−ln 0.5 − ln 0.75) / 2
  auto recon = torch::tensor({0.5, 0.25}, torch::kDouble).view({2, 1});
  auto x = torch::tensor({1.0, 0.0}, torch::kDouble).view({2, 1});
  const double expected = (-std::log(0.5) - std::log(0.75)) / 2;
  CHECK(reconstruction_loss(recon, x).item<double>() == doctest::Approx(expected).epsilon(1e-12));
  // A soft target: x = 0.3, recon = 0.6, one image of one pixel: −(0.3 ln 0.6 + 0.7 ln 0.4).
  auto r2 = torch::tensor({0.6}, torch::kDouble).view({1, 1});
  auto x2 = torch::tensor({0.3}, torch::kDouble).view({1, 1});
  CHECK(reconstruction_loss(r2, x2).item<double>() ==
        doctest::Approx(-(0.3 * std::log(0.6) + 0.7 * std::log(0.4))).epsilon(1e-12));
}

TEST_CASE("KL divergence to N(0, I), divided by the batch size") {
  // Batch of 2, L = 2: point 1 μ = (1, 0), log σ² = (0, ln 2); point 2 μ = (0, 0), log σ² = (0, 0).
  //   0.5·[(1 + 1 − 1 − 0) + (0 + 2 − 1 − ln 2) + 0 + 0] / 2
  auto mu = torch::tensor({1.0, 0.0, 0.0, 0.0}, torch::kDouble).view({2, 2});
  auto lv = torch::tensor({0.0, std::log(2.0), 0.0, 0.0}, torch::kDouble).view({2, 2});
  const double expected = 0.5 * (1.0 + (1.0 - std::log(2.0))) / 2;
  CHECK(kl_divergence(mu, lv).item<double>() == doctest::Approx(expected).epsilon(1e-12));
  CHECK(kl_divergence(torch::zeros({3, 4}), torch::zeros({3, 4})).item<float>() == 0.f);
}

TEST_CASE("annealing: value·min(1, t/A), t = batches already seen") {
  CHECK(annealed(4.0, 0, 100) == 0.0);   // the first step uses 0
  CHECK(annealed(4.0, 1, 100) == doctest::Approx(0.04));
  CHECK(annealed(4.0, 50, 100) == doctest::Approx(2.0));
  CHECK(annealed(4.0, 100, 100) == 4.0);
  CHECK(annealed(4.0, 250, 100) == 4.0);
  CHECK(annealed(0.1, 0, 0) == 0.1);     // A = 0: no annealing
  CHECK(annealed(0.0, 70, 100) == 0.0);
}

TEST_CASE("parse penalty and jacobian names") {
  CHECK(parse_penalty("l1") == PenaltyKind::L1);
  CHECK(parse_penalty("l2") == PenaltyKind::L2);
  CHECK_THROWS_AS(parse_penalty("l3"), axial::Error);
  CHECK(parse_jacobian("fd") == JacobianMethod::FiniteDifference);
  CHECK(parse_jacobian("exact") == JacobianMethod::Exact);
  CHECK_THROWS_AS(parse_jacobian("numeric"), axial::Error);
}

TEST_CASE("vae_loss: composition of the terms, and no Jacobian work when gamma_t = 0") {
  torch::set_num_threads(1);
  torch::manual_seed(5);
  Vae vae(VaeOptions{1, 4});
  vae->to(torch::kDouble);
  auto x = torch::rand({3, 1, 64, 64}, torch::kDouble);
  PenaltyOptions popt;
  popt.method = JacobianMethod::Exact;

  torch::manual_seed(11);
  auto t = vae_loss(vae, x, 2.0, 0.5, popt);
  // Recompute by hand with the same noise.
  torch::manual_seed(11);
  auto [mu, logvar] = vae->encode(x);
  auto eps = torch::randn(mu.sizes(), mu.options());
  auto z = mu + eps * torch::exp(0.5 * logvar);
  auto rec = torch::binary_cross_entropy(vae->decode(z), x, {}, at::Reduction::Sum) / 3.0;
  auto kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum() / 3.0;
  auto jac = decoder_jacobian(vae, z.detach());  // (3, 4, 1, 64, 64)
  auto p = jac.abs().sum() / 3.0;
  CHECK(t.reconstruction.item<double>() == doctest::Approx(rec.item<double>()).epsilon(1e-10));
  CHECK(t.kl.item<double>() == doctest::Approx(kl.item<double>()).epsilon(1e-10));
  CHECK(t.jacobian.item<double>() == doctest::Approx(p.item<double>()).epsilon(1e-8));
  CHECK(t.loss.item<double>() ==
        doctest::Approx(rec.item<double>() + 2.0 * kl.item<double>() + 0.5 * p.item<double>()).epsilon(1e-8));

  torch::manual_seed(11);
  auto t0 = vae_loss(vae, x, 2.0, 0.0, popt);
  CHECK(t0.jacobian.item<double>() == 0.0);
  CHECK(t0.loss.item<double>() == doctest::Approx(rec.item<double>() + 2.0 * kl.item<double>()).epsilon(1e-10));

  // JL2: the sum of squares.
  popt.kind = PenaltyKind::L2;
  torch::manual_seed(11);
  auto t2 = vae_loss(vae, x, 2.0, 0.5, popt);
  CHECK(t2.jacobian.item<double>() == doctest::Approx((jac.pow(2).sum() / 3.0).item<double>()).epsilon(1e-8));
}

TEST_CASE("the Jacobian penalty trains the decoder only") {
  // Same noise, gamma 0 vs gamma 1: encoder gradients identical, decoder gradients different.
  torch::set_num_threads(1);
  torch::manual_seed(6);
  Vae vae(VaeOptions{1, 3});
  auto x = torch::rand({2, 1, 64, 64});
  auto grads = [&](double gamma, JacobianMethod method) {
    PenaltyOptions popt;
    popt.method = method;
    vae->zero_grad();
    torch::manual_seed(12);
    vae_loss(vae, x, 1.0, gamma, popt).loss.backward();
    std::map<std::string, torch::Tensor> g;
    for (const auto& p : vae->named_parameters()) g[p.key()] = p.value().grad().clone();
    return g;
  };
  for (auto method : {JacobianMethod::FiniteDifference, JacobianMethod::Exact}) {
    auto g0 = grads(0.0, method), g1 = grads(1.0, method);
    for (const auto& [name, g] : g0) {
      const bool decoder = name.rfind("gen_", 0) == 0;
      CAPTURE(name);
      if (decoder)
        CHECK_FALSE(torch::equal(g, g1[name]));
      else
        CHECK(torch::equal(g, g1[name]));
    }
  }
}
