// β-VAE (disentanglement_lib @vae): regularizer = β·kl.
#include "models/regularizers.hpp"

#include <fmt/core.h>
#include <fmt/format.h>

#include "src/core/error.hpp"

namespace axial::models {

const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names = {"jl1",       "jl2",        "beta_vae",    "annealed_vae",
                                                 "dip_vae_i", "dip_vae_ii", "beta_tc_vae", "factor_vae"};
  return names;
}

Method parse_method(const std::string& s) {
  const auto& n = method_names();
  for (std::size_t i = 0; i < n.size(); ++i)
    if (n[i] == s) return static_cast<Method>(i);
  throw Error(fmt::format("--method '{}': unknown method (valid: {})", s, fmt::join(n, ", ")));
}

const char* to_string(Method m) { return method_names()[static_cast<std::size_t>(m)].c_str(); }

torch::Tensor beta_vae_regularizer(const torch::Tensor& kl, double beta) { return beta * kl; }

}  // namespace axial::models
