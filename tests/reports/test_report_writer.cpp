// The report files: tidy/summary/comparison CSVs, JSON, Markdown with the paper's reference columns, figures.
#include "reports/report_writer.hpp"

#include <fstream>
#include <sstream>

#include "src/core/error.hpp"
#include "reports/paper_reference.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/reports/figure_checks.hpp"
#include "tests/reports/report_fixtures.hpp"

#include <doctest/doctest.h>

using namespace axial::reports;
using axial::test::results;
using axial::test::train_config;
using axial::test::write_json;
namespace fs = std::filesystem;

namespace {
std::size_t lines(const std::string& s) { return std::size_t(std::count(s.begin(), s.end(), '\n')); }
}  // namespace

TEST_CASE("write_report: files, row counts, reference columns, figures") {
  axial::test::TempDir dir;
  for (int seed : {11, 12, 13})
    for (double gamma : {0.0, 0.1}) {
      double bump = gamma * 0.5 + 0.001 * seed;
      write_json(dir / "runs" / ("g" + std::to_string(int(gamma * 10)) + "_s" + std::to_string(seed)) / "results.json",
                 results(0.1 + bump, 0.8 + bump, {{0.1, 0.05 + bump, 0.88 + bump / 10}, {0.2, 0.03 + bump, 0.86}},
                         train_config(4, gamma, seed)));
    }
  Collection c = collect(find_results_files({dir / "runs"}), {});
  REQUIRE(c.groups.size() == 2);
  ReportOptions opt;
  opt.title = "test report";
  opt.note = "quick preset";
  opt.reference = "three-dots";
  auto written = write_report(c, dir / "out", opt);
  for (const char* f : {"runs.csv", "summary.csv", "comparisons.csv", "report.json", "report.md",
                        "figures/local_metrics.svg", "figures/local_metrics.png", "figures/local_box_rho0.1.svg",
                        "figures/local_box_rho0.1.png"})
    CHECK_MESSAGE(fs::exists(dir / "out" / f), f);

  // runs.csv: header + 6 runs × (2 global + 2×2 local) rows.
  std::string tidy = axial::test::read_text(dir / "out" / "runs.csv");
  CHECK(lines(tidy) == 1 + 6 * 6);
  CHECK(tidy.rfind("run,group,seed,dataset,metric,locality,value,results_path\n", 0) == 0);
  // summary.csv: header + 2 groups × 6 rows; comparisons.csv: header + 6.
  CHECK(lines(axial::test::read_text(dir / "out" / "summary.csv")) == 1 + 2 * 6);
  CHECK(lines(axial::test::read_text(dir / "out" / "comparisons.csv")) == 1 + 6);

  auto j = nlohmann::json::parse(axial::test::read_text(dir / "out" / "report.json"));
  CHECK(j["kind"] == "report");
  CHECK(j["groups"].size() == 2);
  CHECK(j["runs"].size() == 6);
  CHECK(j["reference"]["columns"][0]["matched_groups"][0] == "gamma=0");
  CHECK(j["reference"]["columns"][1]["matched_groups"][0] == "gamma=0.1");

  std::string md = axial::test::read_text(dir / "out" / "report.md");
  CHECK(md.find("> **Note.** quick preset") != std::string::npos);
  CHECK(md.find("| ρ | gamma=0 | β-VAE (paper) | gamma=0.1 | JL1-VAE γ=0.1 (paper) |") != std::string::npos);
  CHECK(md.find("| 0.1 |") != std::string::npos);
  CHECK(md.find("0.054 ± 0.007") != std::string::npos);  // the paper's β-VAE local MIG at ρ = 0.1
  CHECK(md.find("0.941 ± 0.004") != std::string::npos);  // the paper's JL1 local modularity at ρ = 0.1
  CHECK(md.find("## Comparison at ρ = 0.1") != std::string::npos);
  CHECK(md.find("![local_metrics](figures/local_metrics.svg)") != std::string::npos);
  CHECK(md.find("## Provenance") != std::string::npos);

  // Every figure in three formats, one column (3.5 in) at 300 dpi by default, nothing at the PNG's border, ≤ 2 MB.
  for (const char* stem : {"local_metrics", "local_box_rho0.1", "local_per_cluster_rho0.1"})
    for (const char* ext : {".svg", ".pdf", ".png"}) {
      const fs::path f = dir / "out" / "figures" / (std::string(stem) + ext);
      REQUIRE_MESSAGE(fs::exists(f), f.string());
      CHECK(fs::file_size(f) <= 2u * 1024 * 1024);
    }
  auto png = axial::test::decode_png(dir / "out" / "figures" / "local_metrics.png");
  REQUIRE(png.ok);
  CHECK(png.width == 1050);
  CHECK(png.ink_near_border(3) == 0);
  CHECK(md.find("local_per_cluster_rho0.1.svg") != std::string::npos);

  // A rerun into the same directory: figures/ holds only this report's figures (a stale one from an earlier report
  // goes), a file of the user's beside the report stays, and no staging directory is left.
  std::ofstream(dir / "out" / "figures" / "local_box_rho0.7.svg") << "<svg/>";
  std::ofstream(dir / "out" / "my_notes.txt") << "keep me\n";
  write_report(c, dir / "out", opt);
  CHECK(!fs::exists(dir / "out" / "figures" / "local_box_rho0.7.svg"));
  CHECK(fs::exists(dir / "out" / "figures" / "local_metrics.svg"));
  CHECK(axial::test::read_text(dir / "out" / "my_notes.txt") == "keep me\n");
  for (const auto& e : fs::directory_iterator(dir.path))
    CHECK_MESSAGE(e.path().filename().string().find(".axial-set-") == std::string::npos, e.path().string());
}

