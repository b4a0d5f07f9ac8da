// The trainer with every method: config.json holds the method and its own options, FactorVAE resumes bit-identical
// (discriminator and its Adam included), --dump-step's arrays recompute every loss term, the dlib step count, and the
// TorchScript encoder of the dlib architecture.
#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "datasets/h5_util.hpp"
#include "models/regularizers.hpp"
#include "models/trainer.hpp"
#include "models/vae.hpp"
#include "src/core/error.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>  // last: glog redefines CHECK

using namespace axial::models;
namespace fs = std::filesystem;

namespace {

TrainOptions tiny(const std::string& method, std::int64_t steps) {
  TrainOptions o;
  o.method = method;
  if (method == "jl2") o.penalty = "l2";
  set_method_defaults(o, {});
  o.batch_size = 4;
  o.train_cache = 64;
  o.steps = steps;
  o.anneal_steps = 4;
  o.log_every = 2;
  o.checkpoint_every = 3;
  o.latent_dim = 3;
  o.lr = 1e-3;
  o.device = "cpu";
  o.threads = 1;
  o.quiet = true;
  o.seed = 3;
  o.data_seed = 1;
  return o;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

std::vector<std::string> lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

void check_same_weights(const fs::path& a, const fs::path& b) {
  Vae va = load_vae(a), vb = load_vae(b);
  auto pa = va->named_parameters(), pb = vb->named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (const auto& item : pa) {
    CAPTURE(item.key());
    CHECK(torch::equal(item.value(), pb[item.key()]));
  }
}

void set_steps(const fs::path& dir, std::int64_t steps) {
  auto j = read_json(dir / "config.json");
  j["options"]["steps"] = steps;
  std::ofstream(dir / "config.json") << j.dump(2);
}

std::vector<double> read(const axial::h5::File& f, const std::string& key, std::vector<std::int64_t> shape) {
  CAPTURE(key);
  REQUIRE(f.is_dataset(key));
  CHECK(f.shape(key) == shape);
  CHECK(f.type_class(key) == axial::h5::TypeClass::Float);
  CHECK(f.type_size(key) == 8);
  return f.read<double>(key);
}

double sigmoid(double l) { return 1.0 / (1.0 + std::exp(-l)); }

}  // namespace

TEST_CASE("method options, defaults and validation") {
  TrainOptions o;
  o.method = "factor_vae";
  set_method_defaults(o, {});
  CHECK(o.gamma == 30.0);
  o = TrainOptions();
  o.method = "annealed_vae";
  o.gamma = 7;
  set_method_defaults(o, {"gamma"});
  CHECK(o.gamma == 7.0);
  CHECK(o.c_max == 25.0);
  CHECK(o.iteration_threshold == 100000);
  o = TrainOptions();
  o.method = "dip_vae_ii";
  set_method_defaults(o, {});
  CHECK(o.lambda_od == 5.0);
  CHECK(o.lambda_d_factor == 1.0);
  CHECK(method_options("beta_vae") == std::vector<std::string>{"beta"});
  CHECK_THROWS_AS(method_options("vae"), axial::Error);
  auto bad = [](TrainOptions o, const std::string& needle) {
    try {
      validate(o);
      FAIL("no error for " << needle);
    } catch (const axial::Error& e) {
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  TrainOptions b = tiny("jl1", 1);
  b.penalty = "l2";
  bad(b, "--penalty l2 contradicts --method jl1");
  b = tiny("beta_vae", 1);
  b.dlib_step_count = true;
  bad(b, "--dlib-step-count");
  b = tiny("annealed_vae", 1);
  b.iteration_threshold = 0;
  bad(b, "--iteration-threshold");
  b = tiny("dip_vae_i", 1);
  b.lambda_od = -1;
  bad(b, "--lambda-od");
  b = tiny("beta_vae", 1);
  b.architecture = "resnet";
  bad(b, "--architecture");
  b.architecture = "dlib";
  b.adam = "sgd";
  bad(b, "--adam");
  // The options JSON holds the method's own hyper-parameters only, and round-trips.
  TrainOptions f = tiny("factor_vae", 4);
  f.dlib_step_count = true;
  auto j = options_to_json(f);
  CHECK(j["method"] == "factor_vae");
  CHECK(j["gamma"] == 30.0);
  CHECK(j["dlib_step_count"] == true);
  CHECK_FALSE(j.contains("beta"));
  CHECK_FALSE(j.contains("penalty"));
  CHECK_FALSE(j.contains("lambda_od"));
  CHECK(options_to_json(options_from_json(j, "test")) == j);
  // A config.json from before --method: jl by its penalty.
  auto legacy = options_to_json(tiny("jl2", 3));
  legacy.erase("method");
  legacy.erase("architecture");
  legacy.erase("adam");
  auto back = options_from_json(legacy, "legacy");
  CHECK(back.method == "jl2");
  CHECK(back.architecture == "paper");
  CHECK(back.adam == "torch");
  CHECK(update_count(f) == 2);
  f.steps = 5;
  CHECK(update_count(f) == 3);
}

TEST_CASE("every method trains, writes its config and its log, exports the encoder") {
  for (const auto& method : method_names()) {
    for (const char* arch : {"paper", "dlib"}) {
      CAPTURE(method);
      CAPTURE(arch);
      axial::test::TempDir tmp;
      TrainOptions o = tiny(method, 4);
      o.architecture = arch;
      o.adam = std::string(arch) == "dlib" ? "tf" : "torch";
      if (method == "annealed_vae") o.iteration_threshold = 2;
      auto s = train(o, tmp / "run");
      CHECK(s.steps_done == 4);
      auto j = read_json(tmp / "run" / "config.json");
      CHECK(j["options"]["method"] == method);
      CHECK(j["options"]["architecture"] == arch);
      for (const auto& name : method_options(method)) {
        std::string key = name;
        std::replace(key.begin(), key.end(), '-', '_');
        CHECK(j["options"].contains(key));
      }
      auto log = lines(tmp / "run" / "train_log.csv");
      REQUIRE(log.size() == 3);
      if (is_jacobian_method(parse_method(method)))
        CHECK(log[0] == "step,loss,reconstruction,kl,jacobian,beta_t,gamma_t,images/s");
      else
        CHECK(log[0] == "step,loss,reconstruction,kl,regularizer,tc,capacity,discriminator,images/s");
      if (method == "annealed_vae") CHECK(log[2].find(",25,") != std::string::npos);  // C(3) = min(25, 25·3/2)
      auto enc = torch::jit::load((tmp / "run" / "model" / "encoder.pt").string());
      Vae vae = load_vae(tmp / "run");
      CHECK(vae->options().architecture == parse_architecture(arch));
      auto x = torch::rand({2, 1, 64, 64});
      torch::NoGradGuard ng;
      CHECK(torch::allclose(enc.forward({x}).toTensor(), std::get<0>(vae->encode(x)), 1e-6, 1e-6));
    }
  }
}

TEST_CASE("FactorVAE resumes bit-identical: the discriminator and its Adam are in the checkpoint") {
  for (const char* adam : {"torch", "tf"}) {
    CAPTURE(adam);
    axial::test::TempDir tmp;
    TrainOptions o = tiny("factor_vae", 8);
    o.adam = adam;
    o.architecture = "dlib";
    train(o, tmp / "full");
    TrainOptions part = o;
    part.steps = 6;
    train(part, tmp / "split");
    set_steps(tmp / "split", 8);
    fs::remove_all(tmp / "split" / "model");
    auto s = resume(tmp / "split", ResumeOverrides{1, true, ""});
    CHECK(s.resumed_from == 6);
    check_same_weights(tmp / "full", tmp / "split");
    auto a = lines(tmp / "full" / "train_log.csv"), b = lines(tmp / "split" / "train_log.csv");
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].substr(0, a[i].rfind(',')) == b[i].substr(0, b[i].rfind(',')));
  }
}

TEST_CASE("AnnealedVAE and DIP-VAE-II resume bit-identical (C(step) continues from the checkpoint's step)") {
  for (const char* method : {"annealed_vae", "dip_vae_ii"}) {
    CAPTURE(method);
    axial::test::TempDir tmp;
    TrainOptions o = tiny(method, 8);
    o.iteration_threshold = 5;
    o.c_max = 3;
    o.architecture = "dlib";
    o.adam = "tf";
    train(o, tmp / "full");
    TrainOptions part = o;
    part.steps = 6;
    train(part, tmp / "split");
    set_steps(tmp / "split", 8);
    auto s = resume(tmp / "split", ResumeOverrides{1, true, ""});
    CHECK(s.resumed_from == 6);
    check_same_weights(tmp / "full", tmp / "split");
  }
}

TEST_CASE("--dlib-step-count: a FactorVAE of N steps makes ceil(N/2) updates") {
  axial::test::TempDir tmp;
  TrainOptions o = tiny("factor_vae", 5);
  o.dlib_step_count = true;
  auto s = train(o, tmp / "run");
  CHECK(s.steps_done == 3);
  auto j = read_json(tmp / "run" / "config.json");
  CHECK(j["updates"] == 3);
  CHECK(j["options"]["steps"] == 5);
}

TEST_CASE("--dump-step: every term recomputes from the dumped arrays") {
  for (const char* method : {"factor_vae", "annealed_vae", "beta_tc_vae", "jl1", "dip_vae_ii"}) {
    CAPTURE(method);
    axial::test::TempDir tmp;
    TrainOptions o = tiny(method, 2);
    const bool dlib = std::string(method) != "jl1";
    o.architecture = dlib ? "dlib" : "paper";
    o.dump_step = (tmp / "step.h5").string();
    if (std::string(method) == "annealed_vae") o.c_max = 5;
    train(o, tmp / "run");
    auto f = axial::h5::File::open_read(tmp / "step.h5");
    const std::int64_t B = 4, L = 3;
    CHECK(f.read_attr_string("/", "method") == method);
    CHECK(f.read_attr_int("/", "step") == 0);
    auto x = read(f, "x", {B, 64, 64, 1});
    auto eps = read(f, "eps", {B, L}), mu = read(f, "mu", {B, L}), lv = read(f, "logvar", {B, L}),
         z = read(f, "z", {B, L});
    auto out = read(f, dlib ? "logits" : "probs", {B, 64, 64, 1});
    CHECK_FALSE(f.exists(dlib ? "probs" : "logits"));
    // z = μ + exp(log σ²/2)·ε (float32 training: compare at float precision).
    for (std::int64_t i = 0; i < B * L; ++i) CHECK(z[i] == doctest::Approx(mu[i] + std::exp(lv[i] / 2) * eps[i]).epsilon(1e-5));
    double kl = 0;
    for (std::int64_t i = 0; i < B * L; ++i) kl += 0.5 * (mu[i] * mu[i] + std::exp(lv[i]) - lv[i] - 1);
    kl /= B;
    double rec = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double p = dlib ? sigmoid(out[i]) : out[i];
      rec -= x[i] * std::log(p) + (1 - x[i]) * std::log(1 - p);
    }
    rec /= B;
    const double rec_d = read(f, "loss/reconstruction", {})[0], kl_d = read(f, "loss/kl", {})[0];
    const double reg = read(f, "loss/regularizer", {})[0], total = read(f, "loss/total", {})[0];
    CHECK(rec_d == doctest::Approx(rec).epsilon(1e-4));
    CHECK(kl_d == doctest::Approx(kl).epsilon(1e-4));
    CHECK(total == doctest::Approx(rec_d + reg).epsilon(1e-5));
    const std::string m = method;
    if (m == "factor_vae") {
      CHECK(f.read_attr_double("/", "gamma") == 30.0);
      auto zs = read(f, "factor_vae/z_shuffle", {B, L});
      auto lz = read(f, "factor_vae/logits_z", {B, 2}), lzs = read(f, "factor_vae/logits_z_shuffle", {B, 2});
      // Each column of z_shuffle is a permutation of z's column.
      for (std::int64_t l = 0; l < L; ++l) {
        std::vector<double> a, b;
        for (std::int64_t i = 0; i < B; ++i) {
          a.push_back(z[i * L + l]);
          b.push_back(zs[i * L + l]);
        }
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        CHECK(a == b);
      }
      double tc = 0, d = 0;
      for (std::int64_t i = 0; i < B; ++i) {
        tc += (lz[i * 2] - lz[i * 2 + 1]) / B;
        const double p0 = std::clamp(sigmoid(lz[i * 2] - lz[i * 2 + 1]), 1e-6, 1 - 1e-6);
        const double p1 = std::clamp(sigmoid(lzs[i * 2 + 1] - lzs[i * 2]), 1e-6, 1 - 1e-6);
        d += 0.5 * std::log(p0) / B + 0.5 * std::log(p1) / B;
      }
      CHECK(read(f, "loss/tc", {})[0] == doctest::Approx(tc).epsilon(1e-5));
      CHECK(read(f, "loss/discriminator", {})[0] == doctest::Approx(d).epsilon(1e-5));
      CHECK(reg == doctest::Approx(kl_d + 30.0 * tc).epsilon(1e-5));
    } else if (m == "annealed_vae") {
      CHECK(read(f, "loss/capacity", {})[0] == 0.0);  // C(0)
      CHECK(f.read_attr_double("/", "c_max") == 5.0);
      CHECK(reg == doctest::Approx(1000.0 * std::abs(kl_d - 0.0)).epsilon(1e-5));
    } else if (m == "beta_tc_vae") {
      double tc = 0;
      for (std::int64_t j = 0; j < B; ++j) {
        double lq = 0, sum_exp = 0, prod = 0;
        std::vector<double> s(B, 0.0);
        for (std::int64_t l = 0; l < L; ++l) {
          double se = 0;
          for (std::int64_t i = 0; i < B; ++i) {
            const double d = z[j * L + l] - mu[i * L + l];
            const double q = -0.5 * (d * d * std::exp(-lv[i * L + l]) + lv[i * L + l] + std::log(2 * M_PI));
            s[i] += q;
            se += std::exp(q);
          }
          prod += std::log(se);
        }
        for (std::int64_t i = 0; i < B; ++i) sum_exp += std::exp(s[i]);
        lq = std::log(sum_exp);
        tc += (lq - prod) / B;
      }
      CHECK(read(f, "loss/tc", {})[0] == doctest::Approx(tc).epsilon(1e-4));
      CHECK(reg == doctest::Approx(kl_d + 3.0 * tc).epsilon(1e-4));
    } else if (m == "jl1") {
      const double p = read(f, "loss/jacobian", {})[0];
      CHECK(f.read_attr_double("/", "beta_t") == 0.0);  // annealed from 0 at step 0
      CHECK(reg == doctest::Approx(0.0 * kl_d + 0.0 * p));
    } else if (m == "dip_vae_ii") {
      // M = mean diag(σ²) + Cov[μ], λ_od 5, λ_d 5.
      double mean[3] = {0, 0, 0}, M[3][3] = {};
      for (std::int64_t i = 0; i < B; ++i)
        for (int a = 0; a < L; ++a) mean[a] += mu[i * L + a] / B;
      for (int a = 0; a < L; ++a)
        for (int b = 0; b < L; ++b) {
          for (std::int64_t i = 0; i < B; ++i) M[a][b] += mu[i * L + a] * mu[i * L + b] / B;
          M[a][b] -= mean[a] * mean[b];
        }
      for (int a = 0; a < L; ++a)
        for (std::int64_t i = 0; i < B; ++i) M[a][a] += std::exp(lv[i * L + a]) / B;
      double pen = 0;
      for (int a = 0; a < L; ++a)
        for (int b = 0; b < L; ++b) pen += a == b ? 5.0 * (M[a][a] - 1) * (M[a][a] - 1) : 5.0 * M[a][b] * M[a][b];
      CHECK(reg == doctest::Approx(kl_d + pen).epsilon(1e-4));
    }
  }
}
