// The paper's defaultConv VAE: parameter count, shapes, initialisation, the decoder crop, TorchScript round trip.
#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>

#include "src/core/error.hpp"
#include "models/vae.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>  // last: glog redefines CHECK

using namespace axial::models;

namespace {
// Conv/ConvTranspose with kernel 4: in·out·16 weights + out biases; Linear: in·out + out.
std::int64_t conv(std::int64_t in, std::int64_t out) { return in * out * 16 + out; }
std::int64_t lin(std::int64_t in, std::int64_t out) { return in * out + out; }
std::int64_t expected_count(std::int64_t c, std::int64_t l) {
  const std::int64_t enc = conv(c, 32) + conv(32, 32) + conv(32, 64) + conv(64, 64) + lin(256, 256) + 2 * lin(256, l);
  const std::int64_t dec = lin(l, 256) + lin(256, 1024) + conv(64, 64) + conv(64, 32) + conv(32, 32) + conv(32, c);
  return enc + dec;
}
}  // namespace

TEST_CASE("defaultConv parameter count") {
  torch::manual_seed(0);
  CHECK(count_parameters(*Vae(VaeOptions{1, 10})) == 567637);  // the figure
  CHECK(expected_count(1, 10) == 567637);
  CHECK(count_parameters(*Vae(VaeOptions{3, 6})) == expected_count(3, 6));
}

TEST_CASE("encode/decode shapes and ranges") {
  torch::set_num_threads(1);
  torch::manual_seed(1);
  Vae vae(VaeOptions{3, 7});
  auto x = torch::rand({5, 3, 64, 64});
  auto [mu, logvar] = vae->encode(x);
  CHECK(mu.sizes().vec() == std::vector<int64_t>{5, 7});
  CHECK(logvar.sizes().vec() == std::vector<int64_t>{5, 7});
  auto y = vae->decode(torch::randn({4, 7}));
  CHECK(y.sizes().vec() == std::vector<int64_t>{4, 3, 64, 64});
  CHECK(y.min().item<float>() > 0.f);
  CHECK(y.max().item<float>() < 1.f);
  CHECK(vae->forward(x).sizes().vec() == std::vector<int64_t>{5, 7});
}

TEST_CASE("log-variance head starts 3 below PyTorch's default initialisation") {
  torch::manual_seed(2);
  Vae vae;
  // PyTorch's default Linear bias is U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = 256 → ±1/16.
  torch::Tensor logvar_bias, mu_bias;
  for (const auto& p : vae->named_parameters()) {
    if (p.key() == "fclogvar.bias") logvar_bias = p.value();
    if (p.key() == "fcmu.bias") mu_bias = p.value();
  }
  REQUIRE(logvar_bias.defined());
  REQUIRE(mu_bias.defined());
  CHECK(logvar_bias.max().item<float>() <= -3.f + 1.f / 16);
  CHECK(logvar_bias.min().item<float>() >= -3.f - 1.f / 16);
  CHECK(mu_bias.abs().max().item<float>() <= 1.f / 16);
  // At initialisation log σ² ≈ −3 on average (the paper's intent).
  auto [mu, logvar] = vae->encode(torch::rand({16, 1, 64, 64}));
  CHECK(logvar.mean().item<float>() == doctest::Approx(-3.0).epsilon(0.1));
}

TEST_CASE("decoder crop: a 1-pixel crop after each transposed convolution equals padding=1") {
  // ConvTranspose2d(k=4, s=2, p=0) maps s → 2s+2; cropping 1 pixel per side gives 2s, which is exactly
  // ConvTranspose2d(k=4, s=2, p=1). Recompute the decoder that way, from its parameters, independently.
  torch::set_num_threads(1);
  torch::manual_seed(3);
  Vae vae(VaeOptions{2, 5});
  std::map<std::string, torch::Tensor> p;
  for (const auto& item : vae->named_parameters()) p[item.key()] = item.value();
  auto z = torch::randn({3, 5});
  torch::NoGradGuard ng;
  auto h = torch::relu(torch::linear(z, p["gen_fc0.weight"], p["gen_fc0.bias"]));
  h = torch::relu(torch::linear(h, p["gen_fc1.weight"], p["gen_fc1.bias"])).view({-1, 64, 4, 4});
  std::vector<int64_t> sides;
  for (int i = 0; i < 4; ++i) {
    const auto k = "gen_conv" + std::to_string(i);
    h = torch::conv_transpose2d(h, p[k + ".weight"], p[k + ".bias"], 2, 1);
    if (i < 3) h = torch::relu(h);
    sides.push_back(h.size(2));
  }
  CHECK(sides == std::vector<int64_t>{8, 16, 32, 64});
  auto ours = vae->decode_logits(z);
  CHECK(ours.sizes().vec() == std::vector<int64_t>{3, 2, 64, 64});
  CHECK(torch::allclose(ours, h, 1e-5, 1e-5));
  CHECK(torch::allclose(vae->decode(z), torch::sigmoid(h), 1e-6, 1e-6));
}

TEST_CASE("TorchScript vae.pt / encoder.pt reload to the same functions") {
  torch::set_num_threads(1);
  torch::manual_seed(4);
  Vae vae(VaeOptions{1, 6});
  axial::test::TempDir tmp;
  save_vae_torchscript(vae, tmp / "model" / "vae.pt");
  save_encoder_torchscript(vae, tmp / "model" / "encoder.pt");
  auto x = torch::rand({3, 1, 64, 64});
  auto z = torch::randn({2, 6});
  torch::NoGradGuard ng;
  vae->eval();
  auto mu = std::get<0>(vae->encode(x));

  auto enc = torch::jit::load((tmp / "model" / "encoder.pt").string());
  auto mu_script = enc.forward({x}).toTensor();
  CHECK(torch::allclose(mu_script, mu, 1e-6, 1e-6));

  Vae loaded = load_vae(tmp.path);
  CHECK(loaded->options().latent_dim == 6);
  CHECK(loaded->options().channels == 1);
  CHECK(torch::equal(std::get<0>(loaded->encode(x)), mu));
  CHECK(torch::equal(loaded->decode(z), vae->decode(z)));
  auto script_vae = torch::jit::load((tmp / "model" / "vae.pt").string());
  auto dec = script_vae.get_method("decode")({z}).toTensor();
  CHECK(torch::allclose(dec, vae->decode(z), 1e-6, 1e-6));

  CHECK_THROWS_AS(load_vae(tmp / "nowhere"), axial::Error);
  CHECK_THROWS_AS(load_vae_file(tmp / "model" / "encoder.pt"), axial::Error);  // no decoder in it
}
