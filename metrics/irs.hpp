#pragma once
// Interventional Robustness Score (IRS).
// Suter, Miladinović, Schölkopf, Bauer, "Robustly Disentangled Causal Mechanisms: Validating Deep Representations
// for Interventional Robustness", ICML 2019, arXiv 1811.00007; as disentanglement_lib's `irs.compute_irs` with its
// sample config (config/sample/irs: 20-bin histogram discretisation of the factors, diff_quantile 0.99):
//   g_k = numpy.digitize(y_k, numpy.histogram(y_k, 20)[1][:-1])            (factors, not codes, are binned)
//   drop exactly constant codes; none left → IRS = 0;
//   max_dev_l = max_n |z_nl − mean_n z_nl|
//   for each factor k and bin value v (S = {n : g_kn = v}): e = mean_{n∈S} z_n,
//     q_l(v) = percentile_{n∈S}(|z_nl − e_l|, 99)  (numpy's linear interpolation)
//   IRS_matrix[l,k] = 1 − mean_v q_l(v) / max_dev_l;   score_l = max_k IRS_matrix[l,k]
//   IRS = Σ_l max_dev_l·score_l / Σ_l max_dev_l
// float32 codes are processed with numpy's float32 arithmetic (means: pairwise sum over all points, sequential
// within a group; |z − e| in float32; the percentile interpolated in float64), float64 codes in float64.
// Where axial differs: the original's `num_active_dims` is np.sum(active codes) — the sum of their values, not a
// count; axial reports the count of non-constant codes (`irs_active_dims`).
#include <string>
#include <vector>

#include "metrics/discretize.hpp"
#include "src/core/types.hpp"

namespace axial {

struct IrsResult {
  double irs = 0.0;
  std::vector<double> per_latent;     // L: score_l (NaN for a constant code, dropped)
  std::vector<double> max_deviation;  // L (0 for a constant code)
  Eigen::MatrixXd matrix;             // L×K IRS_matrix (NaN rows for constant codes)
  int active_dims = 0;
};

struct IrsOptions {
  int num_bins = 20;             // factor histogram bins
  double diff_quantile = 0.99;   // the paper's version is 1.0
  Precision precision = Precision::Float64;
};

// codes L×N, factors K×N (N ≥ 1).
IrsResult compute_irs(const CodeMatrix& codes, const FactorMatrix& factors, const IrsOptions& options = {});

}  // namespace axial