TEST_CASE("report.md: counts apart and untested, no tests below 5 runs, 3 significant digits, cell n, reference caveat") {
  axial::test::TempDir dir;
  // 3 runs per group (< 5): values only. MIG 0.00512, 0.00514, 0.00516 (a spread fixed decimals would print as
  // 0.005 ± 0.000). An anchor count differing per run. The γ = 0.1 seed-13 run has no modularity (null).
  for (int seed : {11, 12, 13})
    for (double gamma : {0.0, 0.1}) {
      auto r = results(0.0051 + 0.00002 * (seed - 10), 0.8, {{0.1, 0.05, 0.9}}, train_config(4, gamma, seed));
      r["metrics"]["axis_alignment_anchors"] = 990 + seed;
      if (gamma > 0 && seed == 13) r["metrics"]["modularity"] = nullptr;
      write_json(dir / "runs" / ("g" + std::to_string(int(gamma * 10)) + "_s" + std::to_string(seed)) / "results.json", r);
    }
  Collection c = collect(find_results_files({dir / "runs"}), {});
  ReportOptions opt;
  opt.reference = "three-dots";
  opt.figures = false;
  write_report(c, dir / "out", opt);
  const std::string md = axial::test::read_text(dir / "out" / "report.md");
  // mean of 0.00512, 0.00514, 0.00516 = 0.00514; population std = √(2·0.00002²/3) = 1.633e-05.
  CHECK(md.find("0.00514 ± 1.63e-05") != std::string::npos);
  CHECK(md.find("0.005 ± 0.000") == std::string::npos);
  CHECK(md.find("No tests: fewer than 5 runs in a group (n = 3 and 3)") != std::string::npos);
  CHECK(md.find("Welch t (df)") == std::string::npos);
  CHECK(md.find("## Counts and diagnostics (values only, no tests)") != std::string::npos);
  CHECK(md.find("| `axis_alignment_anchors` | 1002 [1001, 1003] | 1002 [1001, 1003] |") != std::string::npos);
  CHECK(md.find("(n=2)") != std::string::npos);  // γ = 0.1's modularity: 2 of 3 runs
  CHECK(md.find("> **Reference caveat.**") != std::string::npos);
  CHECK(md.find("training steps = 1000 (paper: 300000) in 6 runs") != std::string::npos);
  CHECK(md.find("eval num_train = 100 (paper: 10000) in 6 runs") != std::string::npos);
  // Headline metrics first: local MIG's table before the global scores, MIG before modularity.
  CHECK(md.find("## Local MIG") < md.find("## Global scores"));
  CHECK(md.find("| `mig` |") < md.find("| `modularity` |"));
  // The count is never tested; the CSV keeps full precision.
  const std::string comps = axial::test::read_text(dir / "out" / "comparisons.csv");
  CHECK(comps.find("axis_alignment_anchors") == std::string::npos);
  CHECK(comps.find("fewer than 5 runs") != std::string::npos);
  const std::string summary = axial::test::read_text(dir / "out" / "summary.csv");
  CHECK(summary.find(",mig,,score,3,0.00514") != std::string::npos);
  CHECK(summary.find("axis_alignment_anchors,,count/diagnostic,3,,,,1002,1001,1003,,,,,") != std::string::npos);
}

TEST_CASE("CSV fields with commas are quoted") {
  axial::test::TempDir dir;
  write_json(dir / "a,b" / "results.json", results(0.1, 0.8, {}, train_config(4, 0, 1)));
  write_json(dir / "c" / "results.json", results(0.2, 0.8, {}, train_config(4, 0, 2)));
  Collection c = collect(find_results_files({dir.path}), {"beta", "gamma"});
  std::string tidy = tidy_csv(c);
  CHECK(tidy.find("\"a,b\",\"beta=4, gamma=0\",1,three-dots,mig,,0.1,") != std::string::npos);
}

TEST_CASE("paper reference: table values and group matching") {
  const PaperReference& ref = paper_reference("three-dots");
  CHECK(ref.value(0, "local_mig", 0.3)->mean == 0.023);
  CHECK(ref.value(1, "local_modularity", 1.0)->std == 0.036);
  CHECK_FALSE(ref.value(0, "local_mig", 0.5));
  CHECK(ref.column_for({{"gamma", 0.1}, {"beta", 4}}) == std::optional<std::size_t>(1));
  CHECK_FALSE(ref.column_for({{"gamma", 0.1}, {"beta", 1}}));
  CHECK_FALSE(ref.column_for({{"gamma", 0.1}, {"dataset", "dsprites"}}));
  CHECK_THROWS_AS(paper_reference("mnist"), axial::Error);
  CHECK(format_p(0.04512) == "0.0451");
  CHECK(format_p(std::nan("")) == "n/a");
}
