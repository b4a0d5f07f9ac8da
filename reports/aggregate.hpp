#pragma once
// Aggregation of many eval runs (results.json, plus the training config.json) into groups, per-group summaries and
// between-group tests. No plotting or file writing here (see reports/report_writer.hpp).
//
// A run's metrics are read tolerantly from results.json:
//  - "metrics": every numeric scalar becomes a global metric (locality = NaN); arrays/objects are skipped; null
//    values are counted as missing (with the run and key named in `Collection::warnings`).
//  - "local": an array of objects with a numeric "locality" (or an object keyed by the locality); every other numeric
//    scalar in an entry becomes a local metric at that locality.
// Grouping (default): the training options (train_config.options) minus the seeds (`seed`, any `*_seed`) and the
// run-only options (device, log_every, checkpoint_every, out, quiet, threads, resume, progress), plus the
// evaluated data set and protocol. Runs without a training config group by model type, data set and protocol.
// `group_by` replaces this with the named keys, looked up in train_config.options, then results.json's top level,
// then results.json's "settings"; dotted paths ("settings.num_train") address nested keys.
#include <cstddef>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/metric_kinds.hpp"
#include "reports/statistics.hpp"

namespace axial::reports {

inline constexpr double kGlobal = std::numeric_limits<double>::quiet_NaN();

struct Run {
  std::string id;                      // unique, readable (path relative to the common input root)
  std::filesystem::path results_path;  // the results.json read
  nlohmann::json results;              // the whole results.json
  nlohmann::json train_config;         // the training config.json, or null
  nlohmann::json group_key;            // object: the key/value pairs that define its group
  std::size_t group = 0;               // index into Collection::groups
  nlohmann::json seed;                 // the training seed (or eval seed without a training config), or null
  // eval_repeats.json beside results.json (`axial eval --eval-seeds K`), or null; when present but not matching
  // this results.json (another model or first seed), null with the reason in eval_repeats_problem.
  nlohmann::json eval_repeats;
  std::string eval_repeats_problem;
};

struct Observation {
  std::size_t run;      // index into Collection::runs
  std::string metric;   // e.g. "mig", "local_mig"
  double locality;      // NaN for global metrics
  double value;
};

struct Group {
  std::string label;          // "gamma=0.1" — the keys that differ between groups ("all" when there is one group)
  nlohmann::json key;         // full key object
  std::vector<std::size_t> runs;
};

// One (metric, locality) row: summaries per group (index-aligned with Collection::groups; n = 0 if absent).
struct MetricSummary {
  std::string metric;
  double locality;
  MetricClass cls;                 // score / detail / count, range, headline rank
  std::vector<Summary> per_group;
  std::vector<Interval> ci95;      // per group: the t-interval, clipped to cls.range when bounded (NaN for n < 2)
  std::vector<std::vector<double>> values;  // per group, run order
};

// Tests of one (metric, locality) between two groups: only for scores and details, and only when both groups have
// at least kMinRunsForTests runs with a value (else every statistic is NaN and `note` says why). Each p-value also
// has its Holm-adjusted value within its family: all localities × group pairs of one local metric
// ("local_mig (all localities)"), all global scores × pairs ("global scores"), all axis-alignment details × pairs
// ("axis-alignment details"); Welch, Student and Mann–Whitney are corrected separately.
struct Comparison {
  std::string metric;
  double locality;
  std::size_t group_a, group_b;
  TestResult welch, student, mann_whitney;
  std::string family;
  double welch_p_holm = std::numeric_limits<double>::quiet_NaN();
  double student_p_holm = std::numeric_limits<double>::quiet_NaN();
  double mann_whitney_p_holm = std::numeric_limits<double>::quiet_NaN();
  std::string note;  // e.g. why no test was run
};

// The family a (metric, locality) row's tests are corrected in (see Comparison).
std::string test_family(const std::string& metric, double locality);

// Training noise vs evaluation noise of one (metric, locality), per group (index-aligned with Collection::groups):
//  - between_seed_std: population std over the group's runs of their values (training seeds; it contains the
//    evaluation noise too), NaN for fewer than 2 runs
//  - within_model_std: root mean square over the group's runs with eval repeats of the population std of each run's
//    values over its eval seeds (the evaluation's sampling alone), NaN when no run has repeats
struct EvalSpread {
  std::string metric;
  double locality;
  std::vector<double> between_seed_std, within_model_std;
  std::vector<std::size_t> runs, runs_with_repeats, eval_seeds;  // eval_seeds: the fewest seeds of any run
};

struct Collection {
  std::vector<Run> runs;
  std::vector<Group> groups;
  std::vector<Observation> observations;
  // Rows in table order: local_mig (by locality), local_modularity, mig, modularity, then the other scores (globals,
  // then locals by locality, in order of first appearance), axis-alignment details, counts/diagnostics.
  std::vector<MetricSummary> summaries;
  std::vector<Comparison> comparisons;   // every pair of groups × every score/detail row with ≥ 1 value in both
  std::vector<EvalSpread> eval_spreads;  // score/detail rows, table order; empty when no run has eval repeats
  std::vector<std::string> warnings;     // missing/null values, skipped keys — printed and written to the report
  std::vector<std::string> pooled;       // groups pooling runs that differ in ignored settings (also in warnings;
                                         // report.md shows them at the top)
};

// Finds results.json files: each input is a results.json file or a directory searched recursively. Sorted,
// deduplicated. Throws axial::Error naming an input that does not exist, or when nothing is found.
std::vector<std::filesystem::path> find_results_files(const std::vector<std::filesystem::path>& inputs);

// Reads one run: results.json and its training config (results["train_config"] when it is an object, else
// config.json next to the model path in results["model"]["path"], else none).
Run load_run(const std::filesystem::path& results_path);

// The default group key of a run (see header comment).
nlohmann::json default_group_key(const Run& run);
// Looks up `key` for `run` (train options, then results top level, then settings; dotted paths allowed); null if absent.
nlohmann::json lookup_key(const Run& run, const std::string& key);

// Loads, groups, extracts observations, summarises and compares. `group_by` empty = default grouping.
// `group_pattern` (a regular expression, "" = none) groups by the first capture group in each file's path instead.
// Inputs may also be `axial score --format json` outputs: their scores become the run's global metrics and the codes
// file (by sha256) its model.
Collection collect(const std::vector<std::filesystem::path>& results_files, const std::vector<std::string>& group_by,
                   const std::string& group_pattern = "");

// Builds groups/observations/summaries/comparisons from already loaded runs (used by collect and by tests).
Collection aggregate(std::vector<Run> runs, const std::vector<std::string>& group_by);

// Fills collection.eval_spreads from the runs' eval repeats (called by aggregate; exposed for tests).
void compute_eval_spreads(Collection& collection);

// Renders a locality for CSV/Markdown ("" for global metrics, else the shortest exact decimal, e.g. "0.1").
std::string format_locality(double locality);

}  // namespace axial::reports
