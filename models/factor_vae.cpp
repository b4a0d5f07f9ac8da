// FactorVAE (disentanglement_lib @factor_vae, Kim & Mnih 2018): kl + γ·TC from a discriminator of the sampled z
// against its per-dimension permutation within the same batch. The training step (both updates from one forward
// pass) is in trainer.cpp / loss.cpp (factor_vae_step).
#include "models/regularizers.hpp"

#include <fmt/core.h>

#include "models/vae.hpp"

namespace axial::models {

DiscriminatorImpl::DiscriminatorImpl(int latent_dim) {
  int in = latent_dim;
  for (int i = 0; i < 6; ++i) {
    hidden_.push_back(register_module(fmt::format("d{}", i + 1), torch::nn::Linear(in, 1000)));
    in = 1000;
  }
  logits_ = register_module("logits", torch::nn::Linear(1000, 2));
  torch::NoGradGuard no_grad;
  for (auto& item : named_parameters()) {
    auto& p = item.value();
    if (p.dim() == 1)
      p.zero_();
    else
      glorot_uniform_(p);
  }
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& z) {
  auto h = z.flatten(1);
  for (auto& layer : hidden_)
    h = torch::leaky_relu(layer(h), kDiscriminatorSlope);
  return logits_(h);
}

torch::Tensor discriminator_probs(const torch::Tensor& logits) {
  return torch::clamp(torch::softmax(logits, 1), 1e-6, 1.0 - 1e-6);
}

torch::Tensor shuffle_codes(const torch::Tensor& z) {
  const int64_t b = z.size(0), l = z.size(1);
  std::vector<torch::Tensor> columns;
  columns.reserve(static_cast<std::size_t>(l));
  auto index_options = torch::TensorOptions().dtype(torch::kLong).device(z.device());
  for (int64_t j = 0; j < l; ++j) columns.push_back(torch::randperm(b, index_options));
  return z.gather(0, torch::stack(columns, 1));
}

torch::Tensor factor_vae_tc(const torch::Tensor& logits_z) {
  return (logits_z.select(1, 0) - logits_z.select(1, 1)).mean();
}

torch::Tensor factor_vae_discriminator_loss(const torch::Tensor& probs_z, const torch::Tensor& probs_z_shuffle) {
  return 0.5 * probs_z.select(1, 0).log().mean() + 0.5 * probs_z_shuffle.select(1, 1).log().mean();
}

torch::Tensor factor_vae_regularizer(const torch::Tensor& kl, const torch::Tensor& tc, double gamma) {
  return kl + gamma * tc;
}

}  // namespace axial::models
