#include "reports/report_writer.hpp"

#include <fmt/core.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <set>
#include <sstream>

#include "axial/version.hpp"
#include "src/core/atomic_output.hpp"
#include "src/core/error.hpp"
#include "reports/figures.hpp"
#include "reports/paper_reference.hpp"

namespace axial::reports {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) {
    if (ch == '"') q += '"';
    q += ch;
  }
  return q + "\"";
}

std::string num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : ""; }

json num_json(double v) { return std::isfinite(v) ? json(v) : json(); }

std::string seed_text(const json& seed) {
  if (seed.is_null()) return "";
  return seed.is_string() ? seed.get<std::string>() : seed.dump();
}

std::string utc_now() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool same_locality(double a, double b) { return std::isnan(a) ? std::isnan(b) : std::fabs(a - b) < 1e-9; }

const MetricSummary* find_row(const Collection& c, const std::string& metric, double rho) {
  for (const auto& m : c.summaries)
    if (m.metric == metric && same_locality(m.locality, rho)) return &m;
  return nullptr;
}

std::vector<double> localities_of(const Collection& c, const std::string& metric) {
  std::vector<double> out;
  for (const auto& m : c.summaries)
    if (m.metric == metric && !std::isnan(m.locality)) out.push_back(m.locality);
  return out;
}

bool has_local(const Collection& c, const std::string& metric) { return !localities_of(c, metric).empty(); }

std::string md_escape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '|') o += "\\|";
    else o += ch;
  }
  return o;
}

// The ρ used for the comparison table and box plot: the requested one if present, else the smallest.
double effective_compare_locality(const Collection& c, double requested) {
  std::set<double> all;
  for (const auto& m : c.summaries)
    if (!std::isnan(m.locality)) all.insert(m.locality);
  if (all.empty()) return requested;
  for (double r : all)
    if (same_locality(r, requested)) return r;
  return *all.begin();
}

}  // namespace

void require_evaluated_locality(const Collection& c, double requested) {
  std::set<double> all;
  for (const auto& m : c.summaries)
    if (!std::isnan(m.locality)) all.insert(m.locality);
  for (double r : all)
    if (same_locality(r, requested)) return;
  std::string list;
  for (double r : all) list += (list.empty() ? "" : ", ") + format_locality(r);
  throw Error(all.empty() ? fmt::format("--compare-locality {}: the runs have no local metrics", format_locality(requested))
                          : fmt::format("--compare-locality {}: not evaluated (evaluated localities: {})",
                                        format_locality(requested), list));
}

std::string mean_pm_std(const Summary& s, int decimals) {
  if (s.n == 0) return "—";
  return fmt::format("{:.{}f} ± {:.{}f}", s.mean, decimals, s.std_pop, decimals);
}

std::string format_p(double p) {
  if (!std::isfinite(p)) return "n/a";
  if (p < 1e-4) return fmt::format("{:.2e}", p);
  return fmt::format("{:.3g}", p);
}

std::string tidy_csv(const Collection& c) {
  std::string out = "run,group,seed,dataset,metric,locality,value,results_path\n";
  for (const auto& o : c.observations) {
    const Run& r = c.runs[o.run];
    json ds = r.results.value("dataset", json());
    out += fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(r.id), csv_field(c.groups[r.group].label),
                       csv_field(seed_text(r.seed)), csv_field(ds.is_string() ? ds.get<std::string>() : ""),
                       csv_field(o.metric), format_locality(o.locality), num(o.value),
                       csv_field(r.results_path.string()));
  }
  return out;
}

std::string summary_csv(const Collection& c) {
  std::string out = "group,metric,locality,n,mean,std,std_sample,median,min,max,ci95_low,ci95_high\n";
  for (std::size_t g = 0; g < c.groups.size(); ++g)
    for (const auto& m : c.summaries) {
      const Summary& s = m.per_group[g];
      if (s.n == 0) continue;
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(c.groups[g].label), csv_field(m.metric),
                         format_locality(m.locality), s.n, num(s.mean), num(s.std_pop), num(s.std_sample),
                         num(s.median), num(s.min), num(s.max), num(s.ci95_low), num(s.ci95_high));
    }
  return out;
}

