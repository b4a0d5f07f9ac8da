#pragma once
// Jacobian axis alignment (local, linearised) — new in axial; see docs/metrics.md "Axis alignment".
//
// Context: Rhodes & Lee, "Local Disentanglement in Variational Auto-Encoders Using Jacobian L1 Regularization",
// NeurIPS 2021, arXiv 2106.02923 — local disentanglement means that, near every point, each latent moves with
// one factor. This score measures that directly on the linearised map between factors and latents.
//
// Input per anchor: a latent×factor sensitivity matrix M (L×K): the encoder Jacobian B = ∂μ/∂y (axial eval,
// central differences of one factor level), or the transposed least-squares coefficients Aᵀ of the decoder
// variant (G·A = J, see decoder_factor_coefficients). With E = M∘M (elementwise square):
//   factor purity  f = mean over factors k with Σ_l E_lk > 0 of  max_l E_lk / Σ_l E_lk
//   latent purity  p = Σ_l w_l · max_k E_lk / Σ_k E_lk,   w_l = Σ_k E_lk / Σ_lk E_lk
//                  (a dead latent, Σ_k E_lk = 0, has weight 0 and does not count)
//   axis alignment a = 2·f·p / (f + p)   (harmonic mean)
// Values lie in [1/L, 1] (f) and [1/K, 1] (p); 1 = every factor moves exactly one latent and every live latent
// follows exactly one factor. An identity map scores 1, two factors mixed by a 45° rotation score 0.5.
// Degenerate cases (documented, tested): a factor no latent responds to (Σ_l E_lk = 0, e.g. an occluded dot)
// is left out of f and counted; an anchor with E = 0 everywhere is undefined, left out of the means and counted.
#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace axial {

// Scores of one anchor.
struct AxisAlignmentAnchor {
  bool defined = false;        // false when E = 0 everywhere (nothing moves)
  double factor_purity = 0.0;  // f
  double latent_purity = 0.0;  // p
  double axis_alignment = 0.0; // harmonic mean of f and p
  int unresponsive_factors = 0;  // factors with Σ_l E_lk = 0, left out of f
};

// Scores one L×K sensitivity matrix (rows latents, columns factors). Throws axial::Error for an empty or
// non-finite matrix.
AxisAlignmentAnchor axis_alignment_anchor(const Eigen::MatrixXd& sensitivity);

// Aggregate over anchors: means of the per-anchor scores over defined anchors and their spread.
struct AxisAlignmentSummary {
  double axis_alignment = 0.0;  // mean over defined anchors of the per-anchor harmonic mean
  double factor_purity = 0.0;   // mean over defined anchors
  double latent_purity = 0.0;   // mean over defined anchors
  double axis_alignment_std = 0.0;  // population std of the per-anchor axis alignment
  double axis_alignment_p10 = 0.0;  // 10th, 50th and 90th percentiles (linear interpolation, numpy's default)
  double axis_alignment_median = 0.0;
  double axis_alignment_p90 = 0.0;
  std::int64_t num_anchors = 0;           // anchors given
  std::int64_t num_undefined_anchors = 0; // anchors with E = 0 everywhere (left out)
  std::int64_t unresponsive_factor_count = 0;  // Σ over defined anchors of unresponsive factors
  std::vector<double> per_anchor;  // per-anchor axis alignment (NaN where undefined), in anchor order
};

// Scores every anchor and summarises. Throws axial::Error if there are no anchors, the matrices differ in
// shape, or no anchor is defined (the message says why: the representation does not respond to any factor).
AxisAlignmentSummary axis_alignment(const std::vector<Eigen::MatrixXd>& sensitivities);

// Decoder variant: least-squares coefficients A (K×L) of G·A = J, where G (P×K) holds the generator's
// factor-space differences (one column per factor, pixels flattened) and J (P×L) the decoder Jacobian columns.
// Minimum-norm solution via a complete orthogonal decomposition, so a zero column of G (a factor that changes
// no pixel here) gives a zero row of A instead of garbage. Returns A; its transpose (L×K) is the sensitivity
// matrix passed to axis_alignment_anchor. Throws axial::Error if the pixel counts differ.
Eigen::MatrixXd decoder_factor_coefficients(const Eigen::MatrixXd& generator_differences,
                                            const Eigen::MatrixXd& decoder_jacobian);

// Central difference of one level at `level` of a factor with `size` values, one-sided at the borders:
// returns the step pair (lo, hi) with lo = max(0, level-1), hi = min(size-1, level+1); the derivative is
// (f(hi) − f(lo)) / (hi − lo). Throws axial::Error for size < 2 or level out of range.
struct DifferenceStencil {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  double inverse_step() const { return 1.0 / static_cast<double>(hi - lo); }
};
DifferenceStencil difference_stencil(std::int64_t level, std::int64_t size);

// The encoder Jacobians B = ∂μ/∂y of A anchors from the codes of their stencil neighbours. `neighbour_codes` is
// L×(A·F·2): per anchor a and ordered factor j, column (a·F + j)·2 is the lo neighbour and the next the hi one;
// `inverse_step` has A·F entries (1 / (hi − lo)). Returns A matrices L×F: column j = (μ(hi) − μ(lo))·inverse_step.
// Throws axial::Error when the sizes disagree.
std::vector<Eigen::MatrixXd> encoder_sensitivities(const Eigen::MatrixXd& neighbour_codes,
                                                   const std::vector<double>& inverse_step, std::int64_t anchors,
                                                   std::int64_t factors);

// One column of the generator differences G of the decoder variant: (hi − lo)·inverse_step for two rendered
// images of `hw` pixels × `channels` in (H, W, C) order, written in (C, H, W) order, the order of the decoder's
// output (P = channels·hw entries).
void generator_difference(const float* lo, const float* hi, std::int64_t hw, int channels, double inverse_step,
                          Eigen::Ref<Eigen::VectorXd> column);

}  // namespace axial
