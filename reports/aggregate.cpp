#include "reports/aggregate.hpp"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "src/core/error.hpp"
#include "reports/eval_results.hpp"
#include "reports/json_io.hpp"

namespace axial::reports {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Options that change how a run executes but not what it computes, for config.json files that do not list their
// "run_options" (written before the option table recorded them).
const std::set<std::string> kRunOnlyOptions = {"device", "log_every", "checkpoint_every", "out", "quiet",
                                               "threads", "resume", "progress", "output", "model_dir"};

// The eval settings (results.json "settings") that change results; the others (batch_size, device, threads) do not.
constexpr const char* kResultEvalSettings[] = {"num_train", "num_test", "bins",   "local_bins", "clusters",
                                               "cluster_size", "localities", "cutoff", "deny",   "metrics",
                                               "anchors"};
// …and those that do not, with the run-only training options: runs pooled despite differing in them are named.
constexpr const char* kRunOnlyEvalSettings[] = {"batch_size", "device", "threads"};

bool is_seed_key(const std::string& k) {
  return k == "seed" || (k.size() > 5 && k.compare(k.size() - 5, 5, "_seed") == 0);
}

bool is_number(const json& v) { return v.is_number() && !v.is_boolean(); }

std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return format_locality(v.get<double>());  // 0.0 → "0", 0.1 → "0.1"
  return v.dump();
}

}  // namespace

std::string test_family(const std::string& metric, double locality) {
  if (!std::isnan(locality)) return metric + " (all localities)";
  return classify_metric(metric).kind == MetricKind::kDetail ? "axis-alignment details" : "global scores";
}

std::string format_locality(double locality) {
  if (std::isnan(locality)) return "";
  // Shortest representation that round-trips (0.1 → "0.1").
  for (int prec = 1; prec <= 17; ++prec) {
    std::string s = fmt::format("{:.{}g}", locality, prec);
    if (std::stod(s) == locality) return s;
  }
  return fmt::format("{}", locality);
}

std::vector<fs::path> find_results_files(const std::vector<fs::path>& inputs) {
  if (inputs.empty()) throw Error("no run directories given");
  std::set<fs::path> found;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_regular_file(in, ec)) {
      found.insert(fs::weakly_canonical(in));
      continue;
    }
    if (!fs::is_directory(in, ec)) throw Error(fmt::format("run directory '{}' does not exist", in.string()));
    std::size_t before = found.size();
    for (auto it = fs::recursive_directory_iterator(in, fs::directory_options::skip_permission_denied);
         it != fs::recursive_directory_iterator(); ++it) {
      if (it->is_regular_file() && it->path().filename() == "results.json")
        found.insert(fs::weakly_canonical(it->path()));
    }
    if (found.size() == before) throw Error(fmt::format("no results.json found under '{}'", in.string()));
  }
  return {found.begin(), found.end()};
}

namespace {

// `axial score --format json` output: scores at the top level with provenance (input, input_sha256, n, l, k, …).
bool is_score_output(const json& j) {
  return j.is_object() && !j.contains("metrics") && !j.contains("local") && j.contains("axial_git_commit") &&
         (j.contains("input_sha256") || j.contains("clusters_sha256"));
}

// Read as a run: its scores become "metrics" (local scores keep their names; their clusters have no locality),
// the codes file is the model (identified by its sha256), and the original keys stay for --group-by.
json score_output_as_results(const json& j) {
  static const std::set<std::string> provenance = {
      "n", "l", "k", "num_bins", "num_train", "num_test", "threads", "elapsed_seconds", "local_num_bins",
      "local_num_clusters"};
  json r = j;
  r["kind"] = "score";
  r["metrics"] = json::object();
  for (auto& [k, v] : j.items())
    if (is_number(v) && !provenance.count(k)) r["metrics"][k] = v;
    else if (v.is_null() && !provenance.count(k)) r["metrics"][k] = v;
  r["local"] = json::array();
  const std::string input = j.value("input", j.value("clusters", std::string()));
  r["model"] = {{"path", input},
                {"sha256", j.value("input_sha256", std::string())},
                {"type", "codes-file"}};
  json settings = json::object();
  for (const char* k : {"num_bins", "num_train", "num_test", "local_num_bins", "discretizer", "layout", "rows"})
    if (j.contains(k)) settings[k] = j[k];
  r["settings"] = settings;
  return r;
}

}  // namespace

