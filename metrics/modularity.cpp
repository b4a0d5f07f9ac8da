#include "metrics/modularity.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <limits>

#include "src/core/error.hpp"
#include "metrics/mutual_info.hpp"

namespace axial {

ModularityResult modularity_from_mutual_info(const Eigen::MatrixXd& mutual_info) {
  const Eigen::Index L = mutual_info.rows(), K = mutual_info.cols();
  ModularityResult r;
  if (K == 0 || L == 0) {
    r.defined = false;
    r.modularity = std::numeric_limits<double>::quiet_NaN();
    r.undefined_reason = K == 0 ? "no factors to compare against" : "no latents";
    return r;
  }
  std::vector<double> squared(static_cast<std::size_t>(K));
  r.per_latent.resize(static_cast<std::size_t>(L));
  for (Eigen::Index l = 0; l < L; ++l) {
    double max_sq = 0.0;
    for (Eigen::Index k = 0; k < K; ++k) {
      const double v = mutual_info(l, k);
      squared[static_cast<std::size_t>(k)] = v * v;
      max_sq = k == 0 ? v * v : std::max(max_sq, v * v);
    }
    double score;
    if (max_sq == 0.0) {
      score = 0.0;
    } else if (K == 1) {
      score = 1.0;  // a single factor: trivially modular (disentanglement_lib divides 0 by 0)
    } else {
      const double numerator = detail::pairwise_sum(squared.data(), squared.size()) - max_sq;
      const double denominator = max_sq * (static_cast<double>(K) - 1.0);
      score = 1.0 - numerator / denominator;
    }
    r.per_latent[static_cast<std::size_t>(l)] = score;
  }
  r.modularity = detail::pairwise_sum(r.per_latent.data(), r.per_latent.size()) / static_cast<double>(L);
  return r;
}

ModularityResult modularity_varying_from_mutual_info(const Eigen::MatrixXd& mutual_info,
                                                     const Eigen::VectorXd& entropy) {
  if (entropy.size() != mutual_info.cols())
    throw Error(fmt::format("modularity: {} factor entropies for {} factors", entropy.size(), mutual_info.cols()));
  std::vector<Eigen::Index> varying;
  for (Eigen::Index k = 0; k < entropy.size(); ++k)
    if (entropy(k) > 0.0) varying.push_back(k);
  Eigen::MatrixXd sub(mutual_info.rows(), static_cast<Eigen::Index>(varying.size()));
  for (std::size_t j = 0; j < varying.size(); ++j) sub.col(static_cast<Eigen::Index>(j)) = mutual_info.col(varying[j]);
  ModularityResult r = modularity_from_mutual_info(sub);
  if (varying.empty()) r.undefined_reason = "every factor is constant (zero entropy)";
  return r;
}

ModularityResult compute_modularity(const CodeMatrix& codes, const FactorMatrix& factors,
                                    const DiscretizeOptions& options) {
  const LabelMatrix labels = discretize(codes, options);
  return modularity_from_mutual_info(mutual_info_matrix(labels, factors));
}

}  // namespace axial
