#pragma once
// `axial score` on codes and factors already in memory: the one path from (codes, factors) and/or clusters to the
// score sheet, shared by the CLI (src/cli/cmd_score.cpp reads the files, then calls this) and the Python module
// (python/axial_module.cpp passes numpy arrays). The sheet's keys, in order: the metrics (metrics/registry.hpp), the
// local metrics (metrics/local.hpp add_to_sheet), the provenance (num_bins, n, l, k, num_train, num_test,
// discretizer, codes_dtype, input + its details, input_sha256, clusters …), axial_version, axial_git_commit,
// threads, elapsed_seconds. Its JSON is metrics/score_sheet.hpp to_json (the one field rule).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "datasets/codes_file.hpp"
#include "metrics/score_sheet.hpp"

namespace axial::pipelines {

struct ScoreCodesOptions {
  std::string metrics = "mig,modularity,explicitness,sap";  // comma-separated registry names
  int bins = 20;
  int local_bins = 5;
  std::optional<double> train_fraction;     // explicitness/sap: the first ceil(F·N) rows train (default 0.8)
  std::optional<std::int64_t> num_train;    // … or the first N rows (exclusive with train_fraction)
  std::string discretizer = "histogram";
  int threads = 0;                          // 0 = every hardware thread
};

// Where an input came from, for the error messages ("'<name>': …") and the provenance keys: `name` is the value of
// "input" (codes) or "clusters"; `details` are text entries written right after it (layout, rows, codes_key, …, clusters_group);
// `sha256` is the value of input_sha256 / clusters_sha256.
struct ScoreSource {
  std::string name;
  std::vector<std::pair<std::string, std::string>> details;
  std::string sha256;
};

// Checks the options alone (the CLI's messages, naming --bins, --train-fraction, …): axial::Error.
void check_score_options(const ScoreCodesOptions& options);

// Scores `codes` (if not null) with the registry metrics and `clusters` (if not null) with the local metrics; at
// least one must be given. Throws axial::Error naming the source for bad inputs (too few samples or latents, an
// empty train/test split, non-finite codes, clusters of different shapes). `started` is when the caller started
// (elapsed_seconds).
ScoreSheet score_codes(const ScoreCodesOptions& options, const CodesData* codes, const ScoreSource& codes_source,
                       const ClusterSet* clusters, const ScoreSource& clusters_source,
                       std::chrono::steady_clock::time_point started);

}  // namespace axial::pipelines