Run load_run(const fs::path& results_path) {
  Run run;
  run.results_path = results_path;
  run.results = read_json_file(results_path);
  if (is_score_output(run.results)) run.results = score_output_as_results(run.results);
  // The schema's one reader validates the file and gives the typed fields; the raw object stays for lookups.
  const EvalResults typed = EvalResults::from_json(run.results, results_path.string());
  const json& tc = run.results.value("train_config", json());
  if (tc.is_object()) {
    run.train_config = tc;
  } else if (!typed.model.path.empty()) {
    fs::path model = typed.model.path;
    if (model.is_relative()) model = results_path.parent_path() / model;
    for (const fs::path& candidate : {model / "config.json", model.parent_path() / "config.json",
                                      model.parent_path().parent_path() / "config.json"}) {
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) {
        json c = read_json_file(candidate);
        if (c.is_object() && c.value("kind", "") == "train") {
          run.train_config = c;
          break;
        }
      }
    }
  }
  // `axial eval --eval-seeds K` writes eval_repeats.json beside results.json; it must belong to these results.
  const fs::path repeats = results_path.parent_path() / "eval_repeats.json";
  std::error_code rec;
  if (results_path.filename() == "results.json" && fs::is_regular_file(repeats, rec)) {
    json r = read_json_file(repeats);
    const json& model = run.results.value("model", json::object());
    if (!r.is_object() || r.value("kind", "") != "eval_repeats" || !r.value("runs", json()).is_array() ||
        !r.value("seeds", json()).is_array() || r["seeds"].empty())
      run.eval_repeats_problem = fmt::format("'{}' is not an eval_repeats file (left out)", repeats.string());
    else if (model.is_object() && model.value("sha256", json()).is_string() &&
             r.value("model_sha256", json()).is_string() && model["sha256"] != r["model_sha256"])
      run.eval_repeats_problem =
          fmt::format("'{}' is of another model than its results.json (left out)", repeats.string());
    else if (run.results.value("seed", json()).is_number() && r["seeds"][0] != run.results["seed"])
      run.eval_repeats_problem =
          fmt::format("'{}' starts at seed {}, its results.json has seed {} (left out)", repeats.string(),
                      r["seeds"][0].dump(), run.results["seed"].dump());
    else
      run.eval_repeats = r;
  }
  if (run.train_config.is_object() && run.train_config.contains("options") &&
      run.train_config["options"].contains("seed"))
    run.seed = run.train_config["options"]["seed"];
  else if (run.results.contains("seed"))
    run.seed = run.results["seed"];
  return run;
}

json default_group_key(const Run& run) {
  json key = json::object();
  if (run.train_config.is_object() && run.train_config.value("options", json()).is_object()) {
    // config.json names its run-only options (from the CLI's option table); older files use the fixed list.
    std::set<std::string> run_only = kRunOnlyOptions;
    const json& listed = run.train_config.value("run_options", json());
    if (listed.is_array()) {
      run_only.clear();
      for (const auto& k : listed)
        if (k.is_string()) run_only.insert(k.get<std::string>());
    }
    for (auto& [k, v] : run.train_config["options"].items())
      if (!is_seed_key(k) && !run_only.count(k)) key[k] = v;
  } else {
    const json& model = run.results.value("model", json());
    key["model_type"] = model.is_object() ? model.value("type", json()) : json();
  }
  // An external model is identified by its file's bytes (two different encoders are never pooled).
  const json& model = run.results.value("model", json());
  if (!run.train_config.is_object() && model.is_object() && model.value("sha256", json()).is_string() &&
      !model["sha256"].get<std::string>().empty())
    key["model_sha256"] = model["sha256"];
  // What was evaluated, and how, matters as much as what was trained: the data set, the protocol and every eval
  // setting that changes results (sizes, bins, localities, cutoff, deny list, metrics).
  if (run.results.contains("dataset")) key["eval_dataset"] = run.results["dataset"];
  if (run.results.contains("protocol")) key["eval_protocol"] = run.results["protocol"];
  const json& settings = run.results.value("settings", json());
  if (settings.is_object())
    for (const char* k : kResultEvalSettings)
      if (settings.contains(k)) key[std::string("eval_") + k] = settings[k];
  return key;
}

