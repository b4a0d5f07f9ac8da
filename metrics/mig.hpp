#pragma once
// Mutual Information Gap (MIG).
// Chen, Li, Grosse, Duvenaud, "Isolating Sources of Disentanglement in Variational Autoencoders", NeurIPS 2018,
// arXiv 1802.04942; as disentanglement_lib's `mig._compute_mig` (discrete variant):
//   m = discrete_mutual_info(histogram_discretize(z), y)  (L×K, nats),  H_k = discrete_entropy(y_k)
//   MIG = mean over factors k with H_k > 0 of (m1_k − m2_k) / H_k,  m1_k ≥ m2_k the two largest m[·,k].
// Degenerate cases (defined here; disentanglement_lib divides by zero instead):
//  - a factor with H_k = 0 (constant) is skipped: per-factor value NaN, counted in `skipped_factors`;
//  - every factor skipped → `defined = false`, mig = NaN, `undefined_reason` says why;
//  - L < 2 → axial::Error (the gap needs two latents).
#include <string>
#include <vector>

#include "metrics/discretize.hpp"
#include "src/core/types.hpp"

namespace axial {

struct MigResult {
  double mig = 0.0;                 // NaN when !defined
  bool defined = true;
  std::string undefined_reason;     // empty when defined
  std::vector<double> per_factor;   // K; NaN for skipped factors
  int skipped_factors = 0;          // factors with zero entropy
  std::vector<int> winning_latent;  // K; argmax_l m[l,k] (lowest index on ties); −1 for skipped factors
};

// From a precomputed MI matrix m (L×K) and factor entropies H (K). Throws axial::Error if L < 2.
MigResult mig_from_mutual_info(const Eigen::MatrixXd& mutual_info, const Eigen::VectorXd& entropy);

// Full pipeline on codes L×N and factors K×N (discretise with `options`, default 20 histogram bins).
MigResult compute_mig(const CodeMatrix& codes, const FactorMatrix& factors, const DiscretizeOptions& options = {});

}  // namespace axial
