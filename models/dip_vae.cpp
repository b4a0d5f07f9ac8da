// DIP-VAE-I / -II (disentanglement_lib @dip_vae, Kumar et al. 2018).
#include "models/regularizers.hpp"

namespace axial::models {

torch::Tensor dip_matrix(const torch::Tensor& mu, const torch::Tensor& logvar, DipType type) {
  const double b = double(mu.size(0));
  // compute_covariance_z_mean: E[μ μᵀ] − E[μ] E[μ]ᵀ, biased.
  auto expectation_mu_mu_t = mu.t().matmul(mu) / b;                         // (L,L)
  auto expectation_mu = mu.mean(0);                                         // (L)
  auto cov = expectation_mu_mu_t - expectation_mu.unsqueeze(1) * expectation_mu.unsqueeze(0);
  if (type == DipType::I) return cov;
  return torch::diag(logvar.exp().mean(0)) + cov;
}

torch::Tensor dip_penalty(const torch::Tensor& mu, const torch::Tensor& logvar, DipType type, double lambda_od,
                          double lambda_d_factor) {
  auto m = dip_matrix(mu, logvar, type);
  auto diag = torch::diagonal(m);
  auto off_diag = m - torch::diag(diag);
  const double lambda_d = lambda_d_factor * lambda_od;
  return lambda_od * off_diag.square().sum() + lambda_d * (diag - 1.0).square().sum();
}

torch::Tensor dip_vae_regularizer(const torch::Tensor& kl, const torch::Tensor& mu, const torch::Tensor& logvar,
                                  DipType type, double lambda_od, double lambda_d_factor) {
  return kl + dip_penalty(mu, logvar, type, lambda_od, lambda_d_factor);
}

}  // namespace axial::models