json lookup_key(const Run& run, const std::string& key) {
  auto dotted = [](const json& root, const std::string& path) -> json {
    const json* cur = &root;
    std::size_t start = 0;
    while (true) {
      std::size_t dot = path.find('.', start);
      std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!cur->is_object() || !cur->contains(part)) return json();
      cur = &(*cur)[part];
      if (dot == std::string::npos) return *cur;
      start = dot + 1;
    }
  };
  if (run.train_config.is_object()) {
    json v = dotted(run.train_config.value("options", json::object()), key);
    if (!v.is_null()) return v;
  }
  json v = dotted(run.results, key);
  if (!v.is_null()) return v;
  v = dotted(run.results.value("settings", json::object()), key);
  if (!v.is_null()) return v;
  if (run.train_config.is_object()) return dotted(run.train_config, key);
  return json();
}

namespace {

void extract_observations(Collection& c, std::size_t r) {
  const Run& run = c.runs[r];
  const json& metrics = run.results.value("metrics", json::object());
  if (metrics.is_object()) {
    for (auto& [k, v] : metrics.items()) {
      if (k.find("skipped") != std::string::npos) continue;  // counts of skipped factors, not scores
      if (is_number(v)) {
        double x = v.get<double>();
        if (std::isfinite(x)) c.observations.push_back({r, k, kGlobal, x});
      } else if (v.is_null()) {
        c.warnings.push_back(fmt::format("run '{}': metric '{}' is null (left out)", run.id, k));
      }
    }
  }
  json local = run.results.value("local", json::array());
  std::vector<std::pair<double, json>> entries;
  if (local.is_array()) {
    for (const auto& e : local) {
      if (!e.is_object() || !is_number(e.value("locality", json()))) {
        c.warnings.push_back(fmt::format("run '{}': a \"local\" entry has no numeric locality (left out)", run.id));
        continue;
      }
      entries.emplace_back(e["locality"].get<double>(), e);
    }
  } else if (local.is_object()) {
    for (auto& [k, e] : local.items()) {
      try {
        entries.emplace_back(std::stod(k), e);
      } catch (const std::exception&) {
        c.warnings.push_back(fmt::format("run '{}': local key '{}' is not a locality (left out)", run.id, k));
      }
    }
  }
  for (auto& [rho, e] : entries) {
    if (!e.is_object()) continue;
    for (auto& [k, v] : e.items()) {
      if (k == "locality") continue;
      if (is_number(v)) {
        double x = v.get<double>();
        if (std::isfinite(x)) c.observations.push_back({r, k, rho, x});
      } else if (v.is_null()) {
        c.warnings.push_back(
            fmt::format("run '{}': local metric '{}' at locality {} is null (left out)", run.id, k, rho));
      }
    }
  }
}

std::string make_run_ids(std::vector<Run>& runs) {
  // Ids are the run directories relative to their common ancestor.
  if (runs.empty()) return "";
  fs::path common = runs[0].results_path.parent_path();
  for (const auto& r : runs) {
    fs::path p = r.results_path.parent_path();
    fs::path shared;
    auto a = common.begin(), b = p.begin();
    for (; a != common.end() && b != p.end() && *a == *b; ++a, ++b) shared /= *a;
    common = shared;
  }
  for (auto& r : runs) {
    fs::path rel = r.results_path.parent_path().lexically_relative(common);
    // "<run>/eval" (the sweep layout) reads better as "<run>".
    if (rel.filename() == "eval" && rel.has_parent_path() && rel.parent_path() != ".") rel = rel.parent_path();
    std::string id = rel.string();
    if (id.empty() || id == ".") id = r.results_path.parent_path().filename().string();
    // Other file names than results.json (e.g. `axial score` outputs side by side) are runs of their own.
    if (r.results_path.filename() != "results.json")
      id = (rel.empty() || rel == "." ? fs::path() : rel) / r.results_path.stem();
    r.id = id;
  }
  return common.string();
}

}  // namespace

