#pragma once
// Writes an aggregated Collection as files in one output directory:
//   runs.csv         tidy: one row per run × metric × locality
//   summary.csv      one row per group × metric × locality (n, mean, std (population), std_sample, median, min, max,
//                    ci95_low, ci95_high)
//   comparisons.csv  one row per pair of groups × score × locality (Welch, Student, Mann–Whitney, each with Holm)
//   eval_spread.csv  one row per group × score × locality: between-seed vs within-model (eval repeats) spread
//   report.json      everything above plus provenance
//   report.md        the paper's tables, global metrics, comparisons, figures, provenance
//   figures/         local_metrics.{svg,pdf,png} (Fig. 4), local_box_rho<ρ>.{svg,pdf,png} (Fig. 5; local_violin_rho<ρ> with
//                    --distribution violin),
//                    local_per_cluster_rho<ρ>.{svg,pdf,png} (every cluster's value of every run at ρ)
// Every file is written atomically (temp + rename).
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/aggregate.hpp"
#include "reports/claims.hpp"
#include "reports/figures.hpp"

namespace axial::reports {

struct ExtraFigure {
  std::string caption;
  std::filesystem::path svg;  // relative to the output directory
};

// A --compare-locality the user asked for must have been evaluated: throws axial::Error listing the evaluated
// localities otherwise (the default, when not asked for, falls back to the smallest evaluated one).
void require_evaluated_locality(const Collection& collection, double locality);

struct ReportOptions {
  std::string title = "axial report";
  std::string note;                 // shown at the top, e.g. the quick preset's disclaimer
  double compare_locality = 0.1;    // the ρ of the comparison table and the box plot
  bool figures = true;
  Distribution distribution = Distribution::kBox;  // --distribution: the per-run figure at ρ as boxes or violins
  FigureStyle figure_style;          // --figure-width, --dpi
  std::string reference;            // "" or a paper_reference() name, e.g. "three-dots"
  std::vector<ExtraFigure> extra_figures;
  nlohmann::json provenance = nlohmann::json::object();  // extra provenance (e.g. the reproduce plan)
  std::string command_line;
  std::map<std::string, std::string> figure_captions;  // figure stem → caption (filled by write_report)
  std::vector<Claim> claims;        // pre-registered claims: report.md "Claims tested", report.json "claims"
};

// Writes all report files into `out_dir` (created if missing). Returns the paths written.
std::vector<std::filesystem::path> write_report(const Collection& c, const std::filesystem::path& out_dir,
                                                const ReportOptions& options);

// The individual pieces (exposed for tests).
std::string tidy_csv(const Collection& c);
std::string summary_csv(const Collection& c);
std::string comparisons_csv(const Collection& c);
std::string eval_spread_csv(const Collection& c);
nlohmann::json report_json(const Collection& c, const ReportOptions& options,
                           const std::vector<std::filesystem::path>& figures);
std::string report_markdown(const Collection& c, const ReportOptions& options,
                            const std::vector<std::filesystem::path>& figures);

// "0.0541 ± 0.00712" (3 significant digits each), "—" when n = 0.
std::string mean_pm_std(const Summary& s, int digits = 3);
// Formats a p-value: 3 significant digits, "n/a" for NaN.
std::string format_p(double p);

// Shared by the report's pieces (report_writer, claims): localities are equal when both are global (NaN) or within
// 1e-9; the summary row of (metric, ρ), nullptr if none; a finite number or JSON null; a test as report.json writes
// it ({statistic, p_value, method, df?, note?}).
bool same_locality(double a, double b);
const MetricSummary* find_row(const Collection& c, const std::string& metric, double rho);
nlohmann::json num_json(double v);
nlohmann::json test_result_json(const TestResult& t);

}  // namespace axial::reports
