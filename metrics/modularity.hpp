#pragma once
// Modularity score.
// Ridgeway & Mozer, "Learning Deep Disentangled Embeddings with the F-Statistic Loss", NeurIPS 2018,
// arXiv 1802.05312; as disentanglement_lib's `modularity_explicitness.modularity`:
//   per latent l: s = m[l,:]² (K values), δ_l = (Σs − max s) / (max s · (K − 1)), score_l = 1 − δ_l,
//   score_l = 0 where max s = 0;  modularity = mean over all L latents.
// Degenerate case (defined here; disentanglement_lib gives NaN): K = 1 → score_l = 1 where max s > 0.
// `modularity_varying` (axial, for local clusters) uses only the columns of factors with H_k > 0.
#include <string>
#include <vector>

#include "metrics/discretize.hpp"
#include "src/core/types.hpp"

namespace axial {

struct ModularityResult {
  double modularity = 0.0;          // NaN when !defined
  bool defined = true;
  std::string undefined_reason;
  std::vector<double> per_latent;   // L
};

// From an MI matrix m (L×K), K ≥ 1 (K = 0 → undefined result). All columns count.
ModularityResult modularity_from_mutual_info(const Eigen::MatrixXd& mutual_info);

// Only the columns k with entropy(k) > 0 count (K = number of varying factors); none varying → undefined.
ModularityResult modularity_varying_from_mutual_info(const Eigen::MatrixXd& mutual_info,
                                                     const Eigen::VectorXd& entropy);

// Full pipeline on codes L×N and factors K×N.
ModularityResult compute_modularity(const CodeMatrix& codes, const FactorMatrix& factors,
                                    const DiscretizeOptions& options = {});

}  // namespace axial
