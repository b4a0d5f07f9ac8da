#pragma once
// Unsupervised scores of a representation, as disentanglement_lib's `unsupervised_metrics.unsupervised_metrics`
// (Locatello et al., "Challenging Common Assumptions in the Unsupervised Learning of Disentangled
// Representations", ICML 2019, arXiv 1811.12359):
//   Σ = numpy.cov(codes) (L×L, ddof 1, float64);  D = diag(Σ)
//   gaussian_total_correlation            = ½ (Σ_l log Σ_ll − log|det Σ|)     (KL(N(0,Σ) ‖ N(0,D)); slogdet's sign
//                                                                              ignored, as the original)
//   gaussian_wasserstein_correlation      = 2 tr Σ − 2 tr sqrtm(D·Σ)          (squared W2 between N(0,Σ), N(0,D))
//   gaussian_wasserstein_correlation_norm = that / tr Σ
//   mutual_info_score = Σ_{i≠j} I(disc(z_i); disc(z_j)) / (L² − L)            (20-bin histogram per code, nats)
// tr sqrtm(D·Σ) = Σ_i √λ_i over the eigenvalues of the symmetric D^½ Σ D^½; where the original's Schur-method
// sqrtm goes complex (eigenvalues below zero by rounding) axial reports the real part, i.e. √max(λ, 0).
// Undefined (null with the reason) where the original gets NaN or ±inf: a constant code (log 0 in the total
// correlation), a singular Σ (duplicated codes: log|det| = −inf), tr Σ = 0. L < 2 is an error (the original
// fails on the 0-d covariance).
#include <string>

#include "metrics/discretize.hpp"
#include "src/core/types.hpp"

namespace axial {

struct UnsupervisedResult {
  double gaussian_total_correlation = 0.0;
  double gaussian_wasserstein_correlation = 0.0;
  double gaussian_wasserstein_correlation_norm = 0.0;
  double mutual_info_score = 0.0;
  std::string total_correlation_undefined_reason, wasserstein_undefined_reason, wasserstein_norm_undefined_reason;
  Eigen::MatrixXd covariance;   // L×L
  Eigen::MatrixXd mutual_info;  // L×L, zero diagonal
};

// codes L×N (N ≥ 2, L ≥ 2); `discretize` gives the bins (20) and the codes' precision.
UnsupervisedResult compute_unsupervised(const CodeMatrix& codes, const DiscretizeOptions& discretize,
                                        int num_threads = 1);

}  // namespace axial
