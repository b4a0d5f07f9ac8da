// Sweep plans: the TOML subset, grid expansion (order, names, arguments), the Slurm array script.
#include "src/pipelines/sweep_plan.hpp"

#include <fstream>

#include "src/core/error.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace axial::pipelines;
namespace fs = std::filesystem;

TEST_CASE("TOML subset: tables, strings, numbers, booleans, multi-line arrays, comments") {
  auto j = parse_toml_subset(R"(# a plan
name = "three-dots"   # trailing comment
out = 'runs dir'
[grid]
gamma = [0, 0.1,
         1e-2,]        # trailing comma, exponent
seed = "11-13"
"eval.bins" = [10]
[train]
steps = 1_000
exact = true
neg = -3
)",
                             "p.toml");
  CHECK(j["name"] == "three-dots");
  CHECK(j["out"] == "runs dir");
  REQUIRE(j["grid"]["gamma"].size() == 3);
  CHECK(j["grid"]["gamma"][0].is_number_integer());
  CHECK(j["grid"]["gamma"][1] == 0.1);
  CHECK(j["grid"]["gamma"][2] == 0.01);
  CHECK(j["grid"]["eval.bins"][0] == 10);
  CHECK(j["train"]["steps"] == 1000);
  CHECK(j["train"]["exact"] == true);
  CHECK(j["train"]["neg"] == -3);
  // Keys keep the file's order.
  CHECK(j["grid"].begin().key() == "gamma");
}

