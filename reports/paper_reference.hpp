#pragma once
// The paper's published three-dots values (Rhodes & Lee, NeurIPS 2021, arXiv 2106.02923), used as reference columns
// by `axial reproduce three-dots` and `axial report --reference three-dots`.
// Three-dots, β = 4, 10 seeds each, mean ± population std, digitised from the authors' published figure notebooks
// (github.com/travers-rhodes/jlonevae); β-VAE (γ = 0) vs JL1-VAE (γ = 0.1).
#include <optional>
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

  // The published value for `metric` ("local_mig" / "local_modularity") at `locality` in column `column`.
  std::optional<ReferenceValue> value(std::size_t column, const std::string& metric, double locality) const;
  // The column matching a group key: gamma equal (±1e-9) and, where present, beta = 4 and a three-dots data set.
  std::optional<std::size_t> column_for(const nlohmann::json& group_key) const;
};

// The reference table named `name` ("three-dots"); throws axial::Error listing the valid names otherwise.
const PaperReference& paper_reference(const std::string& name);

}  // namespace axial::reports
