#include "metrics/axis_alignment.hpp"

#include <fmt/core.h>

#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <limits>

#include "src/core/error.hpp"

namespace axial {

namespace {

// numpy.percentile's default ("linear"): position q·(n−1) in the sorted values, interpolated.
double percentile(std::vector<double> sorted_values, double q) {
  std::sort(sorted_values.begin(), sorted_values.end());
  const double pos = q * static_cast<double>(sorted_values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(pos));
  const auto above = std::min(below + 1, sorted_values.size() - 1);
  const double frac = pos - static_cast<double>(below);
  return sorted_values[below] + frac * (sorted_values[above] - sorted_values[below]);
}

}  // namespace

AxisAlignmentAnchor axis_alignment_anchor(const Eigen::MatrixXd& sensitivity) {
  if (sensitivity.rows() == 0 || sensitivity.cols() == 0)
    throw Error(fmt::format("axis alignment: empty sensitivity matrix ({} latents × {} factors)", sensitivity.rows(),
                            sensitivity.cols()));
  if (!sensitivity.allFinite()) throw Error("axis alignment: sensitivity matrix has non-finite entries");

  const Eigen::MatrixXd energy = sensitivity.array().square().matrix();  // E, L×K
  const double total = energy.sum();
  AxisAlignmentAnchor out;
  if (!(total > 0.0)) return out;  // nothing moves: undefined

  // Factor purity over responsive factors.
  double factor_sum = 0.0;
  int responsive = 0;
  for (Eigen::Index k = 0; k < energy.cols(); ++k) {
    const double column_sum = energy.col(k).sum();
    if (column_sum > 0.0) {
      factor_sum += energy.col(k).maxCoeff() / column_sum;
      ++responsive;
    } else {
      ++out.unresponsive_factors;
    }
  }
  // total > 0 guarantees at least one responsive factor.
  out.factor_purity = factor_sum / responsive;

  // Latent purity, each latent weighted by its share of ΣE: Σ_l (row_sum/total)·(row_max/row_sum) = Σ_l row_max/total.
  double latent = 0.0;
  for (Eigen::Index l = 0; l < energy.rows(); ++l) {
    const double row_sum = energy.row(l).sum();
    if (row_sum > 0.0) latent += (row_sum / total) * (energy.row(l).maxCoeff() / row_sum);
  }
  out.latent_purity = latent;
  out.axis_alignment = 2.0 * out.factor_purity * out.latent_purity / (out.factor_purity + out.latent_purity);
  out.defined = true;
  return out;
}

AxisAlignmentSummary axis_alignment(const std::vector<Eigen::MatrixXd>& sensitivities) {
  if (sensitivities.empty()) throw Error("axis alignment: no anchors");
  const auto rows = sensitivities.front().rows(), cols = sensitivities.front().cols();
  AxisAlignmentSummary out;
  out.num_anchors = static_cast<std::int64_t>(sensitivities.size());
  out.per_anchor.reserve(sensitivities.size());
  std::vector<double> defined_scores;
  double sum_f = 0.0, sum_p = 0.0, sum_a = 0.0;
  for (std::size_t a = 0; a < sensitivities.size(); ++a) {
    const auto& m = sensitivities[a];
    if (m.rows() != rows || m.cols() != cols)
      throw Error(fmt::format("axis alignment: anchor {} has a {}×{} matrix, anchor 0 has {}×{}", a, m.rows(),
                              m.cols(), rows, cols));
    const auto s = axis_alignment_anchor(m);
    if (!s.defined) {
      ++out.num_undefined_anchors;
      out.per_anchor.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    sum_f += s.factor_purity;
    sum_p += s.latent_purity;
    sum_a += s.axis_alignment;
    out.unresponsive_factor_count += s.unresponsive_factors;
    out.per_anchor.push_back(s.axis_alignment);
    defined_scores.push_back(s.axis_alignment);
  }
  if (defined_scores.empty())
    throw Error(fmt::format(
        "axis alignment undefined: the representation does not respond to any factor at any of the {} anchors",
        out.num_anchors));
  const double n = static_cast<double>(defined_scores.size());
  out.factor_purity = sum_f / n;
  out.latent_purity = sum_p / n;
  out.axis_alignment = sum_a / n;
  double var = 0.0;
  for (double v : defined_scores) var += (v - out.axis_alignment) * (v - out.axis_alignment);
  out.axis_alignment_std = std::sqrt(var / n);
  out.axis_alignment_p10 = percentile(defined_scores, 0.1);
  out.axis_alignment_median = percentile(defined_scores, 0.5);
  out.axis_alignment_p90 = percentile(defined_scores, 0.9);
  return out;
}

Eigen::MatrixXd decoder_factor_coefficients(const Eigen::MatrixXd& generator_differences,
                                            const Eigen::MatrixXd& decoder_jacobian) {
  if (generator_differences.rows() != decoder_jacobian.rows())
    throw Error(fmt::format("decoder axis alignment: generator differences have {} pixels, decoder Jacobian {}",
                            generator_differences.rows(), decoder_jacobian.rows()));
  if (!generator_differences.allFinite() || !decoder_jacobian.allFinite())
    throw Error("decoder axis alignment: non-finite generator differences or decoder Jacobian");
  Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(generator_differences);
  return cod.solve(decoder_jacobian);  // K×L, minimum-norm least squares
}

DifferenceStencil difference_stencil(std::int64_t level, std::int64_t size) {
  if (size < 2) throw Error(fmt::format("difference stencil: a factor with {} value(s) has no difference", size));
  if (level < 0 || level >= size)
    throw Error(fmt::format("difference stencil: level {} outside 0..{}", level, size - 1));
  return {std::max<std::int64_t>(0, level - 1), std::min<std::int64_t>(size - 1, level + 1)};
}

std::vector<Eigen::MatrixXd> encoder_sensitivities(const Eigen::MatrixXd& neighbour_codes,
                                                   const std::vector<double>& inverse_step, std::int64_t anchors,
                                                   std::int64_t factors) {
  const std::int64_t A = anchors, F = factors;
  if (A < 0 || F < 0 || neighbour_codes.cols() != A * F * 2 || static_cast<std::int64_t>(inverse_step.size()) != A * F)
    throw Error(fmt::format("encoder_sensitivities: {} neighbour codes and {} steps for {} anchors × {} factors",
                            neighbour_codes.cols(), inverse_step.size(), A, F));
  const Eigen::Index L = neighbour_codes.rows();
  std::vector<Eigen::MatrixXd> sens(static_cast<std::size_t>(A), Eigen::MatrixXd(L, F));
  for (std::int64_t a = 0; a < A; ++a)
    for (std::int64_t j = 0; j < F; ++j) {
      const std::int64_t col = (a * F + j) * 2;
      sens[static_cast<std::size_t>(a)].col(j) = (neighbour_codes.col(col + 1) - neighbour_codes.col(col)) *
                                                 inverse_step[static_cast<std::size_t>(a * F + j)];
    }
  return sens;
}

void generator_difference(const float* lo, const float* hi, std::int64_t hw, int channels, double inverse_step,
                          Eigen::Ref<Eigen::VectorXd> column) {
  for (std::int64_t p = 0; p < hw; ++p)
    for (int c = 0; c < channels; ++c)
      column(c * hw + p) = (double(hi[p * channels + c]) - double(lo[p * channels + c])) * inverse_step;
}

}  // namespace axial
