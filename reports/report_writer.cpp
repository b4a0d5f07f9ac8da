#include "reports/report_writer.hpp"

#include <fmt/core.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
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

json num_json(double v) { return std::isfinite(v) ? json(v) : json(); }

bool same_locality(double a, double b) { return std::isnan(a) ? std::isnan(b) : std::fabs(a - b) < 1e-9; }

const MetricSummary* find_row(const Collection& c, const std::string& metric, double rho) {
  for (const auto& m : c.summaries)
    if (m.metric == metric && same_locality(m.locality, rho)) return &m;
  return nullptr;
}

json test_result_json(const TestResult& t) {
  json o = {{"statistic", num_json(t.statistic)}, {"p_value", num_json(t.p_value)}, {"method", t.method}};
  if (std::isfinite(t.df)) o["df"] = t.df;
  if (!t.note.empty()) o["note"] = t.note;
  return o;
}

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

// The per-run figure's file stem before the ρ: local_box_rho / local_violin_rho.
std::string distribution_stem(Distribution d) {
  return d == Distribution::kBox ? "local_box_rho" : "local_violin_rho";
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

// The per-cluster values `<metric>_per_cluster` of a run's local entry at `rho` (nulls — undefined clusters — left out).
std::vector<double> per_cluster_values(const Run& run, const std::string& metric, double rho) {
  std::vector<double> out;
  const json& local = run.results.value("local", json::array());
  auto take = [&](const json& e) {
    if (!e.is_object()) return;
    const json& v = e.value(metric + "_per_cluster", json());
    if (!v.is_array()) return;
    for (const auto& x : v)
      if (x.is_number() && std::isfinite(x.get<double>())) out.push_back(x.get<double>());
  };
  if (local.is_array()) {
    for (const auto& e : local)
      if (e.is_object() && e.value("locality", json()).is_number() && same_locality(e["locality"].get<double>(), rho))
        take(e);
  } else if (local.is_object()) {
    for (auto& [k, e] : local.items()) {
      try {
        if (same_locality(std::stod(k), rho)) take(e);
      } catch (const std::exception&) {
      }
    }
  }
  return out;
}

// Where the runs differ from the paper's settings (for the --reference caveat).
std::vector<std::string> reference_caveats(const Collection& c, const PaperReference& ref) {
  std::vector<json> train, eval;
  for (const auto& r : c.runs) {
    train.push_back(r.train_config.is_object() ? r.train_config.value("options", json()) : json());
    eval.push_back(r.results.value("settings", json()));
  }
  return reference_setting_differences(ref, train, eval);
}

// "0.0512 ± 0.00123" (3 significant digits each), "—" when n = 0; counts get "median [min, max]".
std::string score_cell(const MetricSummary& m, std::size_t g, std::size_t group_runs, bool with_interval) {
  const Summary& s = m.per_group[g];
  if (s.n == 0) return "—";
  std::string cell;
  if (m.cls.kind == MetricKind::kCount) {
    auto count_text = [](double v) {
      return v == std::round(v) && std::fabs(v) < 1e15 ? fmt::format("{}", std::llround(v)) : format_sig(v);
    };
    cell = s.min == s.max ? count_text(s.min)
                          : fmt::format("{} [{}, {}]", count_text(s.median), count_text(s.min), count_text(s.max));
  } else {
    cell = mean_pm_std(s);
    if (with_interval && s.n >= kMinRunsForTests && std::isfinite(m.ci95[g].low))
      cell += fmt::format(" [{}, {}]{}", format_sig(m.ci95[g].low), format_sig(m.ci95[g].high),
                          m.ci95[g].clipped ? "†" : "");
  }
  if (s.n != group_runs) cell += fmt::format(" (n={})", s.n);
  return cell;
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

std::string mean_pm_std(const Summary& s, int digits) {
  if (s.n == 0) return "—";
  return fmt::format("{} ± {}", format_sig(s.mean, digits), format_sig(s.std_pop, digits));
}

std::string format_p(double p) {
  if (!std::isfinite(p)) return "n/a";
  return format_sig(p);
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
  // Scores and details: every statistic (the interval clipped to the score's range, the raw t-interval beside it);
  // counts/diagnostics: n, median, min and max only (no mean, std or interval: they are not scores).
  std::string out =
      "group,metric,locality,kind,n,mean,std,std_sample,median,min,max,ci95_low,ci95_high,ci95_clipped,"
      "ci95_t_low,ci95_t_high\n";
  for (std::size_t g = 0; g < c.groups.size(); ++g)
    for (const auto& m : c.summaries) {
      const Summary& s = m.per_group[g];
      if (s.n == 0) continue;
      const bool count = m.cls.kind == MetricKind::kCount;
      const Interval& ci = m.ci95[g];
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(c.groups[g].label),
                         csv_field(m.metric), format_locality(m.locality), kind_name(m.cls.kind), s.n,
                         count ? "" : num(s.mean), count ? "" : num(s.std_pop), count ? "" : num(s.std_sample),
                         num(s.median), num(s.min), num(s.max), count ? "" : num(ci.low), count ? "" : num(ci.high),
                         count || s.n < 2 ? "" : (ci.clipped ? "true" : "false"), count ? "" : num(s.ci95_low),
                         count ? "" : num(s.ci95_high));
    }
  return out;
}

std::string comparisons_csv(const Collection& c) {
  std::string out =
      "metric,locality,group_a,group_b,n_a,n_b,mean_a,mean_b,welch_t,welch_df,welch_p,welch_p_holm,student_t,"
      "student_df,student_p,student_p_holm,mann_whitney_u,mann_whitney_p,mann_whitney_p_holm,mann_whitney_method,"
      "family,note\n";
  for (const auto& k : c.comparisons) {
    const MetricSummary* m = find_row(c, k.metric, k.locality);
    const Summary& a = m->per_group[k.group_a];
    const Summary& b = m->per_group[k.group_b];
    std::string note = k.note;
    if (note.empty()) note = k.welch.note.empty() ? k.student.note : k.welch.note;
    if (k.note.empty() && !k.mann_whitney.note.empty()) note += (note.empty() ? "" : "; ") + k.mann_whitney.note;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(k.metric),
                       format_locality(k.locality), csv_field(c.groups[k.group_a].label),
                       csv_field(c.groups[k.group_b].label), a.n, b.n, num(a.mean), num(b.mean),
                       num(k.welch.statistic), num(k.welch.df), num(k.welch.p_value), num(k.welch_p_holm),
                       num(k.student.statistic), num(k.student.df), num(k.student.p_value), num(k.student_p_holm),
                       num(k.mann_whitney.statistic), num(k.mann_whitney.p_value), num(k.mann_whitney_p_holm),
                       k.mann_whitney.method, csv_field(k.family), csv_field(note));
  }
  return out;
}

