// Aggregation: discovery, grouping (config minus seeds and run-only options, or --group-by), observations,
// summaries and comparisons, against hand-computed values.
#include "reports/aggregate.hpp"

#include <algorithm>
#include <cmath>

#include "src/core/error.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/reports/report_fixtures.hpp"

#include <doctest/doctest.h>

using namespace axial::reports;
using axial::test::results;
using axial::test::train_config;
using axial::test::write_json;
using doctest::Approx;
namespace fs = std::filesystem;

namespace {

// Four runs: γ = 0 with MIG 0.1, 0.3 (seeds 1, 2), γ = 0.1 with MIG 0.2, 0.6. The γ = 0 seed-2 run was trained on
// another device with other logging (run-only options) — it must still join its group.
void write_four_runs(const fs::path& root) {
  write_json(root / "b0_s1" / "results.json",
             results(0.1, 0.8, {{0.1, 0.05, 0.9}, {0.3, 0.02, 0.8}}, train_config(4, 0, 1)));
  auto cfg = train_config(4, 0, 2, "cuda");
  cfg["options"]["log_every"] = 99;
  write_json(root / "b0_s2" / "results.json", results(0.3, 0.9, {{0.1, 0.07, 0.88}, {0.3, 0.04, 0.82}}, cfg));
  write_json(root / "jl_s1" / "eval" / "results.json",
             results(0.2, 0.95, {{0.1, 0.12, 0.94}, {0.3, 0.05, 0.9}}, train_config(4, 0.1, 1)));
  write_json(root / "jl_s2" / "eval" / "results.json",
             results(0.6, 0.97, {{0.1, 0.14, 0.95}, {0.3, 0.06, 0.91}}, train_config(4, 0.1, 2)));
}

const MetricSummary& row(const Collection& c, const std::string& metric, double rho) {
  for (const auto& m : c.summaries)
    if (m.metric == metric && (std::isnan(rho) ? std::isnan(m.locality) : m.locality == rho)) return m;
  throw std::runtime_error("no row " + metric);
}

}  // namespace

TEST_CASE("collect: groups by training config minus seeds and run-only options") {
  axial::test::TempDir dir;
  write_four_runs(dir.path);
  auto files = find_results_files({dir.path});
  REQUIRE(files.size() == 4);
  Collection c = collect(files, {});
  REQUIRE(c.groups.size() == 2);
  CHECK(c.groups[0].label == "gamma=0");
  CHECK(c.groups[1].label == "gamma=0.1");
  CHECK(c.groups[0].runs.size() == 2);
  CHECK(c.runs[0].id == "b0_s1");
  CHECK(c.runs[2].id == "jl_s1");  // a trailing /eval is dropped
  CHECK(c.runs[0].seed == 1);
  // Per run: mig, modularity (2 global scalars; arrays and *_skipped_* counts skipped) + 2 localities × 2 local
  // scalars (per-cluster arrays skipped) = 6 observations.
  CHECK(c.observations.size() == 4 * 6);

  // γ = 0 MIG {0.1, 0.3}: mean 0.2, population std 0.1. γ = 0.1 MIG {0.2, 0.6}: mean 0.4, std 0.2.
  const auto& mig = row(c, "mig", kGlobal);
  CHECK(mig.per_group[0].mean == Approx(0.2));
  CHECK(mig.per_group[0].std_pop == Approx(0.1));
  CHECK(mig.per_group[1].mean == Approx(0.4));
  CHECK(mig.per_group[1].std_pop == Approx(0.2));
  const auto& lm = row(c, "local_mig", 0.1);
  CHECK(lm.per_group[0].mean == Approx(0.06));
  CHECK(lm.per_group[1].mean == Approx(0.13));
  CHECK(lm.per_group[1].median == Approx(0.13));
  // Rows: the headline metrics first: local_mig at 0.1, 0.3, local_modularity at 0.1, 0.3, then mig, modularity.
  REQUIRE(c.summaries.size() == 6);
  CHECK(c.summaries[0].metric == "local_mig");
  CHECK(c.summaries[1].locality == 0.3);
  CHECK(c.summaries[2].metric == "local_modularity");
  CHECK(c.summaries[4].metric == "mig");
  CHECK(c.summaries[5].metric == "modularity");
  // One comparison per row (two groups), but with 2 runs per group (< 5) no test is run: values only, said why.
  REQUIRE(c.comparisons.size() == 6);
  for (const auto& k : c.comparisons) {
    CHECK(std::isnan(k.student.p_value));
    CHECK(std::isnan(k.welch.p_value));
    CHECK(std::isnan(k.mann_whitney.p_value));
    CHECK(std::isnan(k.student_p_holm));
    CHECK(k.note.find("fewer than 5 runs") != std::string::npos);
  }
  // The 95% interval of γ = 0's local MIG at 0.1 ({0.05, 0.07}): mean 0.06 ± t(0.975, 1)·s/√2 with s = √0.0002,
  // t(0.975, 1) = tan(π·0.475) = 12.7062…: [−0.067, 0.187] — clipped to [0, 1] at the low end and marked.
  const double half = std::tan(M_PI * 0.475) * std::sqrt(0.0002) / std::sqrt(2.0);
  CHECK(lm.per_group[0].ci95_low == Approx(0.06 - half));
  CHECK(lm.ci95[0].low == 0.0);
  CHECK(lm.ci95[0].high == Approx(0.06 + half));
  CHECK(lm.ci95[0].clipped);
}

