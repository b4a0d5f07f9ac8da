#pragma once
// The paper's published three-dots values (Rhodes & Lee, NeurIPS 2021, arXiv 2106.02923), used as reference columns
// by `axial reproduce three-dots` and `axial report --reference three-dots`.
// Three-dots, β = 4, 10 seeds each, mean ± population std, digitised from the authors' published figure notebooks
// (github.com/travers-rhodes/jlonevae); β-VAE (γ = 0) vs JL1-VAE (γ = 0.1).
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace axial::reports {

struct ReferenceValue {
  double mean, std;
};

struct ReferenceColumn {
  std::string label;   // "β-VAE (paper)"
  double gamma;        // the group it matches
  std::vector<ReferenceValue> local_mig, local_modularity;  // aligned with PaperReference::localities
};

struct PaperReference {
  std::string name;    // "three-dots"
  std::string source;  // one line, printed under the tables
  std::vector<double> localities;
  std::vector<ReferenceColumn> columns;
  // The paper's settings that change the numbers, compared with each run's: training options (steps, batch_size)
  // and eval sizes (results.json settings: num_train, num_test, clusters, cluster_size).
  std::vector<std::pair<std::string, double>> train_settings, eval_settings;

  // The published value for `metric` ("local_mig" / "local_modularity") at `locality` in column `column`.
  std::optional<ReferenceValue> value(std::size_t column, const std::string& metric, double locality) const;
  // The column matching a group key: gamma equal (±1e-9) and, where present, beta = 4 and a three-dots data set.
  std::optional<std::size_t> column_for(const nlohmann::json& group_key) const;
};

// Where runs differ from the paper's settings: one line per setting and value, e.g. "steps = 300 (paper: 300000)
// in 2 runs"; empty when every run matches (a missing setting counts as differing: it is unknown).
std::vector<std::string> reference_setting_differences(const PaperReference& ref,
                                                       const std::vector<nlohmann::json>& train_options,
                                                       const std::vector<nlohmann::json>& eval_settings);

// The reference table named `name` ("three-dots"); throws axial::Error listing the valid names otherwise.
const PaperReference& paper_reference(const std::string& name);

}  // namespace axial::reports
