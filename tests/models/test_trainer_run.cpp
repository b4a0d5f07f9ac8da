// The trainer end to end on tiny settings: outputs, a falling loss, resume bit-identity, TorchScript export.
#include <torch/script.h>
#include <torch/torch.h>

#include <fmt/core.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "src/core/error.hpp"
#include "models/trainer.hpp"
#include "models/vae.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>  // last: glog redefines CHECK

using namespace axial::models;
namespace fs = std::filesystem;

namespace {

TrainOptions tiny(std::int64_t steps) {
  TrainOptions o;
  o.dataset = "three-dots";
  o.batch_size = 4;
  o.train_cache = 64;
  o.steps = steps;
  o.anneal_steps = 4;
  o.log_every = 2;
  o.checkpoint_every = 3;
  o.latent_dim = 4;
  o.lr = 1e-3;
  o.device = "cpu";
  o.threads = 1;
  o.quiet = true;
  o.seed = 3;
  o.data_seed = 1;
  return o;
}

std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
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
  nlohmann::json j;
  {
    std::ifstream in(dir / "config.json");
    j = nlohmann::json::parse(in);
  }
  j["options"]["steps"] = steps;
  std::ofstream(dir / "config.json") << j.dump(2);
}

}  // namespace

TEST_CASE("batch indices depend only on (data seed, step) and cover the cache") {
  std::vector<std::int64_t> a(50), b(50), c(50);
  batch_indices(0, 7, 10, 50, a.data());
  batch_indices(0, 7, 10, 50, b.data());
  batch_indices(0, 8, 10, 50, c.data());
  CHECK(a == b);
  CHECK(a != c);
  for (auto v : a) CHECK((v >= 0 && v < 10));
}