std::string eval_spread_csv(const Collection& c) {
  std::string out = "group,metric,locality,runs,between_seed_std,runs_with_repeats,eval_seeds,within_model_std\n";
  for (const auto& e : c.eval_spreads)
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
      if (e.runs[g] == 0) continue;
      out += fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(c.groups[g].label), csv_field(e.metric),
                         format_locality(e.locality), e.runs[g], num(e.between_seed_std[g]), e.runs_with_repeats[g],
                         e.eval_seeds[g], num(e.within_model_std[g]));
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
  j["statistics"] = {
      {"std", "population (ddof=0)"},
      {"ci95", "Student-t interval on the mean: mean ± t(0.975, n-1)·s/√n, s with ddof=1; for bounded scores "
               "clipped to the score's range ([0, 1]) and marked (ci95_clipped); the raw t-interval is ci95_t"},
      {"tests", fmt::format("only scores (not counts or diagnostics), only when both groups have at least {} runs",
                            kMinRunsForTests)},
      {"holm", "Holm step-down adjustment within each family (all localities × group pairs of one local metric; "
               "all global scores × pairs; all axis-alignment details × pairs), each test separately"},
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
  if (!options.claims.empty()) j["claims"] = claims_json(test_claims(c, options.claims));
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
      const bool count = m.cls.kind == MetricKind::kCount;
      json row = {{"group", c.groups[g].label},
                  {"metric", m.metric},
                  {"locality", num_json(m.locality)},
                  {"kind", kind_name(m.cls.kind)},
                  {"n", s.n},
                  {"median", num_json(s.median)},
                  {"min", num_json(s.min)},
                  {"max", num_json(s.max)},
                  {"values", m.values[g]}};
      if (!count) {
        row["mean"] = num_json(s.mean);
        row["std"] = num_json(s.std_pop);
        row["std_sample"] = num_json(s.std_sample);
        row["ci95"] = {num_json(m.ci95[g].low), num_json(m.ci95[g].high)};
        row["ci95_clipped"] = m.ci95[g].clipped;
        row["ci95_t"] = {num_json(s.ci95_low), num_json(s.ci95_high)};
        if (m.cls.range) row["range"] = {m.cls.range->first, m.cls.range->second};
      }
      summary.push_back(row);
    }
  j["summary"] = summary;
  json comps = json::array();
  for (const auto& k : c.comparisons)
    comps.push_back({{"metric", k.metric},
                     {"locality", num_json(k.locality)},
                     {"group_a", c.groups[k.group_a].label},
                     {"group_b", c.groups[k.group_b].label},
                     {"welch", test_result_json(k.welch)},
                     {"student", test_result_json(k.student)},
                     {"mann_whitney", test_result_json(k.mann_whitney)},
                     {"p_holm",
                      {{"welch", num_json(k.welch_p_holm)},
                       {"student", num_json(k.student_p_holm)},
                       {"mann_whitney", num_json(k.mann_whitney_p_holm)}}},
                     {"family", k.family},
                     {"note", k.note}});
  j["comparisons"] = comps;
  json spreads = json::array();
  for (const auto& e : c.eval_spreads)
    for (std::size_t g = 0; g < c.groups.size(); ++g)
      if (e.runs[g] > 0)
        spreads.push_back({{"group", c.groups[g].label},
                           {"metric", e.metric},
                           {"locality", num_json(e.locality)},
                           {"runs", e.runs[g]},
                           {"between_seed_std", num_json(e.between_seed_std[g])},
                           {"runs_with_repeats", e.runs_with_repeats[g]},
                           {"eval_seeds", e.eval_seeds[g]},
                           {"within_model_std", num_json(e.within_model_std[g])}});
  j["eval_spread"] = spreads;
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
    j["reference"] = {{"name", ref.name}, {"source", ref.source}, {"columns", cols},
                      {"setting_differences", reference_caveats(c, ref)}};
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
  const std::vector<std::string> caveats = ref ? reference_caveats(c, *ref) : std::vector<std::string>{};
  md << "# " << options.title << "\n\n";
  if (!options.note.empty()) md << "> **Note.** " << options.note << "\n\n";
  for (const auto& w : c.pooled) md << "> **Warning.** " << w << ".\n\n";
  auto caveat_text = [&] {
    return fmt::format("these runs differ from the paper's settings ({}), so the reference columns are not the "
                       "same experiment and the numbers are not expected to match",
                       fmt::join(caveats, "; "));
  };
  if (!caveats.empty()) md << "> **Reference caveat.** " << caveat_text() << ".\n\n";
  md << fmt::format("{} runs in {} groups. Generated {} by axial {} (commit {}).\n\n", c.runs.size(), c.groups.size(),
                    utc_now(), axial::kVersion, axial::kGitCommit);
  std::size_t smallest = c.runs.size();
  for (const auto& g : c.groups) smallest = std::min(smallest, g.runs.size());
  md << "Scores are mean ± population standard deviation over runs (the paper's convention), 3 significant digits "
        "(the CSV files keep full precision); a cell's `(n=k)` says that only k of the group's runs have that value. "
     << fmt::format("Intervals (95%, in brackets) and tests need at least {} runs per group", kMinRunsForTests)
     << (smallest < kMinRunsForTests
             ? fmt::format("; groups with fewer (the smallest here has {}) get values only, no intervals or tests",
                           smallest)
             : std::string())
     << ". p-values are two-sided, each with its Holm-adjusted value (p_Holm) within its family (see Statistics). "
        "Counts and diagnostics (anchor counts, undefined anchors, unresponsive factors, spreads) are in their own "
        "table, without means or tests. Files: `runs.csv` (every value), `summary.csv`, `comparisons.csv`, "
        "`report.json`.\n\n";

  md << "## Groups\n\n| group | n | seeds | runs |\n|---|---|---|---|\n";
  for (const auto& g : c.groups) {
    std::vector<std::string> seeds, ids;
    for (auto r : g.runs) seeds.push_back(seed_text(c.runs[r].seed)), ids.push_back("`" + c.runs[r].id + "`");
    md << fmt::format("| {} | {} | {} | {} |\n", md_escape(g.label), g.runs.size(), fmt::join(seeds, ", "),
                      md_escape(fmt::format("{}", fmt::join(ids, ", "))));
  }
  md << "\n";
  md << claims_markdown(test_claims(c, options.claims));

  auto group_header = [&](const std::string& first) {
    md << "| " << first << " |";
    for (const auto& g : c.groups) md << " " << md_escape(g.label) << " |";
    md << "\n|---|";
    for (std::size_t g = 0; g < c.groups.size(); ++g) md << "---|";
    md << "\n";
  };

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
        md << " " << score_cell(*m, g, c.groups[g].runs.size(), false) << " |";
        if (ref_col[g]) {
          auto v = ref->value(*ref_col[g], metric, rho);
          md << " " << (v ? fmt::format("{:.3f} ± {:.3f}", v->mean, v->std) : std::string("—")) << " |";
        }
      }
      md << "\n";
    }
    md << "\n";
    if (ref) {
      md << "Reference columns: " << ref->source << ".";
      if (!caveats.empty()) md << " **Caveat:** these runs differ from the paper's settings (see the top).";
      md << "\n\n";
    }
  };
  locality_table("local_mig", "Local MIG");
  locality_table("local_modularity", "Local modularity");

  // Tests of a set of rows: every pair of groups; values only (with the reason) when no pair could be tested.
  auto tests_table = [&](const std::function<bool(const Comparison&)>& select) {
    std::vector<const Comparison*> rows;
    for (const auto& k : c.comparisons)
      if (select(k)) rows.push_back(&k);
    if (c.groups.size() < 2) {
      md << "No tests: one group.\n\n";
      return;
    }
    std::vector<const Comparison*> tested;
    for (auto* k : rows)
      if (k->note.empty()) tested.push_back(k);
    if (tested.empty()) {
      md << (rows.empty() ? std::string("No tests: no metric has values in two groups.\n\n")
                          : fmt::format("No tests: {} (above and in `runs.csv`).\n\n",
                                        rows.front()->note.substr(rows.front()->note.find(':') + 2)));
      return;
    }
    md << "| metric | ρ | A | B | B − A | Welch t (df), p, p_Holm | Student t (df), p, p_Holm | "
          "Mann–Whitney U, p, p_Holm | family |\n|---|---|---|---|---|---|---|---|---|\n";
    for (auto* k : rows) {
      const MetricSummary* m = find_row(c, k->metric, k->locality);
      const Summary& a = m->per_group[k->group_a];
      const Summary& b = m->per_group[k->group_b];
      auto t_cell = [](const TestResult& t, double holm) {
        if (!std::isfinite(t.statistic)) return fmt::format("n/a ({})", t.note);
        return fmt::format("{} ({}), {}, {}", format_sig(t.statistic), format_sig(t.df), format_p(t.p_value),
                           format_p(holm));
      };
      const std::string mw = k->note.empty() ? fmt::format("{}, {}, {} ({})", format_sig(k->mann_whitney.statistic),
                                                           format_p(k->mann_whitney.p_value),
                                                           format_p(k->mann_whitney_p_holm), k->mann_whitney.method)
                                             : "n/a (" + k->note + ")";
      md << fmt::format("| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |\n", k->metric, format_locality(k->locality),
                        md_escape(c.groups[k->group_a].label), md_escape(c.groups[k->group_b].label),
                        k->note.empty() ? format_sig(b.mean - a.mean) : std::string("—"),
                        k->note.empty() ? t_cell(k->welch, k->welch_p_holm) : "n/a",
                        k->note.empty() ? t_cell(k->student, k->student_p_holm) : "n/a", mw, k->family);
    }
    md << "\n";
  };

  // Comparison at ρ: every local score at that locality, every pair of groups.
  double rho = effective_compare_locality(c, options.compare_locality);
  bool any_local = false;
  for (const auto& m : c.summaries) any_local = any_local || !std::isnan(m.locality);
  if (any_local) {
    md << "## Comparison at ρ = " << format_locality(rho) << "\n\n";
    md << "p_Holm is adjusted over all localities and group pairs of the same metric (`comparisons.csv` has every "
          "locality).\n\n";
    tests_table([&](const Comparison& k) { return same_locality(k.locality, rho); });
  }

  // A table of rows of one kind: globals (and other local scores at ρ) with mean ± std [interval].
  auto value_table = [&](const std::function<bool(const MetricSummary&)>& select, bool with_interval) {
    bool any = false;
    for (const auto& m : c.summaries) any = any || select(m);
    if (!any) return false;
    group_header("metric");
    for (const auto& m : c.summaries) {
      if (!select(m)) continue;
      md << "| `" << m.metric << "`" << (std::isnan(m.locality) ? "" : " ρ = " + format_locality(m.locality))
         << " |";
      for (std::size_t g = 0; g < c.groups.size(); ++g)
        md << " " << score_cell(m, g, c.groups[g].runs.size(), with_interval) << " |";
      md << "\n";
    }
    md << "\n";
    return true;
  };
  auto is_global = [](const MetricSummary& m) { return std::isnan(m.locality); };
  md << "## Global scores\n\n";
  if (value_table([&](const MetricSummary& m) { return is_global(m) && m.cls.kind == MetricKind::kScore; }, true)) {
    if (smallest >= kMinRunsForTests)
      md << "Brackets: 95% t-interval on the mean; † = clipped to the score's range [0, 1].\n\n";
    md << "### Global scores: tests\n\n";
    tests_table([&](const Comparison& k) { return std::isnan(k.locality) && k.family == "global scores"; });
  } else {
    md << "(none evaluated)\n\n";
  }
  bool other_local = false;
  for (const auto& m : c.summaries)
    other_local = other_local || (!is_global(m) && m.cls.kind == MetricKind::kScore && m.cls.headline_rank > 1);
  if (other_local) {
    md << "## Other local scores at ρ = " << format_locality(rho) << "\n\n";
    value_table([&](const MetricSummary& m) {
      return !is_global(m) && m.cls.kind == MetricKind::kScore && m.cls.headline_rank > 1 &&
             same_locality(m.locality, rho);
    }, true);
  }
  bool any_detail = false;
  for (const auto& m : c.summaries) any_detail = any_detail || m.cls.kind == MetricKind::kDetail;
  if (any_detail) {
    md << "## Axis-alignment details\n\n";
    value_table([](const MetricSummary& m) { return m.cls.kind == MetricKind::kDetail; }, true);
    md << "### Axis-alignment details: tests\n\n";
    tests_table([](const Comparison& k) { return classify_metric(k.metric).kind == MetricKind::kDetail; });
  }
  bool any_count = false;
  for (const auto& m : c.summaries) any_count = any_count || m.cls.kind == MetricKind::kCount;
  if (any_count) {
    md << "## Counts and diagnostics (values only, no tests)\n\n";
    md << "Each cell: the value when every run has the same, else median [min, max] over runs.\n\n";
    value_table([](const MetricSummary& m) { return m.cls.kind == MetricKind::kCount; }, false);
  }

  md << "## Evaluation noise and training noise\n\n";
  if (c.eval_spreads.empty()) {
    md << "No run has evaluation repeats. `axial eval --eval-seeds K` repeats the protocol's sampling with K seeds on "
          "the same model; the report then shows, for every score, the spread between training seeds beside the "
          "spread that the evaluation's sampling alone produces.\n\n";
  } else {
    md << "Between seeds: population std over the group's runs (training seeds; it includes the evaluation noise). "
          "Within model: root mean square over the runs with repeats of each run's population std over its eval "
          "seeds (the evaluation's sampling alone). A difference between groups smaller than the within-model spread "
          "is within evaluation noise. `eval_spread.csv` has every value.\n\n";
    md << "| metric | ρ | group | between seeds (runs) | within model (runs × eval seeds) |\n|---|---|---|---|---|\n";
    for (const auto& e : c.eval_spreads)
      for (std::size_t g = 0; g < c.groups.size(); ++g) {
        if (e.runs[g] == 0) continue;
        md << fmt::format("| `{}` | {} | {} | {} ({}) | {} |\n", e.metric, format_locality(e.locality),
                          md_escape(c.groups[g].label),
                          std::isfinite(e.between_seed_std[g]) ? format_sig(e.between_seed_std[g]) : "—", e.runs[g],
                          e.runs_with_repeats[g] > 0
                              ? fmt::format("{} ({} × {})", format_sig(e.within_model_std[g]),
                                            e.runs_with_repeats[g], e.eval_seeds[g])
                              : std::string("— (no repeats)"));
      }
    md << "\n";
  }

  if (!figures.empty() || !options.extra_figures.empty()) {
    md << "## Figures\n\n";
    for (const auto& f : figures) {
      if (f.extension() != ".svg") continue;
      std::string name = f.stem().string();
      auto it = options.figure_captions.find(name);
      std::string caption = it != options.figure_captions.end() ? it->second : name;
      md << "![" << name << "](" << f.string() << ")\n\n*" << caption << "* (also `"
         << fs::path(f).replace_extension(".pdf").string() << "`, `"
         << fs::path(f).replace_extension(".png").string() << "`)\n\n";
    }
    for (const auto& f : options.extra_figures)
      md << "![" << f.svg.stem().string() << "](" << f.svg.string() << ")\n\n*" << f.caption << "*\n\n";
  }

  md << "## Statistics\n\n"
        "- Scores (MIG, modularity, their local variants, explicitness, SAP, axis alignment and unknown metrics) get "
        "means, intervals and tests; axis-alignment details (purities, quantiles over anchors) the same in their own "
        "table and test family; counts and diagnostics (`*_anchors`, `*_undefined_anchors`, "
        "`*_unresponsive_factor_count`, `*_std`, …) only their values.\n"
        "- std: population standard deviation (ddof = 0), as in the paper's ±2σ bands; `std_sample` (ddof = 1) is "
        "in `summary.csv`.\n"
        "- 95% interval: Student-t interval on the mean, mean ± t(0.975, n−1)·s/√n, clipped to the score's range "
        "when it leaves it (scores in [0, 1]) and then marked † here and `ci95_clipped = true` in `summary.csv` "
        "(which also has the raw `ci95_t_low`, `ci95_t_high`). Shown here only with ≥ "
     << kMinRunsForTests
     << " runs per group.\n"
        "- Tests only when both groups have ≥ "
     << kMinRunsForTests
     << " runs: below that a t-test's p-value rests on a variance estimate from a handful of values and the "
        "exact Mann–Whitney test cannot reach p < 0.05 in two-sided form for n = 2 + 2 (its smallest p is 1/3).\n"
        "- Welch's t-test: unequal variances, Welch–Satterthwaite df; Student's t-test: pooled variance, df = n₁+n₂−2 "
        "(the test the paper reports); both two-sided.\n"
        "- Mann–Whitney U (statistic U of group A), two-sided: exact null distribution when the smaller group has ≤ 8 "
        "runs and there are no ties, otherwise the normal approximation with tie and continuity correction "
        "(scipy.stats.mannwhitneyu's defaults).\n"
        "- Multiplicity: Holm's step-down correction (p_(i) ↦ max_{j≤i} min(1, (m−j+1)·p_(j))) within each family — "
        "all localities × group pairs of one local metric; all global scores × pairs; all axis-alignment details × "
        "pairs — for each test separately. `comparisons.csv` has both the raw p and `*_p_holm` and the family.\n\n";

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
  // Tables and figures are one result, replaced together (src/core/atomic_output.hpp OutputSet): a killed or
  // failed report leaves the previous report whole; figures/ holds this report's figures only (no stale ones from a
  // report with other groups or localities).
  OutputSet set(out_dir);
  set.replace_subdirectory("figures");
  for (const auto& f : options.extra_figures) {  // the model figures, drawn into out_dir/figures beforehand
    fs::path stem = f.svg;
    stem.replace_extension();
    for (const auto& ext : figure_extensions())
      if (fs::exists(out_dir / (stem.string() + ext), ec)) set.adopt(stem.string() + ext);
  }
  std::vector<fs::path> figures;  // relative to out_dir
  // Where a figure's files are written (in the set's staging directory); `add_figure` declares them.
  auto figure_stem = [&](const std::string& stem) {
    return set.stage(fs::path("figures") / (stem + figure_extensions().front())).parent_path() / stem;
  };
  auto add_figure = [&](const std::string& stem) {
    for (const auto& ext : figure_extensions()) {
      figures.push_back(fs::path("figures") / (stem + ext));
      set.stage(figures.back());
    }
  };
  const std::vector<std::pair<std::string, std::string>> headline = {{"local_mig", "local MIG"},
                                                                     {"local_modularity", "local modularity"}};
  if (options.figures) {
    std::vector<BandPanel> bands;
    for (const auto& [metric, name] : headline) {
      if (!has_local(c, metric)) continue;
      BandPanel p{name + " vs locality", "locality ρ", name, {}};
      for (std::size_t g = 0; g < c.groups.size(); ++g) {
        BandSeries s;  // a group without values stays in, as "(no values)"
        s.label = c.groups[g].label;
        for (double rho : localities_of(c, metric)) {
          const Summary& sm = find_row(c, metric, rho)->per_group[g];
          if (sm.n == 0) continue;
          s.x.push_back(rho);
          s.mean.push_back(sm.mean);
          s.lower.push_back(sm.mean - 2 * sm.std_pop);
          s.upper.push_back(sm.mean + 2 * sm.std_pop);
        }
        p.series.push_back(s);
      }
      bands.push_back(p);
    }
    if (!bands.empty()) {
      plot_band_panels(bands, figure_stem("local_metrics"), options.figure_style);
      add_figure("local_metrics");
    }
    const double rho = effective_compare_locality(c, options.compare_locality);
    std::vector<BoxPanel> boxes;
    for (const auto& [metric, name] : headline) {
      const MetricSummary* m = find_row(c, metric, rho);
      if (m == nullptr) continue;
      BoxPanel p{fmt::format("{} at ρ = {}", name, format_locality(rho)), name, {}};
      for (std::size_t g = 0; g < c.groups.size(); ++g) p.groups.push_back({c.groups[g].label, m->values[g], -1, ""});
      boxes.push_back(p);
    }
    if (!boxes.empty()) {
      const std::string stem = distribution_stem(options.distribution) + format_locality(rho);
      plot_box_panels(boxes, figure_stem(stem), options.figure_style, kMinRunsForTests,
                      options.distribution);
      add_figure(stem);
    }
    // The per-cluster values of every run at ρ (the clusters' spread within one model and one evaluation).
    std::vector<BoxPanel> clusters;
    for (const auto& [metric, name] : headline) {
      BoxPanel p{fmt::format("{} per cluster at ρ = {}", name, format_locality(rho)), name, {}};
      bool any = false;
      for (std::size_t g = 0; g < c.groups.size(); ++g)
        for (std::size_t r : c.groups[g].runs) {
          std::vector<double> v = per_cluster_values(c.runs[r], metric, rho);
          any = any || !v.empty();
          p.groups.push_back({seed_text(c.runs[r].seed).empty() ? c.runs[r].id : seed_text(c.runs[r].seed), v,
                              int(g), c.groups[g].label});
        }
      if (any) clusters.push_back(p);
    }
    if (!clusters.empty()) {
      const std::string stem = "local_per_cluster_rho" + format_locality(rho);
      plot_box_panels(clusters, figure_stem(stem), options.figure_style, kMinRunsForTests);
      add_figure(stem);
    }
  }
  ReportOptions filled = options;
  const std::string rho_text = format_locality(effective_compare_locality(c, options.compare_locality));
  filled.figure_captions["local_metrics"] =
      "Local MIG and local modularity vs locality ρ: mean over runs, band = mean ± 2σ (population std), one colour "
      "per group (the paper's Fig. 4).";
  filled.figure_captions["local_per_cluster_rho" + rho_text] = fmt::format(
      "The {{local MIG, local modularity}} of every cluster of every run at ρ = {}: one column per run (labelled by "
      "its seed), colour = group; box = quartiles over the clusters. The spread within a column is the spread "
      "between neighbourhoods of one model; the spread between columns of a colour is the spread between training "
      "seeds.",
      rho_text);
  filled.figure_captions[distribution_stem(options.distribution) + rho_text] =
      options.distribution == Distribution::kBox
          ? fmt::format("Per-run values at ρ = {} per group: filled, jittered points = runs; box = quartiles, whiskers "
                        "= 1.5 IQR, only for groups with ≥ {} runs (the paper's Fig. 5).",
                        rho_text, kMinRunsForTests)
          : fmt::format("Per-run values at ρ = {} per group: filled, jittered points = runs; violin = Gaussian kernel "
                        "density of the runs' values (Scott's bandwidth, drawn between the smallest and the largest "
                        "value, as matplotlib's violinplot), thick line = median, thin lines = quartiles, only for "
                        "groups with ≥ {} runs (the paper's Fig. 5).",
                        rho_text, kMinRunsForTests);
  // report.md last (the marker, where the set has to be renamed file by file).
  const std::vector<std::pair<std::string, std::string>> files = {
      {"runs.csv", tidy_csv(c)},
      {"summary.csv", summary_csv(c)},
      {"comparisons.csv", comparisons_csv(c)},
      {"eval_spread.csv", eval_spread_csv(c)},
      {"report.json", report_json(c, filled, figures).dump(2) + "\n"},
      {"report.md", report_markdown(c, filled, figures)}};
  for (const auto& [name, contents] : files) set.write(name, contents);
  set.commit();
  std::vector<fs::path> written;
  for (const auto& f : files) written.push_back(out_dir / f.first);
  for (const auto& f : figures) written.push_back(out_dir / f);
  return written;
}

}  // namespace axial::reports