namespace {

// The values of (metric, locality) over a run's eval seeds (numbers only).
std::vector<double> repeat_values_of(const Run& run, const std::string& metric, double locality) {
  std::vector<double> out;
  for (const auto& entry : run.eval_repeats["runs"]) {
    if (!entry.is_object()) continue;
    json v;  // a copy: value() returns temporaries
    if (std::isnan(locality)) {
      const json m = entry.value("metrics", json::object());
      if (m.is_object() && m.contains(metric)) v = m[metric];
    } else {
      const json local = entry.value("local", json::array());
      if (local.is_array())
        for (const auto& e : local)
          if (e.is_object() && e.value("locality", json()).is_number() &&
              std::fabs(e["locality"].get<double>() - locality) < 1e-9 && e.contains(metric))
            v = e[metric];
    }
    if (is_number(v) && std::isfinite(v.get<double>())) out.push_back(v.get<double>());
  }
  return out;
}

}  // namespace

void compute_eval_spreads(Collection& c) {
  c.eval_spreads.clear();
  bool any = false;
  for (auto& run : c.runs) {
    any = any || run.eval_repeats.is_object();
    if (!run.eval_repeats_problem.empty()) c.warnings.push_back("run '" + run.id + "': " + run.eval_repeats_problem);
  }
  if (!any) return;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const auto& m : c.summaries) {
    if (m.cls.kind == MetricKind::kCount) continue;
    EvalSpread e;
    e.metric = m.metric;
    e.locality = m.locality;
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
      const Summary& s = m.per_group[g];
      e.runs.push_back(s.n);
      e.between_seed_std.push_back(s.n >= 2 ? s.std_pop : nan);
      double sum_var = 0;
      std::size_t with = 0, fewest = 0;
      for (std::size_t r : c.groups[g].runs) {
        if (!c.runs[r].eval_repeats.is_object()) continue;
        const auto v = repeat_values_of(c.runs[r], m.metric, m.locality);
        if (v.size() < 2) continue;
        const Summary rs = summarize(v);
        sum_var += rs.std_pop * rs.std_pop;
        fewest = with == 0 ? v.size() : std::min(fewest, v.size());
        ++with;
      }
      e.runs_with_repeats.push_back(with);
      e.eval_seeds.push_back(fewest);
      e.within_model_std.push_back(with > 0 ? std::sqrt(sum_var / double(with)) : nan);
    }
    c.eval_spreads.push_back(std::move(e));
  }
}

