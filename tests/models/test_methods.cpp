// disentanglement_lib's regularisers (models/regularizers.hpp) on small batches whose values are derived by hand
// here from the definitions in ../shared/reference/dlib-metric-definitions.md §6, the FactorVAE gradient routing,
// the dlib architecture and the TF1 Adam.
#include <torch/torch.h>

#include <cmath>
#include <map>

#include "models/loss.hpp"
#include "models/optimizer.hpp"
#include "models/regularizers.hpp"
#include "models/vae.hpp"
#include "src/core/error.hpp"

#include <doctest/doctest.h>  // last: glog redefines CHECK

using namespace axial::models;

namespace {
torch::Tensor dbl(std::initializer_list<double> v, std::vector<int64_t> shape) {
  return torch::tensor(std::vector<double>(v), torch::kDouble).view(shape);
}
double log_normal(double s, double m, double lv) {
  return -0.5 * ((s - m) * (s - m) * std::exp(-lv) + lv + std::log(2.0 * M_PI));
}
}  // namespace

TEST_CASE("method names") {
  CHECK(parse_method("jl1") == Method::Jl1);
  CHECK(parse_method("factor_vae") == Method::FactorVae);
  CHECK(std::string(to_string(Method::DipVaeII)) == "dip_vae_ii");
  for (const auto& n : method_names()) CHECK(std::string(to_string(parse_method(n))) == n);
  try {
    parse_method("vae");
    FAIL("no error");
  } catch (const axial::Error& e) {
    CHECK(std::string(e.what()).find("--method 'vae'") != std::string::npos);
    CHECK(std::string(e.what()).find("beta_tc_vae") != std::string::npos);
  }
}

TEST_CASE("beta_vae and annealed_vae regularisers") {
  auto kl = torch::tensor(3.0, torch::kDouble);
  CHECK(beta_vae_regularizer(kl, 4.0).item<double>() == 12.0);
  // C(step) = min(c_max, c_max·step/threshold): c_max 25, threshold 100.
  CHECK(annealed_capacity(25, 0, 100) == 0.0);
  CHECK(annealed_capacity(25, 40, 100) == doctest::Approx(10.0));
  CHECK(annealed_capacity(25, 100, 100) == 25.0);
  CHECK(annealed_capacity(25, 250, 100) == 25.0);
  // γ·|kl − C|: γ 2, kl 3, C 10 → 14; C 1 → 4.
  CHECK(annealed_vae_regularizer(kl, 2.0, 10.0).item<double>() == doctest::Approx(14.0));
  CHECK(annealed_vae_regularizer(kl, 2.0, 1.0).item<double>() == doctest::Approx(4.0));
}

TEST_CASE("DIP-VAE on a batch with a known covariance") {
  // μ rows (2,1), (0,1), (0,−1), (−2,−1): mean (0,0); E[x²] = 8/4 = 2, E[y²] = 1, E[xy] = (2+0+0+2)/4 = 1, so the
  // biased covariance is [[2,1],[1,1]].
  auto mu = dbl({2, 1, 0, 1, 0, -1, -2, -1}, {4, 2});
  // log σ² = log 0.5 everywhere: mean_b diag(σ²) = 0.5·I.
  auto logvar = torch::full({4, 2}, std::log(0.5), torch::kDouble);
  auto cov = dip_matrix(mu, logvar, DipType::I);
  CHECK(cov[0][0].item<double>() == doctest::Approx(2.0));
  CHECK(cov[0][1].item<double>() == doctest::Approx(1.0));
  CHECK(cov[1][0].item<double>() == doctest::Approx(1.0));
  CHECK(cov[1][1].item<double>() == doctest::Approx(1.0));
  // DIP-I, λ_od 3, λ_d_factor 10 (λ_d 30): off-diagonal 3·(1² + 1²) = 6; diagonal 30·((2−1)² + (1−1)²) = 30.
  CHECK(dip_penalty(mu, logvar, DipType::I, 3.0, 10.0).item<double>() == doctest::Approx(36.0));
  // DIP-II: M = cov + 0.5·I = [[2.5,1],[1,1.5]]; λ_od 3, λ_d_factor 1: 6 + 3·(1.5² + 0.5²) = 13.5.
  CHECK(dip_penalty(mu, logvar, DipType::II, 3.0, 1.0).item<double>() == doctest::Approx(13.5));
  auto kl = torch::tensor(0.25, torch::kDouble);
  CHECK(dip_vae_regularizer(kl, mu, logvar, DipType::II, 3.0, 1.0).item<double>() == doctest::Approx(13.75));
  // Shifting every μ by a constant leaves the covariance unchanged (the mean is subtracted).
  CHECK(dip_penalty(mu + 7.0, logvar, DipType::I, 3.0, 10.0).item<double>() == doctest::Approx(36.0));
}

