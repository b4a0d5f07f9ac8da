// `axial sweep`: plan files, --slurm script, --plan-only, --run-index --dry-run mapping, errors.
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/run_axial.hpp"

#include <doctest/doctest.h>

namespace fs = std::filesystem;
using axial::test::run_axial;

TEST_CASE("axial sweep --slurm writes plan.json and an array script, --run-index maps to the right run") {
  axial::test::TempDir dir;
  std::ofstream(dir / "plan.toml") << "name = \"grid\"\nout = \"o\"\n[grid]\ngamma = [0, 0.1]\nseed = \"1-3\"\n"
                                      "[train]\nsteps = 10\nbatch_size = 4\n[eval]\nprotocol = \"quick\"\n"
                                      "[slurm]\npartition = \"gpu\"\n";
  auto r = run_axial("sweep '" + (dir / "plan.toml").string() + "' --slurm");
  REQUIRE(r.exit_code == 0);
  fs::path out = dir / "o";
  CHECK(fs::exists(out / "plan.json"));
  CHECK(fs::exists(out / "sweep.sbatch"));
  CHECK((fs::status(out / "sweep.sbatch").permissions() & fs::perms::owner_exec) != fs::perms::none);
  std::string script = axial::test::slurp(out / "sweep.sbatch");
  CHECK(script.find("#SBATCH --array=0-5\n") != std::string::npos);
  CHECK(script.find("#SBATCH --partition=gpu\n") != std::string::npos);
  CHECK(script.find(" sweep " + (out / "plan.json").string() + " --run-index \"$SLURM_ARRAY_TASK_ID\"") !=
        std::string::npos);
  CHECK(r.out.find("4\tgamma-0.1_seed-2\n") != std::string::npos);

  // Array task 4 = γ 0.1, seed 2 (grid order: gamma outer, seed inner).
  auto d = run_axial("sweep '" + (out / "plan.json").string() + "' --run-index 4 --dry-run");
  REQUIRE(d.exit_code == 0);
  std::string train_dir = (out / "runs" / "gamma-0.1_seed-2" / "train").string();
  CHECK(d.out.find("axial train --out " + train_dir + " --steps 10 --batch-size 4 --gamma 0.1 --seed 2") !=
        std::string::npos);
  CHECK(d.out.find("axial eval --model " + train_dir + " --out " +
                   (out / "runs" / "gamma-0.1_seed-2" / "eval").string() + " --protocol quick") != std::string::npos);
  CHECK(d.out.find("(new)") != std::string::npos);
  // An interrupted run resumes.
  fs::create_directories(out / "runs" / "gamma-0.1_seed-2" / "train");
  std::ofstream(out / "runs" / "gamma-0.1_seed-2" / "train" / "config.json") << "{}";
  auto resumed = run_axial("sweep '" + (out / "plan.json").string() + "' --run-index 4 --dry-run");
  CHECK(resumed.out.find("axial train --resume " + train_dir) != std::string::npos);
  // A finished run is skipped (no training is attempted).
  fs::create_directories(out / "runs" / "gamma-0.1_seed-2" / "eval");
  std::ofstream(out / "runs" / "gamma-0.1_seed-2" / "eval" / "results.json") << "{}";
  auto skip = run_axial("sweep '" + (out / "plan.json").string() + "' --run-index 4");
  CHECK(skip.exit_code == 0);
  CHECK(skip.out.find("skipped") != std::string::npos);

  auto bad = run_axial("sweep '" + (out / "plan.json").string() + "' --run-index 6 --dry-run");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--run-index 6") != std::string::npos);
}

TEST_CASE("axial sweep: bad plans and options exit 2 with one line") {
  axial::test::TempDir dir;
  std::ofstream(dir / "p.toml") << "out = \"o\"\n[grid]\ngamma = {a = 1}\n";
  auto r = run_axial("sweep '" + (dir / "p.toml").string() + "' --plan-only");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("p.toml:3:") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  auto missing = run_axial("sweep '" + (dir / "none.toml").string() + "'");
  CHECK(missing.exit_code == 2);
  std::ofstream(dir / "p.yaml") << "x: 1\n";
  auto yaml = run_axial("sweep '" + (dir / "p.yaml").string() + "'");
  CHECK(yaml.exit_code == 2);
  CHECK(yaml.err.find(".toml or .json") != std::string::npos);
  std::ofstream(dir / "ok.json") << R"({"out": "o", "grid": {"seed": [1, 2]}})";
  auto jobs = run_axial("sweep '" + (dir / "ok.json").string() + "' --jobs 0");
  CHECK(jobs.exit_code == 2);
  auto plan = run_axial("sweep '" + (dir / "ok.json").string() + "' --plan-only");
  CHECK(plan.exit_code == 0);
  CHECK(plan.out.find("1\tseed-2\n") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "o" / "sweep.sbatch"));
}

TEST_CASE("axial sweep validates every run's train and eval options at plan time, before writing anything") {
  axial::test::TempDir dir;
  for (const auto& [grid, what] : std::vector<std::pair<std::string, std::string>>{
           {"seed = [1, 2]\nbeta = [4, -1]\n", "train: --beta -1"},
           {"seed = [1]\n\"eval.bins\" = [0]\n", "eval: --bins 0"},
           {"seed = [1]\nlatent_dim = [\"ten\"]\n", "train: --latent-dim 'ten'"}}) {
    {
      std::ofstream plan(dir / "plan.toml");
      plan << "[grid]\n" << grid << "[train]\nsteps = 1\n";
    }
    for (const char* mode : {"--plan-only", "--slurm", "--jobs 1"}) {
      auto r = axial::test::run_axial("sweep " + axial::test::q(dir / "plan.toml") + " " + mode + " --out " +
                                      axial::test::q(dir / "out"));
      INFO(grid << mode << " -> " << r.err);
      CHECK(r.exit_code == 2);
      CHECK(r.err.find("axial: error: plan '") == 0);
      CHECK(r.err.find(what) != std::string::npos);
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
      CHECK_FALSE(std::filesystem::exists(dir / "out"));
    }
  }
}
