// β-TCVAE (disentanglement_lib @beta_tc_vae, Chen et al. 2018): kl + (β − 1)·TC, the minibatch-weighted estimate.
#include <cmath>

#include "models/regularizers.hpp"

namespace axial::models {

torch::Tensor gaussian_log_density(const torch::Tensor& samples, const torch::Tensor& mean,
                                   const torch::Tensor& logvar) {
  const double normalization = std::log(2.0 * M_PI);
  auto inv_sigma = torch::exp(-logvar);
  auto tmp = samples - mean;
  return -0.5 * (tmp * tmp * inv_sigma + logvar + normalization);
}

torch::Tensor total_correlation(const torch::Tensor& z, const torch::Tensor& mu, const torch::Tensor& logvar) {
  // Q[j, i, l] = log N(z_jl; μ_il, lv_il): z as (B,1,L), μ and log σ² as (1,B,L).
  auto q = gaussian_log_density(z.unsqueeze(1), mu.unsqueeze(0), logvar.unsqueeze(0));
  auto log_qz_product = torch::logsumexp(q, /*dim=*/1, /*keepdim=*/false).sum(1);  // (B)
  auto log_qz = torch::logsumexp(q.sum(2), /*dim=*/1, /*keepdim=*/false);           // (B)
  return (log_qz - log_qz_product).mean();
}

torch::Tensor beta_tc_vae_regularizer(const torch::Tensor& kl, const torch::Tensor& tc, double beta) {
  return kl + (beta - 1.0) * tc;
}

}  // namespace axial::models
