// `axial report`: end to end on fixture results.json files (the issue-5 schema), bad input.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/run_axial.hpp"
#include "tests/reports/report_fixtures.hpp"

#include <doctest/doctest.h>

namespace fs = std::filesystem;
using axial::test::run_axial;

TEST_CASE("axial report: groups, writes every file, reference columns") {
  axial::test::TempDir dir;
  for (int seed : {1, 2, 3})
    for (double gamma : {0.0, 0.1})
      axial::test::write_json(
          dir / "runs" / ("g" + std::to_string(int(gamma * 10)) + "s" + std::to_string(seed)) / "results.json",
          axial::test::results(0.1 + gamma + 0.01 * seed, 0.9, {{0.1, 0.05 + gamma + 0.001 * seed, 0.9}},
                               axial::test::train_config(4, gamma, seed)));
  auto r = run_axial("report '" + (dir / "runs").string() + "' --reference three-dots --out '" +
                     (dir / "out").string() + "'");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("6 runs in 2 groups") != std::string::npos);
  for (const char* f : {"runs.csv", "summary.csv", "comparisons.csv", "report.json", "report.md",
                        "figures/local_metrics.svg", "figures/local_metrics.png"})
    CHECK_MESSAGE(fs::exists(dir / "out" / f), f);
  std::string md = axial::test::slurp(dir / "out" / "report.md");
  CHECK(md.find("β-VAE (paper)") != std::string::npos);

  auto g = run_axial("report '" + (dir / "runs").string() + "' --group-by beta --no-figures --out '" +
                     (dir / "out2").string() + "'");
  CHECK(g.exit_code == 0);
  CHECK(g.out.find("6 runs in 1 groups") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out2" / "figures" / "local_metrics.svg"));
}

TEST_CASE("axial report: bad input gets one error line and exit 2") {
  axial::test::TempDir dir;
  auto missing = run_axial("report '" + (dir / "nope").string() + "' --out '" + (dir / "o").string() + "'");
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("does not exist") != std::string::npos);
  fs::create_directories(dir / "empty");
  auto empty = run_axial("report '" + (dir / "empty").string() + "' --out '" + (dir / "o").string() + "'");
  CHECK(empty.exit_code == 2);
  CHECK(empty.err.find("no results.json") != std::string::npos);
  axial::test::write_json(dir / "r" / "results.json",
                          axial::test::results(0.1, 0.9, {}, axial::test::train_config(4, 0, 1)));
  auto noout = run_axial("report '" + (dir / "r").string() + "'");
  CHECK(noout.exit_code == 2);
  CHECK(noout.err.find("--out") != std::string::npos);
  auto badkey = run_axial("report '" + (dir / "r").string() + "' --group-by colour --out '" + (dir / "o").string() + "'");
  CHECK(badkey.exit_code == 2);
  CHECK(badkey.err.find("'colour'") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "o" / "report.md"));
  auto badref = run_axial("report '" + (dir / "r").string() + "' --reference mnist --out '" + (dir / "o").string() + "'");
  CHECK(badref.exit_code == 2);
  auto help = run_axial("report --help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--group-by") != std::string::npos);
}

TEST_CASE("axial report: a --compare-locality that was not evaluated is an error listing the evaluated ones") {
  axial::test::TempDir dir;
  for (int seed : {1, 2})
    axial::test::write_json(dir / "runs" / ("s" + std::to_string(seed)) / "results.json",
                            axial::test::results(0.1, 0.9, {{0.1, 0.05, 0.9}, {0.3, 0.03, 0.8}},
                                                 axial::test::train_config(4, 0.1, seed)));
  auto bad = run_axial("report '" + (dir / "runs").string() + "' --compare-locality 0.55 --no-figures --out '" +
                       (dir / "out").string() + "'");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "axial: error: --compare-locality 0.55: not evaluated (evaluated localities: 0.1, 0.3)\n");
  CHECK_FALSE(fs::exists(dir / "out"));
  auto good = run_axial("report '" + (dir / "runs").string() + "' --compare-locality 0.3 --no-figures --out '" +
                        (dir / "out").string() + "'");
  CHECK(good.exit_code == 0);
}