TEST_CASE("TOML subset: unsupported or broken input names the file and line") {
  auto line_of = [](const std::string& text) {
    try {
      parse_toml_subset(text, "p.toml");
    } catch (const axial::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(line_of("a = 1\nb = {x = 1}\n").rfind("p.toml:2:", 0) == 0);
  CHECK(line_of("a = 1\na = 2\n").find("defined twice") != std::string::npos);
  CHECK(line_of("[[runs]]\n").find("arrays of tables") != std::string::npos);
  CHECK(line_of("a = \"open\n").find("unterminated") != std::string::npos);
  CHECK(line_of("a = 1979-05-27\n").find("dates") != std::string::npos);
  CHECK(line_of("a.b = 1\n").find("dotted") != std::string::npos);
  CHECK(line_of("a = [[1], [2]]\n").find("nested") != std::string::npos);
  CHECK(line_of("a = 1 2\n").rfind("p.toml:1:", 0) == 0);
}

TEST_CASE("expand_plan: the grid in order (last key fastest), names, train/eval arguments") {
  ordered_json spec = {{"name", "t"},
                       {"out", "o"},
                       {"grid", {{"gamma", {0, 0.1}}, {"seed", "11-13"}}},
                       {"train", {{"steps", 100}, {"batch_size", 8}, {"dataset", "three-dots"}}},
                       {"eval", {{"protocol", "quick"}}}};
  SweepPlan p = expand_plan(spec, "/base");
  CHECK(p.out == fs::path("/base/o"));
  REQUIRE(p.runs.size() == 6);
  CHECK(p.runs[0].name == "gamma-0_seed-11");
  CHECK(p.runs[1].name == "gamma-0_seed-12");
  CHECK(p.runs[3].name == "gamma-0.1_seed-11");
  CHECK(p.runs[5].values["seed"] == 13);
  CHECK(p.runs[4].train_dir == fs::path("/base/o/runs/gamma-0.1_seed-12/train"));
  CHECK(p.runs[4].train_args == std::vector<std::string>{"--out", "/base/o/runs/gamma-0.1_seed-12/train", "--steps",
                                                         "100", "--batch-size", "8", "--dataset", "three-dots",
                                                         "--gamma", "0.1", "--seed", "12"});
  CHECK(p.runs[4].eval_args == std::vector<std::string>{"--model", "/base/o/runs/gamma-0.1_seed-12/train", "--out",
                                                        "/base/o/runs/gamma-0.1_seed-12/eval", "--protocol", "quick",
                                                        "--dataset", "three-dots"});
  // Normalised plan: the seed range is expanded, out is absolute.
  CHECK(p.spec["grid"]["seed"].size() == 3);
  CHECK(p.spec["out"] == "/base/o");
}

TEST_CASE("expand_plan: bad plans are errors naming the key") {
  ordered_json base = {{"out", "o"}, {"grid", {{"gamma", {0}}}}};
  auto err = [&](ordered_json spec) {
    try {
      expand_plan(spec, "/b");
    } catch (const axial::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  ordered_json a = base;
  a["colour"] = 1;
  CHECK(err(a).find("unknown key 'colour'") != std::string::npos);
  ordered_json b = base;
  b["grid"]["out"] = {"x"};
  CHECK(err(b).find("set by axial sweep") != std::string::npos);
  ordered_json c = base;
  c["grid"]["seed"] = "20-11";
  CHECK(err(c).find("seed range") != std::string::npos);
  ordered_json d = base;
  d["train"] = {{"gamma", 1}};
  CHECK(err(d).find("both in [grid] and in [train]") != std::string::npos);
  ordered_json e = base;
  e["grid"]["beta"] = ordered_json::array();
  CHECK(err(e).find("empty list") != std::string::npos);
  ordered_json f = base;
  f.erase("out");
  CHECK(err(f).find("no output directory") != std::string::npos);
  ordered_json g = base;
  g["slurm"] = {{"gpu", 1}};
  CHECK(err(g).find("unknown [slurm] key 'gpu'") != std::string::npos);
}

TEST_CASE("Slurm script: #SBATCH lines, array size, index → run mapping") {
  ordered_json spec = {{"name", "paper"},
                       {"out", "/cluster/o"},
                       {"grid", {{"gamma", {0, 0.1}}, {"seed", "11-20"}}},
                       {"slurm", {{"partition", "gpu"}, {"time", "12:00:00"}, {"max_parallel", 8},
                                  {"setup", {"module load cuda"}}}}};
  SweepPlan p = expand_plan(spec, "/");
  std::string s = slurm_script(p, "/opt/axial/bin/axial", "/cluster/o/plan.json");
  CHECK(s.rfind("#!/bin/bash\n", 0) == 0);
  CHECK(s.find("#SBATCH --array=0-19%8\n") != std::string::npos);
  CHECK(s.find("#SBATCH --partition=gpu\n") != std::string::npos);
  CHECK(s.find("#SBATCH --time=12:00:00\n") != std::string::npos);
  CHECK(s.find("#SBATCH --gres=gpu:1\n") != std::string::npos);
  CHECK(s.find("#SBATCH --output=/cluster/o/slurm/%A_%a.out\n") != std::string::npos);
  CHECK(s.find("module load cuda\n") != std::string::npos);
  CHECK(s.find("exec \"$AXIAL\" sweep /cluster/o/plan.json --run-index \"$SLURM_ARRAY_TASK_ID\"") !=
        std::string::npos);
  CHECK(s.find("AXIAL=\"${AXIAL:-/opt/axial/bin/axial}\"") != std::string::npos);
  // The mapping table: index 0 → γ=0, seed 11; index 10 → γ=0.1, seed 11; index 19 → γ=0.1, seed 20.
  CHECK(s.find("#   0\tgamma-0_seed-11\n") != std::string::npos);
  CHECK(s.find("#   10\tgamma-0.1_seed-11\n") != std::string::npos);
  CHECK(s.find("#   19\tgamma-0.1_seed-20\n") != std::string::npos);
  // #SBATCH lines must all come before the first command.
  CHECK(s.rfind("#SBATCH") < s.find("set -euo pipefail"));
}

TEST_CASE("run_state: new, interrupted (train config present), done (results.json present)") {
  axial::test::TempDir dir;
  SweepPlan p = expand_plan({{"out", dir.path.string()}, {"grid", {{"seed", {1}}}}}, "/");
  const auto& r = p.runs[0];
  CHECK(run_state(r) == RunState::kNew);
  fs::create_directories(r.train_dir);
  std::ofstream(r.train_dir / "config.json") << "{}";
  CHECK(run_state(r) == RunState::kPartial);
  fs::create_directories(r.eval_dir);
  std::ofstream(r.eval_dir / "results.json") << "{}";
  CHECK(run_state(r) == RunState::kDone);
  CHECK(shell_quote("a b'c") == "'a b'\\''c'");
  CHECK(shell_quote("/x/y-1.json") == "/x/y-1.json");
}

TEST_CASE("expand_plan: variants (outermost) crossed with the grid, their options merged, clashes refused") {
  using axial::pipelines::ordered_json;
  ordered_json spec = ordered_json::parse(R"({
    "name": "v", "out": "o",
    "grid": {"seed": [0, 1]},
    "variants": [{"name": "a", "train": {"method": "beta_vae", "beta": 4}},
                 {"name": "b", "train": {"method": "factor_vae", "dlib_step_count": true}, "eval": {"bins": 5}}],
    "train": {"steps": 3}
  })");
  auto plan = axial::pipelines::expand_plan(spec, "/tmp");
  REQUIRE(plan.runs.size() == 4);
  CHECK(plan.runs[0].name == "a_seed-0");
  CHECK(plan.runs[1].name == "a_seed-1");
  CHECK(plan.runs[2].name == "b_seed-0");
  CHECK(plan.runs[3].values["variant"] == "b");
  auto has = [](const std::vector<std::string>& args, const std::string& s) {
    std::string all;
    for (const auto& a : args) all += a + " ";
    return all.find(s) != std::string::npos;
  };
  CHECK(has(plan.runs[0].train_args, "--steps 3 --method beta_vae --beta 4 --seed 0"));
  CHECK(has(plan.runs[3].train_args, "--method factor_vae --dlib-step-count --seed 1"));
  CHECK_FALSE(has(plan.runs[0].train_args, "--variant"));
  CHECK(has(plan.runs[3].eval_args, "--bins 5"));
  CHECK_FALSE(has(plan.runs[1].eval_args, "--bins"));
  auto bad = [&](const char* text, const std::string& needle) {
    try {
      axial::pipelines::expand_plan(ordered_json::parse(text), "/tmp");
      FAIL("no error for " << text);
    } catch (const axial::Error& e) {
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  bad(R"({"out": "o", "variants": [{"train": {}}]})", "needs a \"name\"");
  bad(R"({"out": "o", "variants": [{"name": "a"}, {"name": "a"}]})", "name used twice");
  bad(R"({"out": "o", "train": {"beta": 1}, "variants": [{"name": "a", "train": {"beta": 2}}]})",
      "'beta' is both in the variant and in [train]");
  bad(R"({"out": "o", "grid": {"beta": [1]}, "variants": [{"name": "a", "train": {"beta": 2}}]})",
      "both in the variant and in [grid]");
  bad(R"({"out": "o", "variants": [{"name": "a", "train": {"out": "x"}}]})", "set by axial sweep itself");
  bad(R"({"out": "o", "variants": []})", "non-empty list");
}

TEST_CASE("load_plan: a number beyond double (1e99999) is an error naming the plan, not an uncaught exception") {
  // Found by tests/fuzz (fuzz_json): nlohmann's parser throws out_of_range, not parse_error, for such a number.
  axial::test::TempDir dir;
  const fs::path plan = dir / "plan.json";
  std::ofstream(plan) << "{\"name\": \"x\", \"grid\": {\"gamma\": [1e99999]}}";
  std::string message;
  try {
    load_plan(plan);
  } catch (const axial::Error& e) {
    message = e.what();
  }
  CHECK(message.find(plan.string()) != std::string::npos);
  CHECK(message.find("not valid JSON") != std::string::npos);
}
