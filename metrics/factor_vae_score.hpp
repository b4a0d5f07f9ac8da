#pragma once
// FactorVAE score and BetaVAE score, scored from what their samplers drew (the sampling lives in `axial eval`,
// src/pipelines/eval_protocol.cpp, because these metrics choose their own observations).
//
// FactorVAE score: Kim & Mnih, "Disentangling by Factorising", ICML 2018, arXiv 1802.05983; as
// disentanglement_lib's `factor_vae.compute_factor_vae` (metric config: 10,000 variance points, 10,000 train and
// 5,000 eval votes of batches of 64, prune threshold 0.05):
//   v = Var_{ddof=1}(codes of the variance points);  active_l = sqrt(v_l) ≥ 0.05 (none → every value 0, no votes)
//   one vote: a batch with factor k fixed → j = argmin over active l of Var_{ddof=1}(batch codes)_l / v_l (first on
//   ties, j indexes the active subset) → votes[k, j] += 1
//   classifier_j = argmax_k train_votes[k, j] (lowest k on ties);  accuracy = Σ_j votes[classifier_j, j] / Σ votes
// Variances, ratios and the prune test run in the codes' type (float32 for float32 encoders), as numpy does.
// Where axial differs: the original's `num_active_dims` is len(boolean mask) = L whenever any dim is active; axial
// reports the number of active dims.
//
// BetaVAE score: Higgins et al., "β-VAE: Learning Basic Visual Concepts with a Constrained Variational Framework",
// ICLR 2017; as disentanglement_lib's `beta_vae.compute_beta_vae_sklearn` (10,000 train + 5,000 eval points, pair
// batches of 64): feature = mean over the batch of |z(x1) − z(x2)| where the pair shares factor k (label k),
// computed in the codes' type; sklearn's default LogisticRegression (metrics/logistic_regression.hpp) on the train
// features; accuracy on train and eval.
#include <cstdint>
#include <string>
#include <vector>

#include "metrics/discretize.hpp"
#include "src/core/types.hpp"

namespace axial {

struct FactorVaeResult {
  double train_accuracy = 0.0, eval_accuracy = 0.0;
  int active_dims = 0;
  std::vector<int> active;  // L flags
};

// variance_codes L×Nv; train_codes / eval_codes L×(V·B), vote v's batch = columns [v·B, (v+1)·B); *_factor: the
// fixed factor of each vote (0..K−1).
FactorVaeResult factor_vae_score(const CodeMatrix& variance_codes, const CodeMatrix& train_codes,
                                 const std::vector<std::int64_t>& train_factor, const CodeMatrix& eval_codes,
                                 const std::vector<std::int64_t>& eval_factor, std::int64_t batch_size,
                                 int num_factors, Precision precision, double threshold = 0.05);

// One BetaVAE feature: mean over the B columns of |z1 − z2| (L×B each), in the codes' type.
Eigen::VectorXd beta_vae_feature(const CodeMatrix& z1, const CodeMatrix& z2, Precision precision);

struct BetaVaeResult {
  double train_accuracy = 0.0, eval_accuracy = 0.0;
  int iterations = 0;
};
// features L×N, labels N (the fixed factor of each point); at least 2 distinct train labels (else axial::Error).
BetaVaeResult beta_vae_score(const Eigen::MatrixXd& train_features, const std::vector<std::int64_t>& train_labels,
                             const Eigen::MatrixXd& eval_features, const std::vector<std::int64_t>& eval_labels);

}  // namespace axial