TEST_CASE("beta-TCVAE: the minibatch-weighted TC estimate for B = 2 written out") {
  // B = 2, L = 2. S[j][i] = Σ_l log N(z_jl; μ_il, lv_il); log q(z_j) = log(e^{S[j][0]} + e^{S[j][1]});
  // log Π_l q(z_jl) = Σ_l log(e^{Q[j][0][l]} + e^{Q[j][1][l]}); TC = ½ Σ_j (log q(z_j) − log Π q(z_jl)).
  const double z[2][2] = {{0.3, -1.2}, {0.8, 0.4}};
  const double m[2][2] = {{0.1, -0.9}, {1.0, 0.2}};
  const double lv[2][2] = {{-0.5, 0.3}, {0.2, -1.0}};
  double tc = 0;
  for (int j = 0; j < 2; ++j) {
    double s0 = 0, s1 = 0, prod = 0;
    for (int l = 0; l < 2; ++l) {
      const double q0 = log_normal(z[j][l], m[0][l], lv[0][l]), q1 = log_normal(z[j][l], m[1][l], lv[1][l]);
      s0 += q0;
      s1 += q1;
      prod += std::log(std::exp(q0) + std::exp(q1));
    }
    tc += 0.5 * (std::log(std::exp(s0) + std::exp(s1)) - prod);
  }
  auto zt = dbl({0.3, -1.2, 0.8, 0.4}, {2, 2});
  auto mt = dbl({0.1, -0.9, 1.0, 0.2}, {2, 2});
  auto lt = dbl({-0.5, 0.3, 0.2, -1.0}, {2, 2});
  CHECK(total_correlation(zt, mt, lt).item<double>() == doctest::Approx(tc).epsilon(1e-12));
  CHECK(tc != doctest::Approx(0.0));
  // The density itself.
  CHECK(gaussian_log_density(dbl({0.3}, {1}), dbl({0.1}, {1}), dbl({-0.5}, {1})).item<double>() ==
        doctest::Approx(log_normal(0.3, 0.1, -0.5)).epsilon(1e-14));
  // With one latent the joint and the product of marginals coincide: TC = 0.
  CHECK(total_correlation(zt.narrow(1, 0, 1), mt.narrow(1, 0, 1), lt.narrow(1, 0, 1)).item<double>() ==
        doctest::Approx(0.0).epsilon(1e-12));
  auto kl = torch::tensor(2.0, torch::kDouble);
  CHECK(beta_tc_vae_regularizer(kl, torch::tensor(tc, torch::kDouble), 4.0).item<double>() ==
        doctest::Approx(2.0 + 3.0 * tc));
}

