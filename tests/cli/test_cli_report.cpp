// `axial report`: end to end on fixture results.json files (the issue-5 schema), bad input.
#include <filesystem>
#include <string>

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