std::string comparisons_csv(const Collection& c) {
  std::string out =
      "metric,locality,group_a,group_b,n_a,n_b,mean_a,mean_b,welch_t,welch_df,welch_p,student_t,student_df,"
      "student_p,mann_whitney_u,mann_whitney_p,mann_whitney_method,note\n";
  for (const auto& k : c.comparisons) {
    const MetricSummary* m = find_row(c, k.metric, k.locality);
    const Summary& a = m->per_group[k.group_a];
    const Summary& b = m->per_group[k.group_b];
    std::string note = k.welch.note.empty() ? k.student.note : k.welch.note;
    if (!k.mann_whitney.note.empty()) note += (note.empty() ? "" : "; ") + k.mann_whitney.note;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(k.metric),
                       format_locality(k.locality), csv_field(c.groups[k.group_a].label),
                       csv_field(c.groups[k.group_b].label), a.n, b.n, num(a.mean), num(b.mean),
                       num(k.welch.statistic), num(k.welch.df), num(k.welch.p_value), num(k.student.statistic),
                       num(k.student.df), num(k.student.p_value), num(k.mann_whitney.statistic),
                       num(k.mann_whitney.p_value), k.mann_whitney.method, csv_field(note));
  }
  return out;
}

json report_json(const Collection& c, const ReportOptions& options, const std::vector<fs::path>& figures) {
  json j;
  j["axial_version"] = axial::kVersion;
  j["git_commit"] = axial::kGitCommit;
  j["kind"] = "report";
  j["title"] = options.title;
  if (!options.note.empty()) j["note"] = options.note;
  if (!options.command_line.empty()) j["command_line"] = options.command_line;
  j["statistics"] = {{"std", "population (ddof=0)"},
                     {"ci95", "Student-t interval on the mean: mean ± t(0.975, n-1)·s/√n, s with ddof=1"},
                     {"welch", "Welch's unequal-variance t-test, two-sided"},
                     {"student", "Student's pooled-variance t-test, two-sided"},
                     {"mann_whitney", "two-sided; exact if min(n)≤8 and no ties, else normal approximation with tie "
                                      "and continuity correction (scipy.stats.mannwhitneyu defaults)"}};
  json groups = json::array();
  for (const auto& g : c.groups) {
    json runs = json::array(), seeds = json::array();
    for (auto r : g.runs) runs.push_back(c.runs[r].id), seeds.push_back(c.runs[r].seed);
    groups.push_back({{"label", g.label}, {"key", g.key}, {"runs", runs}, {"seeds", seeds}});
  }
  j["groups"] = groups;
  json runs = json::array();
  for (const auto& r : c.runs) {
    runs.push_back({{"id", r.id},
                    {"results_path", r.results_path.string()},
                    {"group", c.groups[r.group].label},
                    {"seed", r.seed},
                    {"dataset", r.results.value("dataset", json())},
                    {"protocol", r.results.value("protocol", json())},
                    {"model", r.results.value("model", json())},
                    {"axial_version", r.results.value("axial_version", json())},
                    {"git_commit", r.results.value("git_commit", json())},
                    {"settings", r.results.value("settings", json())},
                    {"train_config", r.train_config}});
  }
  j["runs"] = runs;
  json summary = json::array();
  for (const auto& m : c.summaries)
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
      const Summary& s = m.per_group[g];
      if (s.n == 0) continue;
      summary.push_back({{"group", c.groups[g].label},
                         {"metric", m.metric},
                         {"locality", num_json(m.locality)},
                         {"n", s.n},
                         {"mean", num_json(s.mean)},
                         {"std", num_json(s.std_pop)},
                         {"std_sample", num_json(s.std_sample)},
                         {"median", num_json(s.median)},
                         {"min", num_json(s.min)},
                         {"max", num_json(s.max)},
                         {"ci95", {num_json(s.ci95_low), num_json(s.ci95_high)}},
                         {"values", m.values[g]}});
    }
  j["summary"] = summary;
  json comps = json::array();
  auto test_json = [](const TestResult& t) {
    json o = {{"statistic", num_json(t.statistic)}, {"p_value", num_json(t.p_value)}, {"method", t.method}};
    if (std::isfinite(t.df)) o["df"] = t.df;
    if (!t.note.empty()) o["note"] = t.note;
    return o;
  };
  for (const auto& k : c.comparisons)
    comps.push_back({{"metric", k.metric},
                     {"locality", num_json(k.locality)},
                     {"group_a", c.groups[k.group_a].label},
                     {"group_b", c.groups[k.group_b].label},
                     {"welch", test_json(k.welch)},
                     {"student", test_json(k.student)},
                     {"mann_whitney", test_json(k.mann_whitney)}});
  j["comparisons"] = comps;
  if (!options.reference.empty()) {
    const PaperReference& ref = paper_reference(options.reference);
    json cols = json::array();
    for (const auto& col : ref.columns) {
      json vals = json::array();
      for (std::size_t i = 0; i < ref.localities.size(); ++i)
        vals.push_back({{"locality", ref.localities[i]},
                        {"local_mig", {{"mean", col.local_mig[i].mean}, {"std", col.local_mig[i].std}}},
                        {"local_modularity",
                         {{"mean", col.local_modularity[i].mean}, {"std", col.local_modularity[i].std}}}});
      json matched = json::array();
      for (const auto& g : c.groups)
        if (auto i = ref.column_for(g.key); i && ref.columns[*i].label == col.label) matched.push_back(g.label);
      cols.push_back({{"label", col.label}, {"gamma", col.gamma}, {"values", vals}, {"matched_groups", matched}});
    }
    j["reference"] = {{"name", ref.name}, {"source", ref.source}, {"columns", cols}};
  }
  json figs = json::array();
  for (const auto& f : figures) figs.push_back(f.string());
  for (const auto& f : options.extra_figures) figs.push_back(f.svg.string());
  j["figures"] = figs;
  j["warnings"] = c.warnings;
  if (!options.provenance.empty()) j["provenance"] = options.provenance;
  return j;
}

