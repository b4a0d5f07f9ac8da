#include "models/loss.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <tuple>
#include <utility>

#include "src/core/error.hpp"

namespace axial::models {

PenaltyKind parse_penalty(const std::string& s) {
  if (s == "l1") return PenaltyKind::L1;
  if (s == "l2") return PenaltyKind::L2;
  throw Error(fmt::format("--penalty '{}': unknown penalty (valid: l1, l2)", s));
}

JacobianMethod parse_jacobian(const std::string& s) {
  if (s == "fd") return JacobianMethod::FiniteDifference;
  if (s == "exact") return JacobianMethod::Exact;
  throw Error(fmt::format("--jacobian '{}': unknown method (valid: fd, exact)", s));
}

const char* to_string(PenaltyKind p) { return p == PenaltyKind::L1 ? "l1" : "l2"; }
const char* to_string(JacobianMethod m) { return m == JacobianMethod::FiniteDifference ? "fd" : "exact"; }

torch::Tensor all_column_directions(int64_t batch, int64_t latent_dim, const torch::TensorOptions& options) {
  return torch::eye(latent_dim, options).repeat_interleave(batch, 0);
}

torch::Tensor random_column_directions(int64_t batch, int64_t latent_dim, int k, const torch::TensorOptions& options) {
  TORCH_CHECK(k >= 1 && k <= latent_dim, "random_column_directions: k must be in 1..L");
  // A uniformly random k-subset per point: the first k of a random permutation (argsort of uniforms).
  auto keys = torch::rand({batch, latent_dim}, options);
  auto chosen = keys.argsort(/*dim=*/1, /*descending=*/false).narrow(1, 0, k);     // (B,k)
  auto flat = chosen.t().reshape({-1});              // row j·B + b
  return torch::zeros({k * batch, latent_dim}, options).scatter_(1, flat.unsqueeze(1), 1.0);
}

torch::Tensor decoder_jvp(Vae& vae, const torch::Tensor& z, const torch::Tensor& directions, JacobianMethod method,
                          double epsilon) {
  const int64_t b = z.size(0);
  const int64_t m = directions.size(0) / b;
  if (method == JacobianMethod::Exact) return vae->decode_jvp(z, directions);
  // Rows [0, M·B): shifted points, rows [M·B, (M+1)·B): the base points — one batched decoder pass.
  auto shifted = z.repeat({m, 1}) + epsilon * directions;
  auto out = vae->decode(torch::cat({shifted, z}, 0));
  auto outs = out.sizes().vec();
  std::vector<int64_t> block{m, b};
  block.insert(block.end(), outs.begin() + 1, outs.end());
  auto base = out.narrow(0, m * b, b);
  auto diff = (out.narrow(0, 0, m * b).view(block) - base) / epsilon;
  outs[0] = m * b;
  return diff.view(outs);
}

torch::Tensor jacobian_penalty(Vae& vae, const torch::Tensor& z, const PenaltyOptions& options) {
  const int64_t b = z.size(0), l = z.size(1);
  const bool subset = options.columns > 0 && options.columns < l;
  auto directions = subset ? random_column_directions(b, l, options.columns, z.options())
                           : all_column_directions(b, l, z.options());
  auto j = decoder_jvp(vae, z, directions, options.method, options.epsilon);
  auto p = options.kind == PenaltyKind::L1 ? j.abs().sum() : j.square().sum();
  p = p / static_cast<double>(b);
  if (subset) p = p * (static_cast<double>(l) / options.columns);
  return p;
}

torch::Tensor reconstruction_loss(const torch::Tensor& recon, const torch::Tensor& x) {
  return torch::binary_cross_entropy(recon, x, {}, at::Reduction::Sum) / static_cast<double>(x.size(0));
}

torch::Tensor reconstruction_loss_logits(const torch::Tensor& logits, const torch::Tensor& x) {
  auto per_pixel = torch::relu(logits) - logits * x + torch::log1p(torch::exp(-logits.abs()));
  return per_pixel.sum() / static_cast<double>(x.size(0));
}

torch::Tensor kl_divergence(const torch::Tensor& mu, const torch::Tensor& logvar) {
  return 0.5 * (mu.square() + logvar.exp() - 1.0 - logvar).sum() / static_cast<double>(mu.size(0));
}

double annealed(double value, int64_t batches_seen, int64_t anneal_steps) {
  if (anneal_steps <= 0 || batches_seen >= anneal_steps) return value;
  return value * static_cast<double>(batches_seen) / static_cast<double>(anneal_steps);
}

namespace {

// The decoder output for the reconstruction term and the term: BCE on probabilities (paper) or on logits (dlib).
std::pair<torch::Tensor, torch::Tensor> decode_and_reconstruction(Vae& vae, const torch::Tensor& z,
                                                                  const torch::Tensor& x) {
  if (vae->options().architecture == Architecture::Dlib) {
    auto logits = vae->decode_logits(z);
    return {logits, reconstruction_loss_logits(logits, x)};
  }
  auto recon = vae->decode(z);
  return {recon, reconstruction_loss(recon, x)};
}

LossTerms loss_terms(Vae& vae, const torch::Tensor& x, const torch::Tensor& mu, const torch::Tensor& logvar,
                     const torch::Tensor& eps, double beta_t, double gamma_t, const PenaltyOptions& options,
                     StepRecord* record = nullptr) {
  auto z = mu + eps * (0.5 * logvar).exp();
  auto [recon, rec_loss] = decode_and_reconstruction(vae, z, x);
  if (record) {
    record->z = z;
    record->output = recon;
  }
  LossTerms t;
  t.reconstruction = rec_loss;
  t.kl = kl_divergence(mu, logvar);
  t.loss = t.reconstruction + beta_t * t.kl;
  if (gamma_t > 0) {
    t.jacobian = jacobian_penalty(vae, z.detach(), options);
    t.loss = t.loss + gamma_t * t.jacobian;
  } else {
    t.jacobian = torch::zeros({}, mu.options());
  }
  return t;
}

}  // namespace

StepRecord method_forward(Vae& vae, Discriminator* discriminator, const torch::Tensor& x, const MethodConfig& c,
                          std::int64_t step) {
  StepRecord r;
  r.x = x;
  auto [mu, logvar] = vae->encode(x);
  r.mu = mu;
  r.logvar = logvar;
  r.eps = torch::randn(mu.sizes(), mu.options());
  if (is_jacobian_method(c.method)) {
    r.beta_t = annealed(c.beta, step, c.anneal_steps);
    r.gamma_t = annealed(c.gamma, step, c.anneal_steps);
    LossTerms t = loss_terms(vae, x, mu, logvar, r.eps, r.beta_t, r.gamma_t, c.penalty, &r);
    r.reconstruction = t.reconstruction;
    r.kl = t.kl;
    r.jacobian = t.jacobian;
    r.loss = t.loss;
    r.regularizer = t.loss - t.reconstruction;
    return r;
  }
  r.z = mu + r.eps * (0.5 * logvar).exp();
  std::tie(r.output, r.reconstruction) = decode_and_reconstruction(vae, r.z, x);
  r.kl = kl_divergence(mu, logvar);
  switch (c.method) {
    case Method::BetaVae:
      r.regularizer = beta_vae_regularizer(r.kl, c.beta);
      break;
    case Method::AnnealedVae:
      r.capacity = annealed_capacity(c.c_max, step, c.iteration_threshold);
      r.regularizer = annealed_vae_regularizer(r.kl, c.gamma, r.capacity);
      break;
    case Method::DipVaeI:
    case Method::DipVaeII:
      r.regularizer = dip_vae_regularizer(r.kl, mu, logvar, c.method == Method::DipVaeI ? DipType::I : DipType::II,
                                          c.lambda_od, c.lambda_d_factor);
      break;
    case Method::BetaTcVae:
      r.tc = total_correlation(r.z, mu, logvar);
      r.regularizer = beta_tc_vae_regularizer(r.kl, r.tc, c.beta);
      break;
    case Method::FactorVae: {
      TORCH_CHECK(discriminator != nullptr, "method_forward: factor_vae needs the discriminator");
      r.z_shuffle = shuffle_codes(r.z);
      r.logits_z = (*discriminator)(r.z);
      r.logits_z_shuffle = (*discriminator)(r.z_shuffle);
      r.tc = factor_vae_tc(r.logits_z);
      r.regularizer = factor_vae_regularizer(r.kl, r.tc, c.gamma);
      r.discriminator_loss =
          factor_vae_discriminator_loss(discriminator_probs(r.logits_z), discriminator_probs(r.logits_z_shuffle));
      break;
    }
    default:
      TORCH_CHECK(false, "method_forward: unhandled method");
  }
  r.loss = r.reconstruction + r.regularizer;
  return r;
}

FactorVaeGradients factor_vae_gradients(const StepRecord& r, const std::vector<torch::Tensor>& vae_parameters,
                                        const std::vector<torch::Tensor>& discriminator_parameters) {
  FactorVaeGradients g;
  g.vae = torch::autograd::grad({r.loss}, vae_parameters, {}, /*retain_graph=*/true);
  g.discriminator = torch::autograd::grad({-r.discriminator_loss}, discriminator_parameters);
  return g;
}

LossTerms vae_loss(Vae& vae, const torch::Tensor& x, double beta_t, double gamma_t, const PenaltyOptions& options) {
  auto [mu, logvar] = vae->encode(x);
  auto eps = torch::randn(mu.sizes(), mu.options());
  return loss_terms(vae, x, mu, logvar, eps, beta_t, gamma_t, options);
}

LossTerms vae_loss(Vae& vae, const torch::Tensor& x, double beta_t, double gamma_t, const PenaltyOptions& options,
                   const torch::Tensor& eps) {
  auto [mu, logvar] = vae->encode(x);
  TORCH_CHECK(eps.sizes() == mu.sizes(), "vae_loss: eps must have the shape of mu");
  return loss_terms(vae, x, mu, logvar, eps, beta_t, gamma_t, options);
}

}  // namespace axial::models