TEST_CASE("FactorVAE: TC from the logits, the discriminator loss, clipping, shuffling") {
  // tc = mean_b(l_b0 − l_b1): logits (2,1) and (0,3) → (1 + (−3))/2 = −1.
  auto logits = dbl({2, 1, 0, 3}, {2, 2});
  CHECK(factor_vae_tc(logits).item<double>() == doctest::Approx(-1.0));
  // probs: p0 = 1/(1 + e^{l1 − l0}).
  auto p = discriminator_probs(logits);
  CHECK(p[0][0].item<double>() == doctest::Approx(1.0 / (1.0 + std::exp(-1.0))));
  CHECK(p[1][1].item<double>() == doctest::Approx(1.0 / (1.0 + std::exp(-3.0))));
  // Clipped to [1e-6, 1 − 1e-6].
  auto clipped = discriminator_probs(dbl({40, -40}, {1, 2}));
  CHECK(clipped[0][1].item<double>() == doctest::Approx(1e-6).epsilon(1e-12));
  CHECK(clipped[0][0].item<double>() == doctest::Approx(1.0 - 1e-6).epsilon(1e-12));
  // discr_loss = ½·mean log p_z[:,0] + ½·mean log p_zs[:,1].
  auto pz = dbl({0.8, 0.2, 0.6, 0.4}, {2, 2}), pzs = dbl({0.3, 0.7, 0.1, 0.9}, {2, 2});
  const double expected = 0.5 * (std::log(0.8) + std::log(0.6)) / 2 + 0.5 * (std::log(0.7) + std::log(0.9)) / 2;
  CHECK(factor_vae_discriminator_loss(pz, pzs).item<double>() == doctest::Approx(expected).epsilon(1e-12));
  CHECK(factor_vae_regularizer(torch::tensor(1.5, torch::kDouble), torch::tensor(-1.0, torch::kDouble), 30.0)
            .item<double>() == doctest::Approx(1.5 - 30.0));
  // Each column of z_shuffle is a permutation of that column of z; the columns are permuted independently.
  torch::manual_seed(1);
  auto z = torch::arange(64 * 3, torch::kDouble).view({64, 3});
  auto zs = shuffle_codes(z);
  for (int j = 0; j < 3; ++j)
    CHECK(torch::equal(std::get<0>(zs.select(1, j).sort()), z.select(1, j)));
  auto rows0 = (zs.select(1, 0) / 3).to(torch::kLong), rows1 = ((zs.select(1, 1) - 1) / 3).to(torch::kLong);
  CHECK_FALSE(torch::equal(rows0, rows1));
  CHECK_FALSE(torch::equal(rows0, torch::arange(64, torch::kLong)));
}

TEST_CASE("fc_discriminator: six 1000-unit layers, leaky ReLU 0.2, Glorot init, zero biases") {
  torch::manual_seed(0);
  Discriminator d(10);
  const int64_t expected = (10 * 1000 + 1000) + 5 * (1000 * 1000 + 1000) + (1000 * 2 + 2);
  CHECK(count_parameters(*d) == expected);
  for (const auto& item : d->named_parameters()) {
    CAPTURE(item.key());
    const auto& p = item.value();
    if (p.dim() == 1) {
      CHECK(p.abs().max().item<float>() == 0.f);
    } else {
      const double limit = std::sqrt(6.0 / double(p.size(0) + p.size(1)));
      CHECK(p.abs().max().item<double>() <= limit);
      CHECK(p.abs().max().item<double>() > 0.95 * limit);
    }
  }
  // Leaky slope: with the first layer's weights set to pass z through (1000×1 identity on unit 0) and every other
  // layer passing unit 0 on, a negative input comes out scaled by 0.2 per layer: −1 → −0.2^6 at unit 0.
  Discriminator one(1);
  {
    torch::NoGradGuard ng;
    for (auto& item : one->named_parameters()) {
      item.value().zero_();
      if (item.value().dim() == 2) item.value()[0][0] = 1.0;
    }
  }
  auto out = one(torch::full({1, 1}, -1.0f));
  CHECK(out[0][0].item<double>() == doctest::Approx(-std::pow(0.2, 6)).epsilon(1e-5));
}

TEST_CASE("reconstruction on logits: sigmoid cross-entropy summed over pixels, averaged over the batch") {
  // One image of two pixels: (x 0.3, l 0.5), (x 1, l −2). Per pixel −[x·log σ(l) + (1−x)·log(1 − σ(l))].
  auto sig = [](double l) { return 1.0 / (1.0 + std::exp(-l)); };
  auto bce = [&](double x, double l) { return -(x * std::log(sig(l)) + (1 - x) * std::log(1 - sig(l))); };
  auto logits = dbl({0.5, -2.0, 1.0, 0.0}, {2, 2});
  auto x = dbl({0.3, 1.0, 0.0, 0.5}, {2, 2});
  const double expected = (bce(0.3, 0.5) + bce(1.0, -2.0) + bce(0.0, 1.0) + bce(0.5, 0.0)) / 2;
  CHECK(reconstruction_loss_logits(logits, x).item<double>() == doctest::Approx(expected).epsilon(1e-12));
  // Stable for large logits: x = 0, l = 800 costs 800 nats.
  CHECK(reconstruction_loss_logits(dbl({800}, {1, 1}), dbl({0}, {1, 1})).item<double>() == doctest::Approx(800.0));
}