Collection aggregate(std::vector<Run> runs, const std::vector<std::string>& group_by) {
  if (runs.empty()) throw Error("no runs to report");
  Collection c;
  c.runs = std::move(runs);
  // Group keys.
  for (auto& run : c.runs) {
    if (group_by.empty()) {
      run.group_key = default_group_key(run);
    } else {
      run.group_key = json::object();
      for (const auto& k : group_by) run.group_key[k] = lookup_key(run, k);
    }
  }
  std::vector<json> keys;
  for (const auto& run : c.runs)
    if (std::find(keys.begin(), keys.end(), run.group_key) == keys.end()) keys.push_back(run.group_key);
  std::sort(keys.begin(), keys.end());
  for (const auto& k : group_by) {
    bool any = false;
    for (const auto& run : c.runs) any = any || !run.group_key[k].is_null();
    if (!any) throw Error(fmt::format("--group-by key '{}' is not found in any run", k));
  }
  // Labels: the keys whose values differ between groups.
  std::set<std::string> all_keys;
  for (const auto& k : keys)
    for (auto& [name, v] : k.items()) all_keys.insert(name);
  std::vector<std::string> varying;
  for (const auto& name : all_keys) {
    std::set<std::string> values;
    for (const auto& k : keys) values.insert(k.contains(name) ? k[name].dump() : "null");
    if (values.size() > 1) varying.push_back(name);
  }
  if (keys.size() == 1 && !group_by.empty()) varying = group_by;
  for (const auto& k : keys) {
    Group g;
    g.key = k;
    std::vector<std::string> parts;
    for (const auto& name : varying)
      parts.push_back(fmt::format("{}={}", name, k.contains(name) ? value_text(k[name]) : "null"));
    g.label = parts.empty() ? "all" : fmt::format("{}", fmt::join(parts, ", "));
    c.groups.push_back(g);
  }
  for (std::size_t r = 0; r < c.runs.size(); ++r) {
    auto& run = c.runs[r];
    run.group = std::size_t(std::find(keys.begin(), keys.end(), run.group_key) - keys.begin());
    c.groups[run.group].runs.push_back(r);
    extract_observations(c, r);
  }
  // Runs pooled in one group although they differ in something the key ignores (run-only options, eval run
  // settings): said, so that nobody mistakes them for identical runs.
  if (group_by.empty())
    for (const auto& g : c.groups) {
      std::map<std::string, std::set<std::string>> seen;
      for (std::size_t r : g.runs) {
        const Run& run = c.runs[r];
        if (run.train_config.is_object() && run.train_config.value("options", json()).is_object())
          for (auto& [k, v] : run.train_config["options"].items())
            if (!is_seed_key(k) && !run.group_key.contains(k)) seen["train " + k].insert(value_text(v));
        const json& settings = run.results.value("settings", json());
        if (settings.is_object())
          for (const char* k : kRunOnlyEvalSettings)
            if (settings.contains(k)) seen[std::string("eval ") + k].insert(value_text(settings[k]));
      }
      for (const auto& [name, values] : seen)
        if (values.size() > 1)
          c.pooled.push_back(fmt::format("group '{}' pools runs that differ in {} ({}), which does not change "
                                         "results and is left out of the group key",
                                         g.label, name, fmt::join(values, ", ")));
    }
  for (const auto& w : c.pooled) c.warnings.push_back(w);
  // Summary rows: globals in order of first appearance, then each local metric by ascending locality.
  std::vector<std::string> global_order, local_order;
  std::map<std::string, std::set<double>> localities;
  for (const auto& o : c.observations) {
    if (std::isnan(o.locality)) {
      if (std::find(global_order.begin(), global_order.end(), o.metric) == global_order.end())
        global_order.push_back(o.metric);
    } else {
      if (std::find(local_order.begin(), local_order.end(), o.metric) == local_order.end())
        local_order.push_back(o.metric);
      localities[o.metric].insert(o.locality);
    }
  }
  auto add_row = [&](const std::string& metric, double rho) {
    MetricSummary m;
    m.metric = metric;
    m.locality = rho;
    m.cls = classify_metric(metric);
    m.values.resize(c.groups.size());
    for (const auto& o : c.observations)
      if (o.metric == metric && (std::isnan(rho) ? std::isnan(o.locality) : o.locality == rho))
        m.values[c.runs[o.run].group].push_back(o.value);
    for (const auto& v : m.values) {
      m.per_group.push_back(v.empty() ? Summary{} : summarize(v));
      const Summary& s = m.per_group.back();
      const double nan = std::numeric_limits<double>::quiet_NaN();
      m.ci95.push_back(s.n < 2 ? Interval{nan, nan, false}
                       : m.cls.range ? clip_interval(s.ci95_low, s.ci95_high, m.cls.range->first, m.cls.range->second)
                                     : Interval{s.ci95_low, s.ci95_high, false});
    }
    c.summaries.push_back(std::move(m));
  };
  for (const auto& name : global_order) add_row(name, kGlobal);
  for (const auto& name : local_order)
    for (double rho : localities[name]) add_row(name, rho);
  // Table order: headline metrics first, then scores, details, counts (stable: first appearance within each).
  std::stable_sort(c.summaries.begin(), c.summaries.end(), [](const MetricSummary& a, const MetricSummary& b) {
    if (a.cls.headline_rank != b.cls.headline_rank) return a.cls.headline_rank < b.cls.headline_rank;
    return int(a.cls.kind) < int(b.cls.kind);
  });
  // Every pair of groups, scores and details only; tests only with kMinRunsForTests runs in both groups.
  for (const auto& m : c.summaries) {
    if (m.cls.kind == MetricKind::kCount) continue;
    for (std::size_t a = 0; a < c.groups.size(); ++a)
      for (std::size_t b = a + 1; b < c.groups.size(); ++b) {
        if (m.values[a].empty() || m.values[b].empty()) continue;
        Comparison k;
        k.metric = m.metric, k.locality = m.locality, k.group_a = a, k.group_b = b;
        k.family = test_family(m.metric, m.locality);
        const std::size_t na = m.values[a].size(), nb = m.values[b].size();
        if (na < kMinRunsForTests || nb < kMinRunsForTests) {
          const double nan = std::numeric_limits<double>::quiet_NaN();
          k.note = fmt::format("no test: fewer than {} runs in a group (n = {} and {}), values only",
                               kMinRunsForTests, na, nb);
          k.welch = {nan, nan, nan, "welch", k.note};
          k.student = {nan, nan, nan, "student", k.note};
          k.mann_whitney = {nan, nan, nan, "", k.note};
        } else {
          k.welch = welch_t_test(m.values[a], m.values[b]);
          k.student = student_t_test(m.values[a], m.values[b]);
          k.mann_whitney = mann_whitney_u(m.values[a], m.values[b]);
        }
        c.comparisons.push_back(std::move(k));
      }
  }
  compute_eval_spreads(c);
  // Holm within each family, each test separately.
  std::set<std::string> families;
  for (const auto& k : c.comparisons) families.insert(k.family);
  for (const auto& f : families) {
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < c.comparisons.size(); ++i)
      if (c.comparisons[i].family == f) idx.push_back(i);
    auto adjust = [&](auto get_p, auto set_p) {
      std::vector<double> p;
      for (auto i : idx) p.push_back(get_p(c.comparisons[i]));
      const auto adj = holm_adjust(p);
      for (std::size_t j = 0; j < idx.size(); ++j) set_p(c.comparisons[idx[j]], adj[j]);
    };
    adjust([](const Comparison& k) { return k.welch.p_value; }, [](Comparison& k, double v) { k.welch_p_holm = v; });
    adjust([](const Comparison& k) { return k.student.p_value; },
           [](Comparison& k, double v) { k.student_p_holm = v; });
    adjust([](const Comparison& k) { return k.mann_whitney.p_value; },
           [](Comparison& k, double v) { k.mann_whitney_p_holm = v; });
  }
  return c;
}

Collection collect(const std::vector<fs::path>& results_files, const std::vector<std::string>& group_by,
                   const std::string& group_pattern) {
  std::vector<Run> runs;
  for (const auto& p : results_files) runs.push_back(load_run(p));
  make_run_ids(runs);
  if (group_pattern.empty()) return aggregate(std::move(runs), group_by);
  // --group-pattern REGEX: the group is the first capture group (else the whole match) in the file's path.
  std::regex re;
  try {
    re = std::regex(group_pattern);
  } catch (const std::regex_error& e) {
    throw Error(fmt::format("--group-pattern '{}': not a regular expression ({})", group_pattern, e.what()));
  }
  for (auto& run : runs) {
    std::smatch m;
    const std::string path = run.results_path.string();
    if (!std::regex_search(path, m, re))
      throw Error(fmt::format("--group-pattern '{}': does not match '{}'", group_pattern, path));
    run.results["group"] = m.size() > 1 ? m[1].str() : m[0].str();
  }
  return aggregate(std::move(runs), {"group"});
}

}  // namespace axial::reports
