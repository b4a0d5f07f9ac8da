#pragma once
// Fixture writers for report tests: results.json (the `axial eval` schema, issue 5) and training config.json
// (the `axial train` schema, issue 4) with chosen metric values.
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace axial::test {

inline nlohmann::json train_config(double beta, double gamma, int seed, const std::string& device = "cpu") {
  return {{"axial_version", "0.1.0"},
          {"git_commit", "abc"},
          {"kind", "train"},
          {"options",
           {{"beta", beta},
            {"gamma", gamma},
            {"penalty", "fd"},
            {"latent_dim", 10},
            {"batch_size", 64},
            {"lr", 1e-4},
            {"steps", 1000},
            {"anneal_steps", 500},
            {"train_cache", 5000},
            {"seed", seed},
            {"data_seed", seed + 100},
            {"dataset", "three-dots"},
            {"device", device},
            {"log_every", 10},
            {"checkpoint_every", 100}}},
          {"device", device},
          {"libtorch_version", "1.13.1"}};
}

// local: {locality, local_mig, local_modularity}
inline nlohmann::json results(double mig, double modularity, const std::vector<std::vector<double>>& local,
                              const nlohmann::json& config) {
  nlohmann::json loc = nlohmann::json::array();
  for (const auto& l : local)
    loc.push_back({{"locality", l[0]},
                   {"local_mig", l[1]},
                   {"local_mig_per_cluster", {l[1], l[1]}},
                   {"local_modularity", l[2]},
                   {"local_modularity_per_cluster", {l[2]}}});
  return {{"axial_version", "0.1.0"},
          {"git_commit", "abc"},
          {"kind", "eval"},
          {"model", {{"path", "model"}, {"sha256", "0123456789abcdef0123"}, {"type", "axial-vae"}}},
          {"dataset", "three-dots"},
          {"protocol", "paper"},
          {"seed", 0},
          {"settings", {{"num_train", 100}, {"bins", 20}}},
          {"train_config", config},
          {"metrics",
           {{"mig", mig}, {"mig_per_factor", {mig, mig}}, {"mig_skipped_factors", 0}, {"modularity", modularity}}},
          {"local", loc},
          {"elapsed_s", {{"total", 1.0}}}};
}

inline void write_json(const std::filesystem::path& p, const nlohmann::json& j) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << j.dump(2);
}

}  // namespace axial::test
