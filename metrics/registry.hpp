#pragma once
// The one table of global metrics (conventions §5): `axial score --metrics` and `--help` read it.
// Each entry computes into a ScoreSheet from shared inputs; the MI matrix is computed once and shared by
// mig and modularity.
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
};

struct MetricInfo {
  const char* name;         // e.g. "mig"
  const char* description;  // one line
  const char* range;        // e.g. "[0, 1]"
  bool higher_is_better;
  bool needs_split;         // uses the train/test split
};

// The table, in output order: mig, modularity, explicitness, sap.
const std::vector<MetricInfo>& metric_table();

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