std::string report_markdown(const Collection& c, const ReportOptions& options, const std::vector<fs::path>& figures) {
  std::ostringstream md;
  const PaperReference* ref = options.reference.empty() ? nullptr : &paper_reference(options.reference);
  md << "# " << options.title << "\n\n";
  if (!options.note.empty()) md << "> **Note.** " << options.note << "\n\n";
  for (const auto& w : c.pooled) md << "> **Warning.** " << w << ".\n\n";
  md << fmt::format("{} runs in {} groups. Generated {} by axial {} (commit {}).\n\n", c.runs.size(), c.groups.size(),
                    utc_now(), axial::kVersion, axial::kGitCommit);
  md << "Values are mean ± population standard deviation over runs (the paper's convention); n = runs per group. "
        "Files: `runs.csv` (every value), `summary.csv` (n, mean, std, median, min, max, 95% t-interval), "
        "`comparisons.csv` (tests), `report.json`.\n\n";

  md << "## Groups\n\n| group | n | seeds | runs |\n|---|---|---|---|\n";
  for (const auto& g : c.groups) {
    std::vector<std::string> seeds, ids;
    for (auto r : g.runs) seeds.push_back(seed_text(c.runs[r].seed)), ids.push_back("`" + c.runs[r].id + "`");
    md << fmt::format("| {} | {} | {} | {} |\n", md_escape(g.label), g.runs.size(), fmt::join(seeds, ", "),
                      md_escape(fmt::format("{}", fmt::join(ids, ", "))));
  }
  md << "\n";

  // The paper's tables: local MIG and local modularity vs ρ, one column per group (+ reference columns).
  auto locality_table = [&](const std::string& metric, const std::string& heading) {
    if (!has_local(c, metric)) return;
    md << "## " << heading << " vs locality ρ (`" << metric << "`)\n\n| ρ |";
    std::vector<std::optional<std::size_t>> ref_col(c.groups.size());
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
      md << " " << md_escape(c.groups[g].label) << " |";
      if (ref) {
        ref_col[g] = ref->column_for(c.groups[g].key);
        if (ref_col[g]) md << " " << ref->columns[*ref_col[g]].label << " |";
      }
    }
    md << "\n|---|";
    for (std::size_t g = 0; g < c.groups.size(); ++g) md << (ref_col[g] ? "---|---|" : "---|");
    md << "\n";
    for (double rho : localities_of(c, metric)) {
      const MetricSummary* m = find_row(c, metric, rho);
      md << "| " << format_locality(rho) << " |";
      for (std::size_t g = 0; g < c.groups.size(); ++g) {
        md << " " << mean_pm_std(m->per_group[g]) << " |";
        if (ref_col[g]) {
          auto v = ref->value(*ref_col[g], metric, rho);
          md << " " << (v ? fmt::format("{:.3f} ± {:.3f}", v->mean, v->std) : std::string("—")) << " |";
        }
      }
      md << "\n";
    }
    md << "\n";
    if (ref) md << "Reference columns: " << ref->source << ".\n\n";
  };
  locality_table("local_mig", "Local MIG");
  locality_table("local_modularity", "Local modularity");

  // Comparison at ρ: every local metric at that locality, every pair of groups.
  double rho = effective_compare_locality(c, options.compare_locality);
  bool any_local = false;
  for (const auto& m : c.summaries) any_local = any_local || !std::isnan(m.locality);
  auto comparison_table = [&](bool local) {
    md << "| metric | A | B | mean A | mean B | B − A | Welch t (df), p | Student t (df), p | Mann–Whitney U, p |\n"
          "|---|---|---|---|---|---|---|---|---|\n";
    int rows = 0;
    for (const auto& k : c.comparisons) {
      if (local ? !same_locality(k.locality, rho) : !std::isnan(k.locality)) continue;
      const MetricSummary* m = find_row(c, k.metric, k.locality);
      const Summary& a = m->per_group[k.group_a];
      const Summary& b = m->per_group[k.group_b];
      auto t_cell = [](const TestResult& t) {
        if (!std::isfinite(t.statistic)) return fmt::format("n/a ({})", t.note);
        return fmt::format("{:.2f} ({:.1f}), {}", t.statistic, t.df, format_p(t.p_value));
      };
      md << fmt::format("| `{}` | {} | {} | {} | {} | {:+.4f} | {} | {} | {:.1f}, {} ({}) |\n", k.metric,
                        md_escape(c.groups[k.group_a].label), md_escape(c.groups[k.group_b].label),
                        mean_pm_std(a, 4), mean_pm_std(b, 4), b.mean - a.mean, t_cell(k.welch), t_cell(k.student),
                        k.mann_whitney.statistic, format_p(k.mann_whitney.p_value), k.mann_whitney.method);
      ++rows;
    }
    if (rows == 0) md << "| (needs at least two groups) | | | | | | | | |\n";
    md << "\n";
  };
  if (any_local) {
    md << "## Comparison at ρ = " << format_locality(rho) << "\n\n";
    comparison_table(true);
  }

  // Global metrics.
  bool any_global = false;
  for (const auto& m : c.summaries) any_global = any_global || std::isnan(m.locality);
  if (any_global) {
    md << "## Global metrics\n\n| metric |";
    for (const auto& g : c.groups) md << " " << md_escape(g.label) << " |";
    md << "\n|---|";
    for (std::size_t g = 0; g < c.groups.size(); ++g) md << "---|";
    md << "\n";
    for (const auto& m : c.summaries) {
      if (!std::isnan(m.locality)) continue;
      md << "| `" << m.metric << "` |";
      for (std::size_t g = 0; g < c.groups.size(); ++g) md << " " << mean_pm_std(m.per_group[g]) << " |";
      md << "\n";
    }
    md << "\n";
    if (c.groups.size() > 1) {
      md << "### Global metrics: tests\n\n";
      comparison_table(false);
    }
  }

  if (!figures.empty() || !options.extra_figures.empty()) {
    md << "## Figures\n\n";
    for (const auto& f : figures) {
      if (f.extension() != ".svg") continue;
      std::string name = f.stem().string();
      std::string caption = name == "local_metrics"
                                ? "Local MIG and local modularity vs locality ρ: mean over runs, band = mean ± 2σ "
                                  "(population std), one colour per group (the paper's Fig. 4)."
                                : fmt::format("Per-run values at ρ = {} per group: box = quartiles, whiskers = 1.5 "
                                              "IQR, points = runs (the paper's Fig. 5).",
                                              format_locality(rho));
      md << "![" << name << "](" << f.string() << ")\n\n*" << caption << "* (PNG: `"
         << fs::path(f).replace_extension(".png").string() << "`)\n\n";
    }
    for (const auto& f : options.extra_figures)
      md << "![" << f.svg.stem().string() << "](" << f.svg.string() << ")\n\n*" << f.caption << "*\n\n";
  }

  md << "## Statistics\n\n"
        "- std: population standard deviation (ddof = 0), as in the paper's ±2σ bands; `std_sample` (ddof = 1) is "
        "in `summary.csv`.\n"
        "- 95% interval (`ci95_low`, `ci95_high` in `summary.csv`): Student-t interval on the mean, "
        "mean ± t(0.975, n−1)·s/√n.\n"
        "- Welch's t-test: unequal variances, Welch–Satterthwaite df; Student's t-test: pooled variance, df = n₁+n₂−2 "
        "(the test the paper reports); both two-sided.\n"
        "- Mann–Whitney U (statistic U of group A), two-sided: exact null distribution when the smaller group has ≤ 8 "
        "runs and there are no ties, otherwise the normal approximation with tie and continuity correction "
        "(scipy.stats.mannwhitneyu's defaults).\n\n";

  md << "## Provenance\n\n| run | group | seed | data set | model sha256 | eval axial | train device | LibTorch |\n"
        "|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : c.runs) {
    json model = r.results.value("model", json::object());
    std::string sha = model.is_object() && model.value("sha256", json()).is_string()
                          ? model["sha256"].get<std::string>().substr(0, 12)
                          : "";
    auto str = [](const json& v) { return v.is_string() ? v.get<std::string>() : (v.is_null() ? "" : v.dump()); };
    std::string version = str(r.results.value("axial_version", json())) + " " + str(r.results.value("git_commit", json()));
    std::string device = r.train_config.is_object() ? str(r.train_config.value("device", json())) : "";
    std::string torch = r.train_config.is_object() ? str(r.train_config.value("libtorch_version", json())) : "";
    md << fmt::format("| `{}` | {} | {} | {} | `{}` | {} | {} | {} |\n", md_escape(r.id),
                      md_escape(c.groups[r.group].label), seed_text(r.seed),
                      str(r.results.value("dataset", json())), sha, version, device, torch);
  }
  md << "\nGroup keys (training configuration minus seeds and run-only options, plus the evaluated data set and "
        "protocol; or `--group-by`):\n\n```json\n";
  for (const auto& g : c.groups) md << g.key.dump() << "\n";
  md << "```\n\n";
  if (!options.command_line.empty()) md << "Command: `" << options.command_line << "`\n\n";
  if (!c.warnings.empty()) {
    md << "## Warnings\n\n";
    for (const auto& w : c.warnings) md << "- " << w << "\n";
    md << "\n";
  }
  return md.str();
}