TEST_CASE("collect: tests with 5 runs per group, Holm within the global family, counts never tested") {
  axial::test::TempDir dir;
  // γ = 0: MIG 0.1 … 0.5; γ = 0.1: MIG 0.6 … 1.0; modularity the same five values in both groups; explicitness
  // {0.9, 1, 1, 1, 1} in γ = 0.1; an anchor count (a diagnostic) differing between the groups.
  for (int i = 0; i < 5; ++i)
    for (double gamma : {0.0, 0.1}) {
      auto r = results(gamma == 0 ? 0.1 + 0.1 * i : 0.6 + 0.1 * i, 0.8 + 0.02 * i, {},
                       train_config(4, gamma, i + 1));
      r["metrics"]["explicitness_test"] = gamma == 0 ? 0.5 + 0.01 * i : (i == 0 ? 0.9 : 1.0);
      r["metrics"]["axis_alignment_anchors"] = gamma == 0 ? 100 : 1000 + i;
      write_json(dir / ("g" + std::to_string(int(gamma * 10)) + "_s" + std::to_string(i)) / "results.json", r);
    }
  Collection c = collect(find_results_files({dir.path}), {});
  REQUIRE(c.groups.size() == 2);
  // Rows: mig, modularity (headline), then explicitness_test (score), then the count.
  REQUIRE(c.summaries.size() == 4);
  CHECK(c.summaries[0].metric == "mig");
  CHECK(c.summaries[1].metric == "modularity");
  CHECK(c.summaries[2].metric == "explicitness_test");
  CHECK(c.summaries[3].metric == "axis_alignment_anchors");
  CHECK(c.summaries[3].cls.kind == MetricKind::kCount);
  // Comparisons: the three scores only (the count is not tested).
  REQUIRE(c.comparisons.size() == 3);
  for (const auto& k : c.comparisons) CHECK(k.metric != "axis_alignment_anchors");
  const Comparison& mig = c.comparisons[0];
  const Comparison& mod = c.comparisons[1];
  const Comparison& expl = c.comparisons[2];
  CHECK(mig.family == "global scores");
  // Student, MIG: means 0.3 vs 0.8, Σdev² = 0.1 per group, s² = 0.2/8 = 0.025, t = −0.5/√(0.025·(1/5+1/5)) = −5.
  CHECK(mig.student.statistic == Approx(-5.0));
  CHECK(mig.student.df == Approx(8.0));
  // Modularity equal in both groups: t = 0, p = 1.
  CHECK(mod.student.statistic == Approx(0.0));
  CHECK(mod.student.p_value == Approx(1.0));
  // Holm over the family {mig, modularity, explicitness_test} (m = 3), Student's p-values: the smallest × 3, the
  // next × 2 (but not below the first), the largest × 1 (modularity: 1).
  std::vector<double> p = {mig.student.p_value, mod.student.p_value, expl.student.p_value};
  std::vector<std::size_t> order = {0, 1, 2};
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return p[a] < p[b]; });
  const double a1 = std::min(1.0, 3 * p[order[0]]);
  const double a2 = std::max(a1, std::min(1.0, 2 * p[order[1]]));
  const double a3 = std::max(a2, std::min(1.0, p[order[2]]));
  std::vector<double> holm(3);
  holm[order[0]] = a1, holm[order[1]] = a2, holm[order[2]] = a3;
  CHECK(mig.student_p_holm == Approx(holm[0]));
  CHECK(mod.student_p_holm == Approx(holm[1]));
  CHECK(expl.student_p_holm == Approx(holm[2]));
  CHECK(mod.student_p_holm == Approx(1.0));
  // Mann–Whitney, MIG: every γ = 0 value below every γ = 0.1 value: U1 = 0, exact p = 2/C(10,5) = 2/252.
  CHECK(mig.mann_whitney.statistic == 0);
  CHECK(mig.mann_whitney.p_value == Approx(2.0 / 252));
  // explicitness_test in γ = 0.1: {0.9, 1, 1, 1, 1}, mean 0.98, s² = (0.0064 + 4·0.0004)/4 = 0.002; t(0.975, 4) =
  // 2.7764451051977987 (table value): [0.98 − h, 0.98 + h], h = 2.7764…·√0.002/√5 = 0.0555 → the high end 1.0355
  // is clipped to 1 and marked.
  const auto& ex = c.summaries[2];
  const double h = 2.7764451051977987 * std::sqrt(0.002) / std::sqrt(5.0);
  CHECK(ex.per_group[1].ci95_high == Approx(0.98 + h));
  CHECK(ex.ci95[1].high == 1.0);
  CHECK(ex.ci95[1].low == Approx(0.98 - h));
  CHECK(ex.ci95[1].clipped);
  CHECK_FALSE(ex.ci95[0].clipped);
}