TEST_CASE("options validation names the option") {
  auto bad = [](auto mutate, const std::string& needle) {
    TrainOptions o = tiny(1);
    mutate(o);
    try {
      validate(o);
      FAIL("no error for " << needle);
    } catch (const axial::Error& e) {
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  bad([](TrainOptions& o) { o.beta = -1; }, "--beta");
  bad([](TrainOptions& o) { o.gamma = -0.1; }, "--gamma");
  bad([](TrainOptions& o) { o.lr = -1e-4; }, "--lr");
  bad([](TrainOptions& o) { o.steps = -5; }, "--steps");
  bad([](TrainOptions& o) { o.jacobian_columns = 5; }, "--jacobian-columns");
  bad([](TrainOptions& o) { o.penalty = "l0"; }, "--penalty");
  bad([](TrainOptions& o) { o.jacobian = "numerical"; }, "--jacobian");
  CHECK_NOTHROW(validate(tiny(1)));
  // options JSON round trip
  TrainOptions o = tiny(9);
  o.gamma = 0.25;
  o.jacobian_columns = 2;
  auto back = options_from_json(options_to_json(o), "test");
  CHECK(options_to_json(back) == options_to_json(o));
}

TEST_CASE("a short run writes every output and its loss falls") {
  axial::test::TempDir tmp;
  TrainOptions o = tiny(60);
  o.gamma = 0.0;
  o.log_every = 10;
  o.checkpoint_every = 30;
  o.anneal_steps = 0;
  o.beta = 1.0;
  o.lr = 1e-3;
  auto s = train(o, tmp / "run");
  CHECK(s.steps_done == 60);
  for (const char* f : {"config.json", "train_log.csv", "checkpoint.pt", "model/encoder.pt", "model/vae.pt"})
    CHECK(fs::exists(tmp / "run" / f));
  auto rows = read_csv(tmp / "run" / "train_log.csv");
  REQUIRE(rows.size() == 7);
  CHECK(rows[0] == std::vector<std::string>{"step", "loss", "reconstruction", "kl", "jacobian", "beta_t", "gamma_t",
                                            "images/s"});
  CHECK(rows[1][0] == "10");
  CHECK(rows[6][0] == "60");
  const double first = std::stod(rows[1][1]), last = std::stod(rows[6][1]);
  CAPTURE(first);
  CAPTURE(last);
  CHECK(last < 0.8 * first);
  // config.json
  std::ifstream in(tmp / "run" / "config.json");
  auto j = nlohmann::json::parse(in);
  CHECK(j["options"]["steps"] == 60);
  CHECK(j["options"]["seed"] == 3);
  CHECK(j["options"]["data_seed"] == 1);
  CHECK(j["options"]["jacobian"] == "fd");
  CHECK(j["model"]["parameters"] == count_parameters(*Vae(VaeOptions{1, 4})));
  CHECK(j["device"] == "cpu");
  CHECK(j.contains("axial_version"));
  CHECK(j.contains("git_commit"));
  CHECK(j.contains("libtorch_version"));
  // a non-empty directory is refused
  CHECK_THROWS_AS(train(o, tmp / "run"), axial::Error);
}

TEST_CASE("exported encoder.pt gives the trained model's mu") {
  axial::test::TempDir tmp;
  TrainOptions o = tiny(3);
  train(o, tmp / "run");
  auto enc = torch::jit::load((tmp / "run" / "model" / "encoder.pt").string());
  Vae vae = load_vae(tmp / "run");
  auto x = torch::rand({5, 1, 64, 64});
  torch::NoGradGuard ng;
  auto mu_script = enc.forward({x}).toTensor();
  auto mu = std::get<0>(vae->encode(x));
  CHECK(mu_script.sizes().vec() == std::vector<int64_t>{5, 4});
  CHECK(torch::allclose(mu_script, mu, 1e-6, 1e-6));
}

TEST_CASE("resume from a checkpoint ends bit-identical to an uninterrupted run") {
  for (const char* jac : {"fd", "exact"}) {
    CAPTURE(jac);
    axial::test::TempDir tmp;
    TrainOptions o = tiny(10);
    o.jacobian = jac;
    o.jacobian_columns = std::string(jac) == "exact" ? 2 : 0;  // also covers the random column stream
    o.gamma = 0.5;
    train(o, tmp / "full");
    // Interrupted run: stop after 7 steps (last checkpoint at 6, the log window open), then finish with --resume.
    TrainOptions part = o;
    part.steps = 7;
    train(part, tmp / "split");
    set_steps(tmp / "split", 10);
    // Emulate a kill after step 7: the checkpoint at 7 would not exist; restore the one of step 6 by rerunning
    // to 6 instead.
    axial::test::TempDir tmp2;
    TrainOptions six = o;
    six.steps = 6;
    train(six, tmp2 / "six");
    set_steps(tmp2 / "six", 10);
    fs::remove_all(tmp2 / "six" / "model");
    auto s = resume(tmp2 / "six", ResumeOverrides{1, true, ""});
    CHECK(s.resumed_from == 6);
    CHECK(s.steps_done == 10);
    check_same_weights(tmp / "full", tmp2 / "six");
    auto s2 = resume(tmp / "split", ResumeOverrides{1, true, ""});
    CHECK(s2.resumed_from == 7);
    check_same_weights(tmp / "full", tmp / "split");
    // The logs agree too (all but the timing column).
    auto a = read_csv(tmp / "full" / "train_log.csv"), b = read_csv(tmp2 / "six" / "train_log.csv");
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      a[i].pop_back();
      b[i].pop_back();
      CHECK(a[i] == b[i]);
    }
  }
}

TEST_CASE("resuming a finished run only re-exports") {
  axial::test::TempDir tmp;
  train(tiny(2), tmp / "run");
  fs::remove_all(tmp / "run" / "model");
  auto s = resume(tmp / "run", ResumeOverrides{1, true, ""});
  CHECK(s.resumed_from == 2);
  CHECK(fs::exists(tmp / "run" / "model" / "encoder.pt"));
  CHECK_THROWS_AS(resume(tmp / "nothing"), axial::Error);
}

namespace {

// Every train_log.csv column but the timing one (images/s).
std::vector<std::vector<std::string>> log_without_timing(const fs::path& dir) {
  auto rows = read_csv(dir / "train_log.csv");
  for (auto& r : rows) r.pop_back();
  return rows;
}

}  // namespace

TEST_CASE("--seeds: three models trained together are bit-identical to the three runs alone") {
  struct Case {
    const char* name;
    TrainOptions o;
  };
  TrainOptions fd = tiny(5);
  fd.gamma = 0.5;
  fd.jacobian_columns = 2;  // the random column stream comes from the swapped generators too
  TrainOptions factor = tiny(5);
  factor.method = "factor_vae";
  set_method_defaults(factor, {});
  for (const Case& c : {Case{"jl1 fd k=2", fd}, Case{"factor_vae", factor}}) {
    CAPTURE(c.name);
    axial::test::TempDir tmp;
    const std::vector<std::uint64_t> seeds = {11, 12, 13};
    for (auto s : seeds) {
      TrainOptions o = c.o;
      o.seed = s;
      train(o, tmp / fmt::format("alone-{}", s));
    }
    auto summaries = train_seeds(c.o, seeds, tmp / "together");
    REQUIRE(summaries.size() == 3);
    CHECK(seed_run_dirs(tmp / "together") ==
          std::vector<fs::path>{tmp / "together" / "seed-11", tmp / "together" / "seed-12", tmp / "together" / "seed-13"});
    for (auto s : seeds) {
      CAPTURE(s);
      const fs::path alone = tmp / fmt::format("alone-{}", s), together = seed_dir(tmp / "together", s);
      CHECK(summaries[s - 11].steps_done == 5);
      check_same_weights(alone, together);
      CHECK(log_without_timing(alone) == log_without_timing(together));
      nlohmann::json ja, jt;
      std::ifstream(alone / "config.json") >> ja;
      std::ifstream(together / "config.json") >> jt;
      CHECK(ja["options"] == jt["options"]);
      CHECK(jt["seed"] == s);
      CHECK(!fs::exists(together / ".axial.lock"));
    }
    CHECK(!fs::exists(tmp / "together" / ".axial.lock"));
    // The models differ from one another (the seeds were applied).
    Vae a = load_vae(seed_dir(tmp / "together", 11)), b = load_vae(seed_dir(tmp / "together", 12));
    CHECK(!torch::equal(a->parameters().front(), b->parameters().front()));
  }
}

TEST_CASE("--seeds: resuming the job continues every seed as if it had never stopped") {
  axial::test::TempDir tmp;
  TrainOptions o = tiny(8);
  o.gamma = 0.5;
  const std::vector<std::uint64_t> seeds = {4, 9};
  train_seeds(o, seeds, tmp / "full");
  TrainOptions part = o;
  part.steps = 6;
  train_seeds(part, seeds, tmp / "split");
  for (auto s : seeds) set_steps(seed_dir(tmp / "split", s), 8);
  REQUIRE(seed_run_dirs(tmp / "split").size() == 2);
  auto sums = resume_seeds(tmp / "split", ResumeOverrides{1, true, ""});
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    CHECK(sums[i].resumed_from == 6);
    CHECK(sums[i].steps_done == 8);
    check_same_weights(seed_dir(tmp / "full", seeds[i]), seed_dir(tmp / "split", seeds[i]));
    CHECK(log_without_timing(seed_dir(tmp / "full", seeds[i])) ==
          log_without_timing(seed_dir(tmp / "split", seeds[i])));
  }
  // A seed directory alone resumes like any run directory.
  fs::remove_all(seed_dir(tmp / "split", 4) / "model");
  CHECK(resume(seed_dir(tmp / "split", 4), ResumeOverrides{1, true, ""}).resumed_from == 8);
  CHECK(fs::exists(seed_dir(tmp / "split", 4) / "model" / "encoder.pt"));
  // A run directory is not a --seeds job.
  CHECK(seed_run_dirs(seed_dir(tmp / "split", 4)).empty());
}

TEST_CASE("--seeds: bad seed lists and a used --out are refused before anything is written") {
  axial::test::TempDir tmp;
  TrainOptions o = tiny(2);
  CHECK_THROWS_WITH_AS(train_seeds(o, {}, tmp / "a"), doctest::Contains("--seeds"), axial::Error);
  CHECK_THROWS_WITH_AS(train_seeds(o, {3, 5, 3}, tmp / "a"), doctest::Contains("seed 3 is listed twice"), axial::Error);
  CHECK(!fs::exists(tmp / "a"));
  fs::create_directories(tmp / "used");
  std::ofstream(tmp / "used" / "notes.txt") << "x";
  CHECK_THROWS_AS(train_seeds(o, {1, 2}, tmp / "used"), axial::Error);
  CHECK(!fs::exists(tmp / "used" / "seed-1"));
  TrainOptions dump = o;
  dump.dump_step = (tmp / "step.h5").string();
  CHECK_THROWS_WITH_AS(train_seeds(dump, {1, 2}, tmp / "b"), doctest::Contains("--dump-step"), axial::Error);
  CHECK(!fs::exists(tmp / "b"));
}
