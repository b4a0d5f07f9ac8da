// `axial reproduce three-dots`: the paper plan and its Slurm script (no training), option errors, and the
// skip/resume logic end to end on a tiny sweep (real train + eval, a few seconds).
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/run_axial.hpp"

#include <doctest/doctest.h>

namespace fs = std::filesystem;
using axial::test::run_axial;

TEST_CASE("axial reproduce three-dots --preset paper --plan-only --slurm: 20 runs, the paper's settings") {
  axial::test::TempDir dir;
  auto r = run_axial("reproduce three-dots --preset paper --plan-only --slurm --out '" + (dir / "p").string() + "'");
  REQUIRE(r.exit_code == 0);
  auto plan = nlohmann::json::parse(axial::test::slurp(dir / "p" / "plan.json"));
  CHECK(plan["train"]["steps"] == 300000);
  CHECK(plan["train"]["anneal_steps"] == 100000);
  CHECK(plan["train"]["train_cache"] == 500000);
  CHECK(plan["train"]["beta"] == 4.0);
  CHECK(plan["grid"]["gamma"] == nlohmann::json::array({0.0, 0.1}));
  CHECK(plan["grid"]["seed"].size() == 10);
  CHECK(plan["grid"]["seed"][0] == 11);
  CHECK(plan["eval"]["protocol"] == "paper");
  std::string script = axial::test::slurp(dir / "p" / "sweep.sbatch");
  CHECK(script.find("#SBATCH --array=0-19\n") != std::string::npos);
  CHECK(script.find("#SBATCH --gres=gpu:1\n") != std::string::npos);
  CHECK(script.find("#   0\tgamma-0_seed-11\n") != std::string::npos);
  CHECK(script.find("#   19\tgamma-0.1_seed-20\n") != std::string::npos);
  // Array task 12 → γ = 0.1, seed 13, trained with the paper's settings.
  auto d = run_axial("sweep '" + (dir / "p" / "plan.json").string() + "' --run-index 12 --dry-run");
  REQUIRE(d.exit_code == 0);
  CHECK(d.out.find("--gamma 0.1 --seed 13") != std::string::npos);
  CHECK(d.out.find("--steps 300000 --anneal-steps 100000 --train-cache 500000") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "p" / "runs"));  // nothing was run
}

TEST_CASE("axial reproduce three-dots --preset cpu --plan-only: 5 seeds per group, the one-column estimator") {
  axial::test::TempDir dir;
  auto r = run_axial("reproduce three-dots --preset cpu --plan-only --out '" + (dir / "c").string() + "'");
  REQUIRE(r.exit_code == 0);
  auto plan = nlohmann::json::parse(axial::test::slurp(dir / "c" / "plan.json"));
  CHECK(plan["name"] == "three-dots-cpu");
  CHECK(plan["grid"]["gamma"] == nlohmann::json::array({0.0, 0.1}));
  CHECK(plan["grid"]["seed"] == nlohmann::json::array({11, 12, 13, 14, 15}));
  CHECK(plan["train"]["jacobian_columns"] == 1);
  CHECK(plan["train"]["batch_size"] == 16);
  CHECK(plan["train"]["lr"] == 1e-3);
  CHECK(plan["eval"]["protocol"] == "cpu");
  CHECK(r.out.find("9\tgamma-0.1_seed-15\n") != std::string::npos);
  // The JL1 runs train with the estimator; the eval uses the cpu protocol.
  auto d = run_axial("sweep '" + (dir / "c" / "plan.json").string() + "' --run-index 7 --dry-run");
  REQUIRE(d.exit_code == 0);
  CHECK(d.out.find("--jacobian-columns 1 --lr 0.001 --gamma 0.1 --seed 13") != std::string::npos);
  CHECK(d.out.find("--protocol cpu") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "c" / "runs"));
}

TEST_CASE("axial reproduce: option errors") {
  CHECK(run_axial("reproduce mnist --plan-only").exit_code == 2);
  auto p = run_axial("reproduce three-dots --preset fast --plan-only");
  CHECK(p.exit_code == 2);
  CHECK(p.err.find("--preset 'fast'") != std::string::npos);
  CHECK(run_axial("reproduce three-dots --gammas 0,x --plan-only").exit_code == 2);
  CHECK(run_axial("reproduce three-dots --seeds 5-1 --plan-only").exit_code == 2);
  auto f = run_axial("reproduce three-dots --figure 5 --preset cpu --plan-only");
  CHECK(f.exit_code == 2);
  CHECK(f.err.find("--figure 5 --preset cpu") != std::string::npos);
}