TEST_CASE("classify_metric: scores, axis-alignment details, counts; ranges; headline order") {
  CHECK(classify_metric("mig").kind == MetricKind::kScore);
  CHECK(classify_metric("mig").range->second == 1.0);
  CHECK(classify_metric("local_mig").headline_rank == 0);
  CHECK(classify_metric("local_modularity").headline_rank == 1);
  CHECK(classify_metric("mig").headline_rank == 2);
  CHECK(classify_metric("modularity").headline_rank == 3);
  CHECK(classify_metric("sap").headline_rank == 4);
  CHECK(classify_metric("axis_alignment").kind == MetricKind::kScore);
  CHECK(classify_metric("axis_alignment_factor_purity").kind == MetricKind::kDetail);
  CHECK(classify_metric("decoder_axis_alignment_p90").kind == MetricKind::kDetail);
  for (const char* count : {"axis_alignment_anchors", "axis_alignment_undefined_anchors",
                            "decoder_axis_alignment_unresponsive_factor_count", "axis_alignment_std",
                            "num_train", "mig_skipped_factors", "irs_active_dims", "factor_vae_active_dims"})
    CHECK_MESSAGE(classify_metric(count).kind == MetricKind::kCount, count);
  // disentanglement_lib's scores are bounded in [0, 1]; the Gaussian correlations are not.
  for (const char* unit : {"dci_disentanglement", "dci_informativeness_test", "irs", "local_irs",
                           "local_dci_completeness", "factor_vae_eval_accuracy", "beta_vae_train_accuracy"})
    CHECK_MESSAGE((classify_metric(unit).range && classify_metric(unit).range->second == 1.0), unit);
  CHECK_FALSE(classify_metric("gaussian_total_correlation").range.has_value());
  CHECK_FALSE(classify_metric("my_new_score").range.has_value());
  CHECK(classify_metric("my_new_score").kind == MetricKind::kScore);
}