TEST_CASE("axial report aggregates axial score JSON outputs, grouped by a file name pattern") {
  axial::test::TempDir dir;
  fs::create_directories(dir / "runs");
  std::vector<double> migs;
  for (const std::string method : {"A", "B"})
    for (int seed : {1, 2}) {
      // Codes: z0 follows y0 (method A: exactly, B: mixed with y1 by a seed-dependent amount); 40 rows.
      std::ofstream csv(dir / ("codes_" + method + std::to_string(seed) + ".csv"));
      csv << "z0,z1,y0,y1\n";
      for (int n = 0; n < 40; ++n) {
        const int y0 = n % 4, y1 = (n / 4) % 5;
        const double mix = method == "A" ? 0.0 : 0.3 * seed;
        csv << y0 + mix * y1 << "," << y1 << "," << y0 << "," << y1 << "\n";
      }
      csv.close();
      const auto out = dir / "runs" / (method + "_seed" + std::to_string(seed) + ".json");
      auto s = run_axial("score --codes " + axial::test::q(dir / ("codes_" + method + std::to_string(seed) + ".csv")) +
                         " --metrics mig --out " + axial::test::q(out));
      REQUIRE(s.exit_code == 0);
      std::ifstream in(out);
      migs.push_back(nlohmann::json::parse(in)["mig"].get<double>());
    }
  std::string files;
  for (const std::string f : {"A_seed1", "A_seed2", "B_seed1", "B_seed2"})
    files += " " + axial::test::q(dir / "runs" / (f + ".json"));
  auto r = run_axial("report" + files + " --group-pattern 'runs/([A-Z])_seed' --no-figures --out " +
                     axial::test::q(dir / "rep"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("4 runs in 2 groups") != std::string::npos);
  std::ifstream in(dir / "rep" / "report.json");
  const auto rep = nlohmann::json::parse(in);
  const std::string md = axial::test::slurp(dir / "rep" / "report.md");
  CHECK(md.find("group=A") != std::string::npos);
  CHECK(md.find("group=B") != std::string::npos);
  // The A group's mean MIG is the mean of its two files' MIG (summary.csv: group,metric,locality,kind,n,mean,…).
  const std::string summary = axial::test::slurp(dir / "rep" / "summary.csv");
  const auto at = summary.find("group=A,mig,,score,2,");
  REQUIRE(at != std::string::npos);
  const double mean = std::stod(summary.substr(at + std::string("group=A,mig,,score,2,").size()));
  CHECK(mean == doctest::Approx((migs[0] + migs[1]) / 2).epsilon(1e-9));
  CHECK(migs[0] == doctest::Approx(1.0));  // method A: z0 = y0 exactly, z1 = y1 exactly
  auto bad = run_axial("report" + files + " --group-pattern 'nomatch([0-9])' --no-figures --out " +
                       axial::test::q(dir / "rep2"));
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("does not match") != std::string::npos);
}

