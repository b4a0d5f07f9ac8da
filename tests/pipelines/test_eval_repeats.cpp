// `axial eval --eval-seeds k` (src/pipelines/eval_repeats.hpp): the loop over seeds, the file it writes, and what it
// removes. A stand-in evaluation returns values that are functions of the seed, so every recorded value is known.
#include "src/pipelines/eval_repeats.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/core/error.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// MIG = seed / 100, local MIG at ρ = 0.1 = seed / 1000; records each call's settings.
struct StandIn {
  std::vector<std::uint64_t> seeds;
  std::vector<fs::path> outs;
  axial::pipelines::EvalOutcome operator()(const axial::pipelines::EvalSettings& s) {
    seeds.push_back(s.seed);
    outs.push_back(s.out);
    fs::create_directories(s.out);
    std::ofstream(s.out / "results.json") << "{}";
    axial::pipelines::EvalOutcome o;
    o.results = {{"model", {{"sha256", "abc"}}},
                 {"metrics", {{"mig", double(s.seed) / 100}, {"mig_per_factor", {1, 2}}, {"sap", nullptr}}},
                 {"local", {{{"locality", 0.1}, {"local_mig", double(s.seed) / 1000}, {"local_mig_per_cluster", {1}}}}}};
    return o;
  }
};

json read_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

}  // namespace

TEST_CASE("eval repeats: k seeds from --seed on, every scalar value recorded, temporary directories removed") {
  axial::test::TempDir dir;
  axial::pipelines::EvalSettings s;
  s.out = dir / "out";
  s.seed = 7;
  s.quiet = true;
  StandIn stand_in;
  std::ostringstream progress;
  auto first = axial::pipelines::run_eval_repeats_with(s, 3, progress, std::ref(stand_in));
  CHECK(first.results["metrics"]["mig"] == 0.07);
  REQUIRE(stand_in.seeds == std::vector<std::uint64_t>{7, 8, 9});
  CHECK(stand_in.outs[0] == s.out);  // the first seed is the ordinary results.json
  for (std::size_t i = 1; i < 3; ++i) CHECK_FALSE(fs::exists(stand_in.outs[i]));
  const json r = read_json(s.out / "eval_repeats.json");
  CHECK(r["kind"] == "eval_repeats");
  CHECK(r["model_sha256"] == "abc");
  CHECK(r["seeds"] == json::array({7, 8, 9}));
  REQUIRE(r["runs"].size() == 3);
  CHECK(r["runs"][1]["seed"] == 8);
  CHECK(r["runs"][1]["metrics"]["mig"] == 0.08);
  CHECK(r["runs"][2]["local"][0]["local_mig"] == 0.009);
  CHECK(r["runs"][2]["local"][0]["locality"] == 0.1);
  CHECK(r["runs"][0]["metrics"]["sap"].is_null());                 // nulls stay (undefined on that seed)
  CHECK_FALSE(r["runs"][0]["metrics"].contains("mig_per_factor"));  // arrays are not repeat values
  CHECK_FALSE(r["runs"][0]["local"][0].contains("local_mig_per_cluster"));
  // Only results.json and eval_repeats.json are left in OUT.
  int entries = 0;
  for (auto& e : fs::directory_iterator(s.out)) (void)e, ++entries;
  CHECK(entries == 2);

  // k = 1: an ordinary evaluation; a stale eval_repeats.json (which would not match the new results) is removed.
  StandIn once;
  axial::pipelines::run_eval_repeats_with(s, 1, progress, std::ref(once));
  CHECK(once.seeds.size() == 1);
  CHECK_FALSE(fs::exists(s.out / "eval_repeats.json"));
  CHECK_THROWS_AS(axial::pipelines::run_eval_repeats_with(s, 0, progress, std::ref(once)), axial::Error);
}

TEST_CASE("eval repeats: a failing repeat leaves no temporary directory and no eval_repeats.json") {
  axial::test::TempDir dir;
  axial::pipelines::EvalSettings s;
  s.out = dir / "out";
  s.quiet = true;
  StandIn stand_in;
  int calls = 0;
  std::ostringstream progress;
  auto failing = [&](const axial::pipelines::EvalSettings& x) {
    if (++calls == 2) {
      fs::create_directories(x.out);
      throw axial::Error("simulated failure");
    }
    return stand_in(x);
  };
  CHECK_THROWS_AS(axial::pipelines::run_eval_repeats_with(s, 3, progress, failing), axial::Error);
  CHECK_FALSE(fs::exists(s.out / "eval_repeats.json"));
  CHECK_FALSE(fs::exists(s.out / ".eval_seed_1.tmp"));
}
