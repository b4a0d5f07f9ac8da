#include "metrics/unsupervised.hpp"

#include <fmt/core.h>

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <cmath>
#include <limits>

#include "metrics/mutual_info.hpp"
#include "src/core/error.hpp"

namespace axial {

UnsupervisedResult compute_unsupervised(const CodeMatrix& codes, const DiscretizeOptions& discretize_options,
                                        int num_threads) {
  const Eigen::Index L = codes.rows(), N = codes.cols();
  if (L < 2) throw Error(fmt::format("unsupervised scores need at least 2 latents, got {}", L));
  if (N < 2) throw Error(fmt::format("unsupervised scores need at least 2 samples, got {}", N));
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  UnsupervisedResult r;
  const Eigen::VectorXd mean = codes.rowwise().mean();
  const Eigen::MatrixXd centred = codes.colwise() - mean;
  r.covariance = centred * centred.transpose() / static_cast<double>(N - 1);
  const Eigen::MatrixXd& S = r.covariance;
  const Eigen::VectorXd d = S.diagonal();

  // Total correlation.
  bool constant = false;
  double log_diag = 0.0;
  for (Eigen::Index l = 0; l < L; ++l) {
    if (d(l) <= 0.0) constant = true;
    log_diag += std::log(d(l));
  }
  if (constant) {
    r.gaussian_total_correlation = kNaN;
    r.total_correlation_undefined_reason = "a code is constant (zero variance: log 0 − log 0)";
  } else {
    const Eigen::PartialPivLU<Eigen::MatrixXd> lu(S);
    const Eigen::MatrixXd& U = lu.matrixLU();
    double log_abs_det = 0.0;
    bool singular = false;
    for (Eigen::Index l = 0; l < L; ++l) {
      if (U(l, l) == 0.0) singular = true;
      log_abs_det += std::log(std::fabs(U(l, l)));
    }
    const double tc = 0.5 * (log_diag - log_abs_det);
    if (singular || !std::isfinite(tc)) {
      r.gaussian_total_correlation = kNaN;
      r.total_correlation_undefined_reason = "the covariance is singular (duplicated or collinear codes)";
    } else {
      r.gaussian_total_correlation = tc;
    }
  }

  // Wasserstein correlation: tr sqrtm(DΣ) from the eigenvalues of D^½ Σ D^½.
  const Eigen::VectorXd sd = d.cwiseMax(0.0).cwiseSqrt();
  const Eigen::MatrixXd M = sd.asDiagonal() * S * sd.asDiagonal();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(M, Eigen::EigenvaluesOnly);
  double tr_sqrt = 0.0;
  for (Eigen::Index i = 0; i < L; ++i) tr_sqrt += std::sqrt(std::max(eig.eigenvalues()(i), 0.0));
  const double trace = d.sum();
  r.gaussian_wasserstein_correlation = 2.0 * trace - 2.0 * tr_sqrt;
  if (trace > 0.0) {
    r.gaussian_wasserstein_correlation_norm = r.gaussian_wasserstein_correlation / trace;
  } else {
    r.gaussian_wasserstein_correlation_norm = kNaN;
    r.wasserstein_norm_undefined_reason = "every code is constant (trace of the covariance is 0)";
  }

  // Mean pairwise discrete MI between codes.
  const LabelMatrix labels = discretize(codes, discretize_options, num_threads);
  const FactorMatrix as_factors = labels.cast<std::int64_t>();
  r.mutual_info = mutual_info_matrix(labels, as_factors, num_threads);
  r.mutual_info.diagonal().setZero();
  r.mutual_info_score = r.mutual_info.sum() / static_cast<double>(L * L - L);
  return r;
}

}  // namespace axial
