#include "reports/paper_reference.hpp"

#include <fmt/core.h>

#include <cmath>
#include <map>

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

std::vector<std::string> reference_setting_differences(const PaperReference& ref,
                                                       const std::vector<nlohmann::json>& train_options,
                                                       const std::vector<nlohmann::json>& eval_settings) {
  std::vector<std::string> out;
  auto check = [&](const std::vector<std::pair<std::string, double>>& wanted, const std::vector<nlohmann::json>& have,
                   const char* where) {
    for (const auto& [key, paper] : wanted) {
      std::map<std::string, int> counts;  // value as text → runs
      for (const auto& h : have) {
        const nlohmann::json v = h.is_object() && h.contains(key) ? h[key] : nlohmann::json();
        if (v.is_number() && std::fabs(v.get<double>() - paper) < 1e-9) continue;
        counts[v.is_null() ? std::string("unknown") : v.dump()] += 1;
      }
      for (const auto& [value, n] : counts)
        out.push_back(fmt::format("{} {} = {} (paper: {:g}) in {} run{}", where, key, value, paper, n,
                                  n == 1 ? "" : "s"));
    }
  };
  check(ref.train_settings, train_options, "training");
  check(ref.eval_settings, eval_settings, "eval");
  return out;
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
        {{0.941, 0.004}, {0.914, 0.003}, {0.895, 0.009}, {0.796, 0.018}, {0.454, 0.036}}}},
      // Rhodes & Lee §5 / appendix: 300,000 steps at batch 64, Adam lr 1e-4; local metrics on 20 clusters of 10,000 images,
      // global metrics on 10,000 train + 5,000 test images (the `paper` eval protocol).
      {{"steps", 300000}, {"batch_size", 64}, {"lr", 1e-4}},
      {{"num_train", 10000}, {"num_test", 5000}, {"clusters", 20}, {"cluster_size", 10000}}};
  if (name == three_dots.name) return three_dots;
  throw Error(fmt::format("unknown reference '{}' (valid: three-dots)", name));
}

}  // namespace axial::reports