TEST_CASE("collect: --group-by merges or splits groups, unknown keys are errors") {
  axial::test::TempDir dir;
  write_four_runs(dir.path);
  auto files = find_results_files({dir.path});
  Collection by_beta = collect(files, {"beta"});
  REQUIRE(by_beta.groups.size() == 1);
  CHECK(by_beta.groups[0].label == "beta=4");
  CHECK(row(by_beta, "mig", kGlobal).per_group[0].n == 4);
  Collection by_device = collect(files, {"device"});
  CHECK(by_device.groups.size() == 2);
  Collection by_dotted = collect(files, {"settings.bins", "gamma"});
  CHECK(by_dotted.groups.size() == 2);
  CHECK_THROWS_AS(collect(files, {"no_such_key"}), axial::Error);
}

TEST_CASE("collect: null metrics are left out with a warning, missing inputs are errors") {
  axial::test::TempDir dir;
  auto r = results(0.1, 0.8, {{0.1, 0.05, 0.9}}, train_config(4, 0, 1));
  r["metrics"]["mig"] = nullptr;
  write_json(dir / "a" / "results.json", r);
  Collection c = collect(find_results_files({dir.path}), {});
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0].find("'mig'") != std::string::npos);
  for (const auto& o : c.observations) CHECK(o.metric != "mig");
  CHECK(c.groups[0].label == "all");

  CHECK_THROWS_AS(find_results_files({dir / "nope"}), axial::Error);
  fs::create_directories(dir / "empty");
  CHECK_THROWS_AS(find_results_files({dir / "empty"}), axial::Error);
  write_json(dir / "bad" / "results.json", nlohmann::json{{"hello", 1}});
  CHECK_THROWS_AS(load_run(dir / "bad" / "results.json"), axial::Error);
  std::ofstream(dir / "broken.json") << "{not json";
  CHECK_THROWS_AS(load_run(dir / "broken.json"), axial::Error);
}

TEST_CASE("load_run finds the training config next to the model when results.json has none") {
  axial::test::TempDir dir;
  write_json(dir / "train" / "config.json", train_config(4, 0.1, 7));
  fs::create_directories(dir / "train" / "model");
  auto r = results(0.1, 0.8, {}, nullptr);
  r["model"]["path"] = (dir / "train").string();
  write_json(dir / "eval" / "results.json", r);
  Run run = load_run(dir / "eval" / "results.json");
  REQUIRE(run.train_config.is_object());
  CHECK(run.seed == 7);
  CHECK(default_group_key(run)["gamma"] == 0.1);
  CHECK_FALSE(default_group_key(run).contains("seed"));
  CHECK_FALSE(default_group_key(run).contains("data_seed"));
  CHECK_FALSE(default_group_key(run).contains("device"));
}

TEST_CASE("format_locality prints the shortest exact decimal") {
  CHECK(format_locality(0.1) == "0.1");
  CHECK(format_locality(1.0) == "1");
  CHECK(format_locality(0.25) == "0.25");
  CHECK(format_locality(kGlobal) == "");
}

TEST_CASE("a config.json that lists its run_options: exactly those are left out of the group key") {
  Run run;
  run.results = results(0.1, 0.8, {}, nullptr);
  run.train_config = train_config(4, 0.1, 7);
  run.train_config["options"]["log_every"] = 10;
  run.train_config["options"]["device"] = "cpu";
  // Listed: log_every is run-only; device is not listed, so it counts (as the file says).
  run.train_config["run_options"] = {"log_every"};
  const auto key = default_group_key(run);
  CHECK_FALSE(key.contains("log_every"));
  CHECK(key.contains("device"));
  CHECK(key["gamma"] == 0.1);
  // Without the list, the fixed fallback leaves both out.
  run.train_config.erase("run_options");
  const auto fallback = default_group_key(run);
  CHECK_FALSE(fallback.contains("log_every"));
  CHECK_FALSE(fallback.contains("device"));
}