TEST_CASE("dlib architecture: layers, parameter count, TF flatten order, exact JVP") {
  torch::manual_seed(2);
  Vae vae(VaeOptions{1, 10, Architecture::Dlib});
  // e1 1·32·16+32, e2 32·32·16+32, e3 32·64·4+64, e4 64·64·4+64, e5 1024·256+256, means/log_var 256·10+10 each;
  // d1 10·256+256, d2 256·1024+1024, d3 64·64·16+64, d4 64·32·16+32, d5 32·32·16+32, d6 32·1·16+1.
  const int64_t enc = 544 + 16416 + 8256 + 16448 + 262400 + 2570 + 2570;
  const int64_t dec = 2816 + 263168 + 65600 + 32800 + 16416 + 513;
  CHECK(count_parameters(*vae) == enc + dec);
  CHECK(count_parameters(*vae) == 690517);
  auto params = vae->named_parameters();
  for (const auto& item : params) {
    CAPTURE(item.key());
    if (item.value().dim() == 1) CHECK(item.value().abs().max().item<float>() == 0.f);
  }
  // Glorot for e1 (32,1,4,4): limit sqrt(6/(16 + 512)).
  CHECK(params["e1.weight"].abs().max().item<double>() <= std::sqrt(6.0 / (16.0 + 512.0)));
  CHECK(vae->is_decoder_parameter("d6.weight"));
  CHECK_FALSE(vae->is_decoder_parameter("e5.weight"));

  vae->to(torch::kDouble);
  auto x = torch::rand({2, 1, 64, 64}, torch::kDouble);
  auto [mu, logvar] = vae->encode(x);
  CHECK(mu.sizes().vec() == std::vector<int64_t>{2, 10});
  // Recompute in NHWC the way TF does: conv stack, flatten (H, W, C), dense.
  params = vae->named_parameters();
  auto conv = [&](const torch::Tensor& h, const char* n, int pad) {
    return torch::relu(torch::conv2d(h, params[std::string(n) + ".weight"], params[std::string(n) + ".bias"], 2, pad));
  };
  auto h = conv(conv(conv(conv(x, "e1", 1), "e2", 1), "e3", 0), "e4", 0);  // (2,64,4,4)
  CHECK(h.sizes().vec() == std::vector<int64_t>{2, 64, 4, 4});
  auto flat = torch::empty({2, 1024}, torch::kDouble);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t r = 0; r < 4; ++r)
      for (int64_t c = 0; c < 4; ++c)
        for (int64_t ch = 0; ch < 64; ++ch) flat[b][(r * 4 + c) * 64 + ch] = h[b][ch][r][c];
  auto e5 = torch::relu(torch::linear(flat, params["e5.weight"], params["e5.bias"]));
  CHECK(torch::allclose(mu, torch::linear(e5, params["means.weight"], params["means.bias"]), 1e-12, 1e-12));
  auto logits = vae->decode_logits(mu);
  CHECK(logits.sizes().vec() == std::vector<int64_t>{2, 1, 64, 64});
  CHECK(torch::allclose(vae->decode(mu), torch::sigmoid(logits)));
  // Exact JVP against autograd: ⟨u, J t⟩ = ⟨Jᵀ u, t⟩.
  auto z = mu.detach().requires_grad_(true);
  auto t = torch::randn({2, 10}, torch::kDouble);
  auto jt = vae->decode_jvp(z.detach(), t);
  auto u = torch::randn_like(jt);
  auto out = vae->decode(z);
  auto jtu = torch::autograd::grad({out}, {z}, {u})[0];
  CHECK((u * jt).sum().item<double>() == doctest::Approx((jtu * t).sum().item<double>()).epsilon(1e-9));
}

