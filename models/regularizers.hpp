#pragma once
// The training methods of disentanglement_lib (methods/unsupervised/vae.py; ../shared/reference/
// dlib-metric-definitions.md §6) as regularisers on the shared VAE loss
//     loss = reconstruction + regularizer(kl, μ, log σ², z)
// kl = mean_b 0.5·Σ_j(μ² + e^{log σ²} − log σ² − 1) (kl_divergence in loss.hpp), z the reparameterised sample.
// One unit per method (beta_vae.cpp, annealed_vae.cpp, dip_vae.cpp, beta_tc_vae.cpp, factor_vae.cpp); the JL1/JL2
// penalties of Rhodes & Lee are in loss.hpp. Every function here is differentiable and draws nothing, except
// shuffle_codes (torch's generator).
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace axial::models {

enum class Method { Jl1, Jl2, BetaVae, AnnealedVae, DipVaeI, DipVaeII, BetaTcVae, FactorVae };
// "jl1" | "jl2" | "beta_vae" | "annealed_vae" | "dip_vae_i" | "dip_vae_ii" | "beta_tc_vae" | "factor_vae",
// else axial::Error naming --method and the valid names.
Method parse_method(const std::string& s);
const char* to_string(Method m);
const std::vector<std::string>& method_names();
inline bool is_jacobian_method(Method m) { return m == Method::Jl1 || m == Method::Jl2; }

// --- β-VAE (@vae): β·kl ----------------------------------------------------------------------------------------
torch::Tensor beta_vae_regularizer(const torch::Tensor& kl, double beta);

// --- AnnealedVAE (@annealed_vae): γ·|kl − C(step)|, C(step) = min(c_max, c_max·step/iteration_threshold) --------
// `step` = global_step when the batch is computed (updates done before it: 0 for the first batch).
double annealed_capacity(double c_max, std::int64_t step, std::int64_t iteration_threshold);
torch::Tensor annealed_vae_regularizer(const torch::Tensor& kl, double gamma, double capacity);

// --- DIP-VAE (@dip_vae) ----------------------------------------------------------------------------------------
// cov_μ = mean_b(μ_b μ_bᵀ) − mean_b(μ_b) mean_b(μ_b)ᵀ (biased, divides by B); DIP-I: M = cov_μ;
// DIP-II: M = mean_b diag(exp(log σ²_b)) + cov_μ.
// penalty = λ_od·Σ_{i≠j} M_ij² + λ_d·Σ_i (M_ii − 1)², λ_d = λ_d_factor·λ_od;  regularizer = kl + penalty.
enum class DipType { I, II };
torch::Tensor dip_matrix(const torch::Tensor& mu, const torch::Tensor& logvar, DipType type);
torch::Tensor dip_penalty(const torch::Tensor& mu, const torch::Tensor& logvar, DipType type, double lambda_od,
                          double lambda_d_factor);
torch::Tensor dip_vae_regularizer(const torch::Tensor& kl, const torch::Tensor& mu, const torch::Tensor& logvar,
                                  DipType type, double lambda_od, double lambda_d_factor);

// --- β-TCVAE (@beta_tc_vae) ------------------------------------------------------------------------------------
// log N(s; m, lv) = −0.5·((s − m)²·exp(−lv) + lv + log 2π), elementwise (broadcasting).
torch::Tensor gaussian_log_density(const torch::Tensor& samples, const torch::Tensor& mean,
                                   const torch::Tensor& logvar);
// The minibatch-weighted TC estimate on the sampled z (B,L): Q[j,i,l] = log N(z_jl; μ_il, lv_il),
// TC = mean_j (logsumexp_i Σ_l Q[j,i,l] − Σ_l logsumexp_i Q[j,i,l])  (i = j included, −log(B·N) constants dropped).
torch::Tensor total_correlation(const torch::Tensor& z, const torch::Tensor& mu, const torch::Tensor& logvar);
// kl + (β − 1)·tc.
torch::Tensor beta_tc_vae_regularizer(const torch::Tensor& kl, const torch::Tensor& tc, double beta);

// --- FactorVAE (@factor_vae) -----------------------------------------------------------------------------------
// fc_discriminator: six Dense 1000 + leaky ReLU (slope 0.2, TF's default), then Dense 2 (logits). Glorot-uniform
// kernels, zero biases. Parameters d1..d6, logits.
class DiscriminatorImpl : public torch::nn::Module {
 public:
  explicit DiscriminatorImpl(int latent_dim);
  torch::Tensor forward(const torch::Tensor& z);  // (B,L) → logits (B,2)

 private:
  std::vector<torch::nn::Linear> hidden_;
  torch::nn::Linear logits_{nullptr};
};
TORCH_MODULE(Discriminator);

inline constexpr double kDiscriminatorSlope = 0.2;
// clip(softmax(logits), 1e-6, 1 − 1e-6) (make_discriminator).
torch::Tensor discriminator_probs(const torch::Tensor& logits);
// z_shuffle[:, j] = z[π_j, j], an independent random permutation π_j of the batch per dimension (torch's generator,
// one randperm per dimension in order).
torch::Tensor shuffle_codes(const torch::Tensor& z);
// tc_loss = mean_b (logits_z[b,0] − logits_z[b,1])  (class 0 = the joint q(z)).
torch::Tensor factor_vae_tc(const torch::Tensor& logits_z);
// dlib's discr_loss = 0.5·mean_b log p_z[b,0] + 0.5·mean_b log p_zs[b,1] (probs already clipped); the
// discriminator's optimiser MINIMISES −discr_loss.
torch::Tensor factor_vae_discriminator_loss(const torch::Tensor& probs_z, const torch::Tensor& probs_z_shuffle);
// kl + γ·tc.
torch::Tensor factor_vae_regularizer(const torch::Tensor& kl, const torch::Tensor& tc, double gamma);

}  // namespace axial::models