TEST_CASE("report never pools what differs: external models by sha256, eval settings, and says what it ignored") {
  auto run_of = [](const std::string& id, double mig, const std::string& sha, std::int64_t num_train,
                   const std::string& device) {
    Run r;
    r.id = id;
    r.results = results(mig, 0.8, {{0.1, 0.05, 0.9}}, nullptr);  // an external model: no training config
    r.results["model"] = {{"path", id + ".pt"}, {"sha256", sha}, {"type", "torchscript"}};
    r.results["settings"] = {{"num_train", num_train}, {"bins", 20}, {"device", device}, {"batch_size", 512}};
    return r;
  };
  {
    // Two different encoder files (L = 10 and L = 20, say): two groups, never one.
    auto c = aggregate({run_of("a", 0.1, "aaaa", 100, "cpu"), run_of("b", 0.2, "bbbb", 100, "cpu")}, {});
    CHECK(c.groups.size() == 2);
  }
  {
    // The same file evaluated with different sample sizes: two groups.
    auto c = aggregate({run_of("a", 0.1, "aaaa", 100, "cpu"), run_of("b", 0.2, "aaaa", 200, "cpu")}, {});
    REQUIRE(c.groups.size() == 2);
    CHECK(c.groups[0].label.find("eval_num_train") != std::string::npos);
  }
  {
    // Only the device differs (it does not change results): one group, and a warning naming it.
    auto c = aggregate({run_of("a", 0.1, "aaaa", 100, "cpu"), run_of("b", 0.2, "aaaa", 100, "cuda:0")}, {});
    CHECK(c.groups.size() == 1);
    REQUIRE(c.pooled.size() == 1);
    CHECK(c.pooled[0].find("eval device (cpu, cuda:0)") != std::string::npos);
    CHECK(std::find(c.warnings.begin(), c.warnings.end(), c.pooled[0]) != c.warnings.end());
  }
}

TEST_CASE("eval repeats: between-seed and within-model spread, a mismatched repeats file left out with a warning") {
  axial::test::TempDir dir;
  // Two runs of one group, MIG 0.2 and 0.4 (between seeds: population std 0.1). Run 1 evaluated with seeds 0, 1, 2:
  // MIG 0.2, 0.22, 0.18 (population std √(0.0008/3)); run 2 with seeds 0, 1: 0.4, 0.44 (std 0.02). Within model:
  // √((0.0008/3 + 0.0004)/2).
  write_json(dir / "a" / "results.json", results(0.2, 0.8, {{0.1, 0.05, 0.9}}, train_config(4, 0, 1)));
  write_json(dir / "b" / "results.json", results(0.4, 0.8, {{0.1, 0.07, 0.9}}, train_config(4, 0, 2)));
  auto repeats = [](std::vector<double> migs) {
    nlohmann::json r = {{"kind", "eval_repeats"}, {"model_sha256", "0123456789abcdef0123"}, {"seeds", {}}, {"runs", {}}};
    for (std::size_t i = 0; i < migs.size(); ++i) {
      r["seeds"].push_back(i);
      r["runs"].push_back({{"seed", i}, {"metrics", {{"mig", migs[i]}}}, {"local", {{{"locality", 0.1}, {"local_mig", 0.05}}}}});
    }
    return r;
  };
  write_json(dir / "a" / "eval_repeats.json", repeats({0.2, 0.22, 0.18}));
  write_json(dir / "b" / "eval_repeats.json", repeats({0.4, 0.44}));
  Collection c = collect(find_results_files({dir.path}), {});
  REQUIRE(c.groups.size() == 1);
  const EvalSpread* mig = nullptr;
  for (const auto& e : c.eval_spreads)
    if (e.metric == "mig") mig = &e;
  REQUIRE(mig != nullptr);
  CHECK(mig->between_seed_std[0] == Approx(0.1));
  CHECK(mig->runs_with_repeats[0] == 2);
  CHECK(mig->eval_seeds[0] == 2);
  CHECK(mig->within_model_std[0] == Approx(std::sqrt((0.0008 / 3 + 0.0004) / 2)));
  // The per-seed values are only in the repeats; the counts row (none here) never gets a spread.

  // Another model's repeats file is left out, with a warning naming it.
  auto other = repeats({0.2, 0.3});
  other["model_sha256"] = "ffff";
  write_json(dir / "b" / "eval_repeats.json", other);
  Collection d = collect(find_results_files({dir.path}), {});
  bool warned = false;
  for (const auto& w : d.warnings) warned = warned || w.find("another model") != std::string::npos;
  CHECK(warned);
  for (const auto& e : d.eval_spreads)
    if (e.metric == "mig") CHECK(e.runs_with_repeats[0] == 1);
}
