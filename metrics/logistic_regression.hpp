#pragma once
// L2-regularised logistic regression as sklearn's default `LogisticRegression()` (sklearn ≥ 0.22: solver lbfgs,
// C = 1, intercept fitted and not penalised; multinomial (softmax over one weight vector per class) for more than
// two classes, binary logistic for two):
//   multinomial: min Σ_i [log Σ_k exp(s_ik) − s_{i,y_i}] + ‖W‖² / (2C),  s_ik = w_k·x_i + b_k
//   binary:      min Σ_i log(1 + exp(−t_i (w·x_i + b))) + ‖w‖² / (2C),   t_i = +1 for the larger class, −1 else
// Solved here by damped Newton steps with a backtracking line search to a gradient far below sklearn's tolerance
// (the problem is convex and tiny), so the fitted model is the optimum lbfgs converges to; where sklearn stops at
// max_iter unconverged the two can differ. Prediction: argmax_k s_ik (first on ties); binary: the larger class iff
// w·x + b > 0. Used by the BetaVAE score (metrics/beta_vae_score.hpp).
#include <cstdint>
#include <vector>

#include "src/core/types.hpp"

namespace axial {

class LogisticRegression {
 public:
  // x: L×N features (one column per sample), labels: N integers with at least 2 distinct values (else
  // axial::Error). Returns the number of Newton iterations.
  int fit(const Eigen::MatrixXd& x, const std::vector<std::int64_t>& labels, double C = 1.0);
  std::vector<std::int64_t> predict(const Eigen::MatrixXd& x) const;
  const Eigen::MatrixXd& weights() const { return w_; }       // classes (1 for binary) × L
  const Eigen::VectorXd& intercepts() const { return b_; }    // classes (1 for binary)
  const std::vector<std::int64_t>& classes() const { return classes_; }
  // Gradient norm (max |g|) of the objective at the fitted parameters.
  double gradient_max() const { return gradient_max_; }

 private:
  std::vector<std::int64_t> classes_;
  Eigen::MatrixXd w_;
  Eigen::VectorXd b_;
  double gradient_max_ = 0.0;
};

}  // namespace axial
