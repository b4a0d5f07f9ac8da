#include "reports/paper_reference.hpp"

#include <fmt/core.h>

#include <cmath>

#include "src/core/error.hpp"

namespace axial::reports {

std::optional<ReferenceValue> PaperReference::value(std::size_t column, const std::string& metric,
                                                    double locality) const {
  if (column >= columns.size()) return std::nullopt;
  const auto& c = columns[column];
  const std::vector<ReferenceValue>* v = metric == "local_mig"          ? &c.local_mig
                                         : metric == "local_modularity" ? &c.local_modularity
                                                                        : nullptr;
  if (v == nullptr) return std::nullopt;
  for (std::size_t i = 0; i < localities.size(); ++i)
    if (std::fabs(localities[i] - locality) < 1e-9) return (*v)[i];
  return std::nullopt;
}

std::optional<std::size_t> PaperReference::column_for(const nlohmann::json& key) const {
  if (!key.is_object()) return std::nullopt;
  auto number = [&](const char* k) -> std::optional<double> {
    if (key.contains(k) && key[k].is_number()) return key[k].get<double>();
    return std::nullopt;
  };
  auto gamma = number("gamma");
  if (!gamma) return std::nullopt;
  if (auto beta = number("beta"); beta && std::fabs(*beta - 4.0) > 1e-9) return std::nullopt;
  for (const char* k : {"dataset", "eval_dataset"})
    if (key.contains(k) && key[k].is_string() && key[k].get<std::string>() != name) return std::nullopt;
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (std::fabs(columns[i].gamma - *gamma) < 1e-9) return i;
  return std::nullopt;
}

const PaperReference& paper_reference(const std::string& name) {
  static const PaperReference three_dots = {
      "three-dots",
      "Rhodes & Lee, NeurIPS 2021 (arXiv 2106.02923): three-dots, beta = 4, 10 seeds each, mean ± population std, "
      "digitised from the authors' published figure notebooks (github.com/travers-rhodes/jlonevae)",
      {0.1, 0.2, 0.3, 0.6, 1.0},
      {{"β-VAE (paper)",
        0.0,
        {{0.054, 0.007}, {0.035, 0.007}, {0.023, 0.003}, {0.011, 0.003}, {0.005, 0.003}},
        {{0.888, 0.008}, {0.865, 0.011}, {0.828, 0.012}, {0.714, 0.018}, {0.438, 0.037}}},
       {"JL1-VAE γ=0.1 (paper)",
        0.1,
        {{0.125, 0.011}, {0.072, 0.003}, {0.049, 0.006}, {0.020, 0.005}, {0.006, 0.004}},
        {{0.941, 0.004}, {0.914, 0.003}, {0.895, 0.009}, {0.796, 0.018}, {0.454, 0.036}}}}};
  if (name == three_dots.name) return three_dots;
  throw Error(fmt::format("unknown reference '{}' (valid: three-dots)", name));
}

}  // namespace axial::reports