std::vector<fs::path> write_report(const Collection& c, const fs::path& out_dir, const ReportOptions& options) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw Error(fmt::format("cannot create output directory '{}': {}", out_dir.string(), ec.message()));
  std::vector<fs::path> figures;  // relative to out_dir
  if (options.figures) {
    fs::create_directories(out_dir / "figures", ec);
    std::vector<BandPanel> bands;
    for (const auto& [metric, name] :
         std::vector<std::pair<std::string, std::string>>{{"local_mig", "local MIG"},
                                                          {"local_modularity", "local modularity"}}) {
      if (!has_local(c, metric)) continue;
      BandPanel p{name + " vs locality", "locality #gr", name, {}};
      for (std::size_t g = 0; g < c.groups.size(); ++g) {
        BandSeries s;
        s.label = c.groups[g].label;
        for (double rho : localities_of(c, metric)) {
          const Summary& sm = find_row(c, metric, rho)->per_group[g];
          if (sm.n == 0) continue;
          s.x.push_back(rho);
          s.mean.push_back(sm.mean);
          s.lower.push_back(sm.mean - 2 * sm.std_pop);
          s.upper.push_back(sm.mean + 2 * sm.std_pop);
        }
        if (!s.x.empty()) p.series.push_back(s);
      }
      bands.push_back(p);
    }
    if (!bands.empty()) {
      plot_band_panels(bands, out_dir / "figures" / "local_metrics", {600 * int(bands.size()), 480});
      figures.push_back(fs::path("figures") / "local_metrics.svg");
      figures.push_back(fs::path("figures") / "local_metrics.png");
    }
    double rho = effective_compare_locality(c, options.compare_locality);
    std::vector<BoxPanel> boxes;
    for (const auto& [metric, name] :
         std::vector<std::pair<std::string, std::string>>{{"local_mig", "local MIG"},
                                                          {"local_modularity", "local modularity"}}) {
      const MetricSummary* m = find_row(c, metric, rho);
      if (m == nullptr) continue;
      BoxPanel p{fmt::format("{} at #gr = {}", name, format_locality(rho)), name, {}};
      for (std::size_t g = 0; g < c.groups.size(); ++g) p.groups.push_back({c.groups[g].label, m->values[g]});
      boxes.push_back(p);
    }
    if (!boxes.empty()) {
      std::string stem = "local_box_rho" + format_locality(rho);
      plot_box_panels(boxes, out_dir / "figures" / stem, {500 * int(boxes.size()), 480});
      figures.push_back(fs::path("figures") / (stem + ".svg"));
      figures.push_back(fs::path("figures") / (stem + ".png"));
    }
  }
  // The tables are one result: all are complete before any replaces an old one (a killed or failed report leaves
  // the previous set), report.md last.
  const std::vector<std::pair<fs::path, std::string>> files = {
      {out_dir / "runs.csv", tidy_csv(c)},
      {out_dir / "summary.csv", summary_csv(c)},
      {out_dir / "comparisons.csv", comparisons_csv(c)},
      {out_dir / "report.json", report_json(c, options, figures).dump(2) + "\n"},
      {out_dir / "report.md", report_markdown(c, options, figures)}};
  write_files_atomically(files);
  std::vector<fs::path> written;
  for (const auto& f : files) written.push_back(f.first);
  for (const auto& f : figures) written.push_back(out_dir / f);
  return written;
}

}  // namespace axial::reports
