#pragma once
// The one table of global metrics (conventions §5): `axial score --metrics` and `--help` read it.
// Each entry computes into a ScoreSheet from shared inputs; the MI matrix is computed once and shared by
// mig and modularity.
#include <cstdint>
#include <string>
#include <vector>

#include "metrics/discretize.hpp"
#include "metrics/score_sheet.hpp"
#include "src/core/types.hpp"

namespace axial {

struct ScoreInputs {
  const CodeMatrix* codes = nullptr;      // L×N (all samples)
  const FactorMatrix* factors = nullptr;  // K×N
  DiscretizeOptions discretize;           // bins (default 20), method, precision
  Eigen::Index num_train = 0;             // explicitness/SAP: the first num_train samples train, the rest test
  int num_threads = 1;
  std::uint32_t tie_seed = 0;             // DCI: seed of the emulated numpy global RNG behind sklearn's tie-breaks
};

// What a metric is computed on. kOneSample: all samples given (MIG, modularity: the paper's MIG sample is its
// modularity/explicitness training sample, so eval passes the train rows); kTrainTest: the first num_train samples
// train, the rest test.
enum class MetricSample { kOneSample, kTrainTest };

// Shared intermediate results of one compute_metrics call (the MI matrix is computed once for mig and modularity).
struct MetricContext {
  const ScoreInputs& inputs;
  Eigen::MatrixXd mutual_info;    // L×K, filled before any metric with uses_mutual_info runs
  Eigen::VectorXd factor_entropy;  // K
};

struct MetricInfo {
  const char* name;         // e.g. "mig"
  const char* description;  // one line
  const char* range;        // e.g. "[0, 1]"
  bool higher_is_better;
  MetricSample sample;
  int min_latents;          // 2 for MIG and SAP (a gap / a difference between two latents), else 1
  bool uses_mutual_info;    // needs MetricContext::mutual_info (computed once, added to the sheet at the end)
  void (*compute)(MetricContext& context, ScoreSheet& sheet);  // adds this metric's keys
};

// The table, in output order: mig, modularity, explicitness, sap.
const std::vector<MetricInfo>& metric_table();
// The row of `name`; throws axial::Error listing the valid names.
const MetricInfo& metric_info(const std::string& name);
// Whether any of `names` uses the train/test split; the largest min_latents among them (1 if none).
bool needs_train_test_split(const std::vector<std::string>& names);
int min_latents(const std::vector<std::string>& names);

// Parses a comma-separated list ("mig,sap"); unknown or repeated names → axial::Error listing the valid names.
// Returns names in table order.
std::vector<std::string> parse_metric_list(const std::string& list);

// "  mig           Mutual Information Gap ... [0, 1], higher is better" lines for --help.
std::string metric_help();

// Computes the requested metrics (names from parse_metric_list) into a sheet, keys in this order:
//   mig, mig_per_factor, mig_skipped_factors, mig_winning_latent, modularity, modularity_per_latent,
//   explicitness_train, explicitness_test, explicitness_per_factor_train, explicitness_per_factor_test,
//   explicitness_skipped_factors, sap, sap_per_factor, sap_score_matrix, mutual_info (L×K), factor_entropy (K)
// (only the keys of the requested metrics; mutual_info/factor_entropy when mig or modularity is requested).
// Throws axial::Error for bad inputs (N < 2, L < 2 with mig/sap, empty split, non-finite codes).
ScoreSheet compute_metrics(const std::vector<std::string>& names, const ScoreInputs& inputs);

}  // namespace axial