TEST_CASE("axial report: a valid JSON file nested 100,000 deep is one error, not a crash") {
  axial::test::TempDir dir;
  fs::create_directories(dir / "runs" / "a");
  {
    std::ofstream f(dir / "runs" / "a" / "results.json");
    f << "{\"metrics\": " << std::string(100000, '[') << std::string(100000, ']') << "}";
  }
  auto r = run_axial("report " + axial::test::q(dir / "runs") + " --out " + axial::test::q(dir / "out"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("nested 100001 levels deep") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("axial report: model figures for runs with model/vae.pt (first|all|none), eval repeats, figure sizes") {
  axial::test::TempDir dir;
  std::ofstream(dir / "tiny.json") << R"({
    "name": "tiny", "out": "o",
    "grid": {"gamma": [0, 0.1], "seed": [1, 2]},
    "train": {"dataset": "three-dots", "steps": 2, "anneal_steps": 1, "batch_size": 2, "train_cache": 8,
              "log_every": 1, "checkpoint_every": 2, "latent_dim": 3},
    "eval": {"protocol": "quick", "num_train": 60, "num_test": 20, "clusters": 2, "cluster_size": 40,
             "localities": "0.1,0.3", "anchors": 0}
  })";
  auto sweep = run_axial("sweep " + axial::test::q(dir / "tiny.json") + " --jobs 2 --threads 1 --no-report --quiet");
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  const fs::path runs = dir / "o" / "runs";
  // One run evaluated again with 3 eval seeds (its results.json replaced, eval_repeats.json beside it).
  const fs::path run = runs / "gamma-0_seed-1";
  auto ev = run_axial("eval --model " + axial::test::q(run / "train") + " --protocol quick --num-train 60 "
                      "--num-test 20 --clusters 2 --cluster-size 40 --localities 0.1,0.3 --anchors 0 --threads 1 "
                      "--eval-seeds 3 --force --quiet --out " + axial::test::q(run / "eval"));
  INFO(ev.err);
  REQUIRE(ev.exit_code == 0);
  const auto repeats = nlohmann::json::parse(axial::test::slurp(run / "eval" / "eval_repeats.json"));
  CHECK(repeats["seeds"] == nlohmann::json::array({0, 1, 2}));

  auto first = run_axial("report " + axial::test::q(runs) + " --quiet --out " + axial::test::q(dir / "first"));
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const fs::path figs = dir / "first" / "figures";
  for (const char* f : {"gamma-0_seed-1_jacobian", "gamma-0_seed-1_traversals", "gamma-0.1_seed-1_jacobian",
                        "gamma-0.1_seed-1_traversals", "local_metrics", "local_box_rho0.1",
                        "local_per_cluster_rho0.1"})
    for (const char* ext : {".svg", ".pdf", ".png"}) {
      const fs::path p = figs / (std::string(f) + ext);
      REQUIRE_MESSAGE(fs::exists(p), p.string());
      CHECK_MESSAGE(fs::file_size(p) <= 2u * 1024 * 1024, p.string());
    }
  CHECK_FALSE(fs::exists(figs / "gamma-0_seed-2_jacobian.svg"));  // first: one run per group
  const std::string md = axial::test::slurp(dir / "first" / "report.md");
  CHECK(md.find("figures/gamma-0_seed-1_jacobian.svg") != std::string::npos);
  CHECK(md.find("## Evaluation noise and training noise") != std::string::npos);
  CHECK(md.find("(1 × 3)") != std::string::npos);  // one run of γ = 0 with 3 eval seeds
  CHECK(md.find("No tests: fewer than 5 runs in a group (n = 2 and 2)") != std::string::npos);

  auto all = run_axial("report " + axial::test::q(runs) + " --model-figures all --quiet --out " +
                       axial::test::q(dir / "all"));
  REQUIRE(all.exit_code == 0);
  CHECK(fs::exists(dir / "all" / "figures" / "gamma-0.1_seed-2_traversals.pdf"));
  auto none = run_axial("report " + axial::test::q(runs) + " --model-figures none --quiet --out " +
                        axial::test::q(dir / "none"));
  REQUIRE(none.exit_code == 0);
  CHECK_FALSE(fs::exists(dir / "none" / "figures" / "gamma-0_seed-1_jacobian.svg"));
  auto bad = run_axial("report " + axial::test::q(runs) + " --model-figures some --out " + axial::test::q(dir / "x"));
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--model-figures 'some'") != std::string::npos);
  auto violin = run_axial("report " + axial::test::q(runs) + " --model-figures none --distribution violin --quiet "
                          "--out " + axial::test::q(dir / "violin"));
  INFO(violin.err);
  REQUIRE(violin.exit_code == 0);
  CHECK(fs::exists(dir / "violin" / "figures" / "local_violin_rho0.1.png"));
  CHECK_FALSE(fs::exists(dir / "violin" / "figures" / "local_box_rho0.1.png"));
  CHECK(axial::test::slurp(dir / "violin" / "report.md").find("violin = Gaussian kernel density") !=
        std::string::npos);
  auto shape = run_axial("report " + axial::test::q(runs) + " --distribution bars --out " + axial::test::q(dir / "x"));
  CHECK(shape.exit_code == 2);
  CHECK(shape.err.find("--distribution 'bars': unknown plot (valid: box, violin)") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "x"));
  auto width = run_axial("report " + axial::test::q(runs) + " --figure-width 0.1 --out " + axial::test::q(dir / "x"));
  CHECK(width.exit_code == 2);
  CHECK(width.err.find("--figure-width") != std::string::npos);
}
