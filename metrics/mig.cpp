#include "metrics/mig.hpp"

#include <fmt/core.h>

#include <cmath>
#include <limits>

#include "src/core/error.hpp"
#include "metrics/mutual_info.hpp"

namespace axial {

MigResult mig_from_mutual_info(const Eigen::MatrixXd& mutual_info, const Eigen::VectorXd& entropy) {
  const Eigen::Index L = mutual_info.rows(), K = mutual_info.cols();
  if (L < 2) throw Error(fmt::format("MIG needs at least 2 latents, got {}", L));
  if (entropy.size() != K)
    throw Error(fmt::format("MIG: {} factor entropies for {} factors", entropy.size(), K));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  MigResult r;
  r.per_factor.assign(static_cast<std::size_t>(K), nan);
  r.winning_latent.assign(static_cast<std::size_t>(K), -1);
  std::vector<double> gaps;
  for (Eigen::Index k = 0; k < K; ++k) {
    if (!(entropy(k) > 0.0)) {
      ++r.skipped_factors;
      continue;
    }
    Eigen::Index best = 0;
    for (Eigen::Index l = 1; l < L; ++l)
      if (mutual_info(l, k) > mutual_info(best, k)) best = l;
    double second = -std::numeric_limits<double>::infinity();
    for (Eigen::Index l = 0; l < L; ++l)
      if (l != best) second = std::max(second, mutual_info(l, k));
    const double gap = (mutual_info(best, k) - second) / entropy(k);
    r.per_factor[static_cast<std::size_t>(k)] = gap;
    r.winning_latent[static_cast<std::size_t>(k)] = static_cast<int>(best);
    gaps.push_back(gap);
  }
  if (gaps.empty()) {
    r.defined = false;
    r.mig = nan;
    r.undefined_reason = K == 0 ? "no factors"
                                : fmt::format("all {} factors are constant (zero entropy), so no factor has a gap", K);
    return r;
  }
  r.mig = detail::pairwise_sum(gaps.data(), gaps.size()) / static_cast<double>(gaps.size());
  return r;
}

MigResult compute_mig(const CodeMatrix& codes, const FactorMatrix& factors, const DiscretizeOptions& options) {
  if (codes.rows() < 2) throw Error(fmt::format("MIG needs at least 2 latents, got {}", codes.rows()));
  const LabelMatrix labels = discretize(codes, options);
  return mig_from_mutual_info(mutual_info_matrix(labels, factors), factor_entropy(factors));
}

}  // namespace axial
