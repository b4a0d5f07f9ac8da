#pragma once
// The training objective of β-VAE, JL1-VAE and JL2-VAE (Rhodes & Lee, NeurIPS 2021, arXiv 2106.02923), for a
// batch of B images x:
//   z    = μ + exp(log σ² / 2)·ε,  ε ~ N(0, I)
//   loss = BCE(decode(z), x) summed / B  +  β_t·KL  +  γ_t·P
//   KL   = 0.5·Σ(μ² + exp(log σ²) − 1 − log σ²) / B
//   P    = Σ|J| / B (JL1) or Σ J² / B (JL2), summed over latents, batch, channels and pixels, where
//          J = ∂decode(z)/∂z at the noisy sample z DETACHED from the encoder (the penalty trains the decoder only).
// Annealing: β_t = β·min(1, t/A), γ_t = γ·min(1, t/A), t = batches already seen; when γ_t = 0 no Jacobian work.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "models/regularizers.hpp"
#include "models/vae.hpp"

namespace axial::models {

enum class PenaltyKind { L1, L2 };
enum class JacobianMethod { FiniteDifference, Exact };

PenaltyKind parse_penalty(const std::string& s);        // "l1" | "l2", else axial::Error naming --penalty
JacobianMethod parse_jacobian(const std::string& s);    // "fd" | "exact", else axial::Error naming --jacobian
const char* to_string(PenaltyKind p);
const char* to_string(JacobianMethod m);

struct PenaltyOptions {
  PenaltyKind kind = PenaltyKind::L1;
  JacobianMethod method = JacobianMethod::FiniteDifference;
  // 0 = all L columns. k in 1..L: each point uses k distinct latent columns drawn uniformly at random (from
  // torch's generator on z's device), and the sum is scaled by L/k. Every column is included with probability
  // k/L, so the estimate is unbiased: E[(L/k)·Σ_{l∈S}|J_l|] = Σ_l |J_l|.
  int columns = 0;
  double epsilon = 1e-3;  // forward-difference step of `fd` (the paper's)
};

// Jacobian–vector products of the decoder at points z (B,L) along directions (M·B, L) (row m·B + b belongs to
// point b). Returns (M·B, C, 64, 64).
//   FiniteDifference: (decode(z + ε·d) − decode(z)) / ε, all M·B + B decoder rows in one batched pass (the paper's
//     compute_generator_jacobian_optimized, generalised to arbitrary unit directions).
//   Exact: VaeImpl::decode_jvp (forward-mode tangents, no ε).
torch::Tensor decoder_jvp(Vae& vae, const torch::Tensor& z, const torch::Tensor& directions, JacobianMethod method,
                          double epsilon = 1e-3);

// The tangent directions for all L columns: row l·B + b = e_l (the paper's "AAABBBCCC" layout), (L·B, L).
torch::Tensor all_column_directions(int64_t batch, int64_t latent_dim, const torch::TensorOptions& options);
// k random distinct columns per point: row j·B + b = e_{S_b[j]}, (k·B, L); draws from torch's generator.
torch::Tensor random_column_directions(int64_t batch, int64_t latent_dim, int k, const torch::TensorOptions& options);

// P for points z (B,L) (pass z.detach()). Returns a scalar tensor, differentiable w.r.t. the decoder.
torch::Tensor jacobian_penalty(Vae& vae, const torch::Tensor& z, const PenaltyOptions& options);

// BCE summed / B (PyTorch's binary_cross_entropy, log clamped at −100 as there).
torch::Tensor reconstruction_loss(const torch::Tensor& recon, const torch::Tensor& x);
// disentanglement_lib's bernoulli_loss on logits: Σ_pixels [max(l,0) − l·x + log(1 + exp(−|l|))] / B
// (sigmoid_cross_entropy_with_logits summed over pixels, averaged over the batch).
torch::Tensor reconstruction_loss_logits(const torch::Tensor& logits, const torch::Tensor& x);
// 0.5·Σ(μ² + exp(log σ²) − 1 − log σ²) / B.
torch::Tensor kl_divergence(const torch::Tensor& mu, const torch::Tensor& logvar);

// value·min(1, t/A); A = 0 means no annealing (value from the first step).
double annealed(double value, int64_t batches_seen, int64_t anneal_steps);

struct LossTerms {
  torch::Tensor loss;            // scalar, the objective
  torch::Tensor reconstruction;  // scalar
  torch::Tensor kl;              // scalar
  torch::Tensor jacobian;        // scalar P (0 when γ_t = 0 and it was skipped)
};

// One batch's objective. x (B,C,64,64) in [0,1] on the model's device. Draws ε (B,L) from torch's generator
// (then, with columns > 0, the column choice).
LossTerms vae_loss(Vae& vae, const torch::Tensor& x, double beta_t, double gamma_t, const PenaltyOptions& options);
// The same objective with the noise ε (B,L) given instead of drawn (e.g. to compare devices on identical inputs).
LossTerms vae_loss(Vae& vae, const torch::Tensor& x, double beta_t, double gamma_t, const PenaltyOptions& options,
                   const torch::Tensor& eps);

// --- Every method (models/regularizers.hpp) on the shared loss ------------------------------------------------

struct MethodConfig {
  Method method = Method::Jl1;
  double beta = 4.0;             // jl1/jl2 (annealed), beta_vae, beta_tc_vae
  double gamma = 0.1;            // jl1/jl2 (annealed), annealed_vae, factor_vae
  std::int64_t anneal_steps = 0; // jl1/jl2
  PenaltyOptions penalty;        // jl1/jl2
  double lambda_od = 5.0;        // dip_vae_i/ii
  double lambda_d_factor = 10.0; // dip_vae_i/ii
  double c_max = 25.0;           // annealed_vae
  std::int64_t iteration_threshold = 100000;  // annealed_vae
};

// One batch's forward pass: every tensor the step uses (what --dump-step writes). Scalars are 0-d tensors;
// undefined where the method has no such term.
struct StepRecord {
  torch::Tensor x, eps, mu, logvar, z;
  torch::Tensor output;          // decoder output: logits (dlib architecture) or probabilities (paper)
  torch::Tensor reconstruction, kl, regularizer, loss;
  torch::Tensor jacobian;        // jl1/jl2 (0 when γ_t = 0)
  torch::Tensor tc;              // beta_tc_vae, factor_vae
  double capacity = 0;           // annealed_vae: C(step)
  double beta_t = 0, gamma_t = 0;  // jl1/jl2: the annealed weights of this step
  // factor_vae
  torch::Tensor z_shuffle, logits_z, logits_z_shuffle, discriminator_loss;  // discr_loss as dlib defines it
};

// The forward pass of `step` (updates done before this batch) for x (B,C,64,64) in [0,1]: draws ε (B,L), then for
// jl1/jl2 with k columns the column choice, for factor_vae the L permutations; `discriminator` is needed (only) for
// factor_vae. loss = reconstruction + regularizer, differentiable. For jl1/jl2 on the paper architecture this is
// exactly vae_loss (the same operations in the same order).
StepRecord method_forward(Vae& vae, Discriminator* discriminator, const torch::Tensor& x, const MethodConfig& config,
                          std::int64_t step);

// FactorVAE's two gradients from one forward pass (dlib restricts each loss to its var_list): the VAE's
// loss = reconstruction + kl + γ·tc w.r.t. the VAE's parameters only, and the discriminator's −discr_loss w.r.t.
// the discriminator's only (so the TC term never moves the discriminator and the discriminator's loss never moves
// the encoder).
struct FactorVaeGradients {
  std::vector<torch::Tensor> vae, discriminator;
};
FactorVaeGradients factor_vae_gradients(const StepRecord& record, const std::vector<torch::Tensor>& vae_parameters,
                                        const std::vector<torch::Tensor>& discriminator_parameters);

}  // namespace axial::models