TEST_CASE("sweep skip/resume on a tiny plan: run, rerun skips, lost results re-evaluate, the report is written") {
  axial::test::TempDir dir;
  std::ofstream(dir / "tiny.json") << R"({
    "name": "tiny", "out": "o",
    "grid": {"gamma": [0, 0.1], "seed": [1]},
    "train": {"dataset": "three-dots", "steps": 3, "anneal_steps": 1, "batch_size": 2, "train_cache": 8,
              "log_every": 1, "checkpoint_every": 2, "latent_dim": 3},
    "eval": {"protocol": "quick", "num_train": 60, "num_test": 20, "clusters": 2, "cluster_size": 40,
             "localities": "0.1,0.3", "anchors": 0}
  })";
  const std::string cmd = "sweep '" + (dir / "tiny.json").string() + "' --jobs 2 --threads 1";
  auto first = run_axial(cmd);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  fs::path run0 = dir / "o" / "runs" / "gamma-0_seed-1";
  CHECK(fs::exists(run0 / "train" / "config.json"));
  CHECK(fs::exists(run0 / "eval" / "results.json"));
  CHECK(fs::exists(dir / "o" / "report" / "report.md"));
  CHECK(fs::exists(dir / "o" / "report" / "figures" / "local_metrics.png"));
  auto results_time = fs::last_write_time(run0 / "eval" / "results.json");

  auto second = run_axial(cmd);
  REQUIRE(second.exit_code == 0);
  CHECK(second.err.find("2 finished already, 0 to run") != std::string::npos);
  CHECK(fs::last_write_time(run0 / "eval" / "results.json") == results_time);

  // Results lost (e.g. the eval was interrupted): the rerun resumes training (already finished) and re-evaluates.
  fs::remove(run0 / "eval" / "results.json");
  auto third = run_axial(cmd);
  INFO(third.err);
  REQUIRE(third.exit_code == 0);
  CHECK(third.err.find("1 finished already, 1 to run") != std::string::npos);
  CHECK(axial::test::slurp(run0 / "log.txt").find("axial train --resume") != std::string::npos);
  CHECK(fs::exists(run0 / "eval" / "results.json"));
}

TEST_CASE("axial reproduce three-dots --figure 5 --preset paper --plan-only --slurm: 7 methods x seeds 0-9") {
  axial::test::TempDir dir;
  auto r = run_axial("reproduce three-dots --figure 5 --preset paper --plan-only --slurm --out '" +
                     (dir / "p").string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto plan = nlohmann::json::parse(axial::test::slurp(dir / "p" / "plan.json"));
  CHECK(plan["grid"]["seed"].size() == 10);
  CHECK(plan["grid"]["seed"][0] == 0);
  CHECK(plan["variants"].size() == 7);
  CHECK(plan["train"]["steps"] == 300000);
  CHECK(plan["report"]["group_by"] == "method");
  std::string script = axial::test::slurp(dir / "p" / "sweep.sbatch");
  CHECK(script.find("#SBATCH --array=0-69\n") != std::string::npos);
  auto args_of = [&](int index) {
    auto d = run_axial("sweep '" + (dir / "p" / "plan.json").string() + "' --run-index " + std::to_string(index) +
                       " --dry-run");
    REQUIRE(d.exit_code == 0);
    return d.out;
  };
  // Run order: jl1, beta_vae, factor_vae, dip_vae_i, dip_vae_ii, beta_tc_vae, annealed_vae; seeds 0-9 each.
  CHECK(args_of(3).find("--method jl1 --architecture paper --adam torch --beta 4 --gamma 0.1 --anneal-steps 100000 "
                        "--seed 3") != std::string::npos);
  CHECK(args_of(10).find("--method beta_vae --beta 4 --architecture dlib --adam tf --seed 0") != std::string::npos);
  CHECK(args_of(25).find("--method factor_vae --gamma 30 --dlib-step-count --architecture dlib --adam tf --seed 5") !=
        std::string::npos);
  CHECK(args_of(30).find("--method dip_vae_i --lambda-od 5 --lambda-d-factor 10") != std::string::npos);
  CHECK(args_of(40).find("--method dip_vae_ii --lambda-od 5 --lambda-d-factor 1") != std::string::npos);
  CHECK(args_of(50).find("--method beta_tc_vae --beta 4") != std::string::npos);
  CHECK(args_of(69).find("--method annealed_vae --c-max 25 --gamma 1000 --iteration-threshold 100000") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(dir / "p" / "runs"));
  // Every run's options pass axial train's own checks.
  auto check = run_axial("check-plan '" + (dir / "p" / "plan.json").string() + "'");
  CAPTURE(check.err);
  CHECK(check.exit_code == 0);
  auto bad = run_axial("reproduce three-dots --figure 5 --gammas 0 --plan-only --out '" + (dir / "q").string() + "'");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--gammas does not apply to --figure 5") != std::string::npos);
  CHECK(run_axial("reproduce three-dots --figure 4 --plan-only").exit_code == 2);
}