TEST_CASE("TF1 Adam puts epsilon on the uncorrected sqrt(v); torch's on the corrected one") {
  // One parameter θ = 1, gradient 0.5 twice, lr 0.1, β1 0.9, β2 0.999, ε 0.01 (large, so the placement shows).
  auto run = [](AdamVariant variant) {
    auto p = torch::ones({1}, torch::kDouble).requires_grad_(true);
    AdamSettings s;
    s.lr = 0.1;
    s.eps = 0.01;
    s.variant = variant;
    AdamOptimizer opt({p}, s);
    std::vector<double> values;
    for (int i = 0; i < 2; ++i) {
      opt.zero_grad();
      (0.5 * p).sum().backward();
      opt.step();
      values.push_back(p.item<double>());
    }
    return values;
  };
  // By hand: t = 1: m = 0.05, v = 0.00025; t = 2: m = 0.095, v = 0.00049975.
  double m1 = 0.05, v1 = 0.25 * 0.001, m2 = 0.9 * m1 + 0.1 * 0.5, v2 = 0.999 * v1 + 0.001 * 0.25;
  const double tf1 = 1.0 - 0.1 * std::sqrt(1 - 0.999) / (1 - 0.9) * m1 / (std::sqrt(v1) + 0.01);
  const double tf2 = tf1 - 0.1 * std::sqrt(1 - 0.999 * 0.999) / (1 - 0.81) * m2 / (std::sqrt(v2) + 0.01);
  const double th1 = 1.0 - 0.1 / (1 - 0.9) * m1 / (std::sqrt(v1) / std::sqrt(1 - 0.999) + 0.01);
  const double th2 = th1 - 0.1 / (1 - 0.81) * m2 / (std::sqrt(v2) / std::sqrt(1 - 0.999 * 0.999) + 0.01);
  auto tf = run(AdamVariant::Tf), th = run(AdamVariant::Torch);
  CHECK(tf[0] == doctest::Approx(tf1).epsilon(1e-12));
  CHECK(tf[1] == doctest::Approx(tf2).epsilon(1e-12));
  CHECK(th[0] == doctest::Approx(th1).epsilon(1e-12));
  CHECK(th[1] == doctest::Approx(th2).epsilon(1e-12));
  CHECK(tf[0] != doctest::Approx(th[0]).epsilon(1e-6));
  CHECK(parse_adam("tf") == AdamVariant::Tf);
  CHECK_THROWS_AS(parse_adam("keras"), axial::Error);
}

TEST_CASE("method_forward: loss = reconstruction + the method's regulariser on the step's own tensors") {
  torch::set_num_threads(1);
  for (auto arch : {Architecture::Paper, Architecture::Dlib}) {
    torch::manual_seed(4);
    Vae vae(VaeOptions{1, 3, arch});
    vae->to(torch::kDouble);
    Discriminator disc(3);
    disc->to(torch::kDouble);
    auto x = torch::rand({4, 1, 64, 64}, torch::kDouble);
    for (const auto& name : method_names()) {
      CAPTURE(name);
      MethodConfig c;
      c.method = parse_method(name);
      c.penalty.kind = c.method == Method::Jl2 ? PenaltyKind::L2 : PenaltyKind::L1;
      c.penalty.method = JacobianMethod::Exact;
      c.anneal_steps = 10;
      c.gamma = 0.7;
      c.beta = 3.0;
      c.lambda_od = 2.0;
      c.lambda_d_factor = 4.0;
      c.c_max = 20.0;
      c.iteration_threshold = 50;
      torch::manual_seed(9);
      auto r = method_forward(vae, &disc, x, c, /*step=*/5);
      // z from the drawn ε, the reconstruction from the architecture's output.
      CHECK(torch::allclose(r.z, r.mu + r.eps * torch::exp(0.5 * r.logvar), 1e-12, 1e-12));
      const double rec = arch == Architecture::Dlib ? reconstruction_loss_logits(r.output, x).item<double>()
                                                     : reconstruction_loss(r.output, x).item<double>();
      CHECK(r.reconstruction.item<double>() == doctest::Approx(rec).epsilon(1e-12));
      const double kl = r.kl.item<double>();
      double reg = 0;
      switch (c.method) {
        case Method::Jl1:
        case Method::Jl2:
          // annealed: β_t = 3·5/10, γ_t = 0.7·5/10.
          reg = 1.5 * kl + 0.35 * r.jacobian.item<double>();
          break;
        case Method::BetaVae:
          reg = 3.0 * kl;
          break;
        case Method::AnnealedVae:
          CHECK(r.capacity == doctest::Approx(2.0));  // 20·5/50
          reg = 0.7 * std::abs(kl - 2.0);
          break;
        case Method::DipVaeI:
        case Method::DipVaeII:
          reg = kl + dip_penalty(r.mu, r.logvar, c.method == Method::DipVaeI ? DipType::I : DipType::II, 2.0, 4.0)
                         .item<double>();
          break;
        case Method::BetaTcVae:
          reg = kl + 2.0 * total_correlation(r.z, r.mu, r.logvar).item<double>();
          break;
        case Method::FactorVae:
          CHECK(torch::allclose(r.logits_z, disc(r.z)));
          CHECK(torch::allclose(r.logits_z_shuffle, disc(r.z_shuffle)));
          reg = kl + 0.7 * factor_vae_tc(r.logits_z).item<double>();
          break;
      }
      CHECK(r.regularizer.item<double>() == doctest::Approx(reg).epsilon(1e-10));
      CHECK(r.loss.item<double>() == doctest::Approx(rec + reg).epsilon(1e-10));
    }
  }
}

TEST_CASE("jl1 through method_forward is exactly vae_loss (the default method reproduces today's runs)") {
  torch::set_num_threads(1);
  torch::manual_seed(5);
  Vae vae(VaeOptions{1, 4});
  auto x = torch::rand({3, 1, 64, 64});
  PenaltyOptions popt;
  popt.columns = 2;
  MethodConfig c;
  c.penalty = popt;
  c.beta = 4.0;
  c.gamma = 0.1;
  c.anneal_steps = 100;
  torch::manual_seed(11);
  auto a = vae_loss(vae, x, annealed(4.0, 30, 100), annealed(0.1, 30, 100), popt);
  torch::manual_seed(11);
  auto r = method_forward(vae, nullptr, x, c, 30);
  CHECK(torch::equal(a.loss, r.loss));
  CHECK(torch::equal(a.jacobian, r.jacobian));
}

TEST_CASE("FactorVAE gradients: the discriminator loss does not move the encoder, the TC term not the discriminator") {
  torch::set_num_threads(1);
  torch::manual_seed(8);
  Vae vae(VaeOptions{1, 3, Architecture::Dlib});
  Discriminator disc(3);
  auto x = torch::rand({6, 1, 64, 64});
  auto vparams = vae->parameters();
  auto dparams = disc->parameters();
  auto grads = [&](double gamma) {
    MethodConfig c;
    c.method = Method::FactorVae;
    c.gamma = gamma;
    torch::manual_seed(21);
    auto r = method_forward(vae, &disc, x, c, 0);
    return factor_vae_gradients(r, vparams, dparams);
  };
  auto g0 = grads(0.0), g1 = grads(5.0);
  // The discriminator's gradients do not depend on γ (the TC term does not reach it) ...
  REQUIRE(g0.discriminator.size() == dparams.size());
  for (std::size_t i = 0; i < dparams.size(); ++i) CHECK(torch::equal(g0.discriminator[i], g1.discriminator[i]));
  // ... and they are those of −discr_loss alone.
  {
    MethodConfig c;
    c.method = Method::FactorVae;
    torch::manual_seed(21);
    auto r = method_forward(vae, &disc, x, c, 0);
    auto alone = torch::autograd::grad({-r.discriminator_loss}, dparams);
    for (std::size_t i = 0; i < dparams.size(); ++i) CHECK(torch::allclose(alone[i], g0.discriminator[i]));
  }
  // With γ = 0 the VAE's gradients are a β-VAE's with β = 1 on the same noise: the discriminator's loss does not
  // move the encoder (nor the decoder).
  MethodConfig b;
  b.method = Method::BetaVae;
  b.beta = 1.0;
  torch::manual_seed(21);
  auto rb = method_forward(vae, nullptr, x, b, 0);
  auto gb = torch::autograd::grad({rb.loss}, vparams);
  for (std::size_t i = 0; i < vparams.size(); ++i) CHECK(torch::allclose(gb[i], g0.vae[i], 1e-6, 1e-7));
  // The TC term does move the encoder.
  bool differs = false;
  for (std::size_t i = 0; i < vparams.size(); ++i) differs = differs || !torch::allclose(g0.vae[i], g1.vae[i]);
  CHECK(differs);
}
