// AnnealedVAE (disentanglement_lib @annealed_vae, Burgess et al. 2018): γ·|kl − C(step)|, the capacity C growing
// linearly from 0 to c_max over iteration_threshold steps.
#include <algorithm>

#include "models/regularizers.hpp"

namespace axial::models {

double annealed_capacity(double c_max, std::int64_t step, std::int64_t iteration_threshold) {
  // min(c_max, c_max * float(global_step) / iteration_threshold)
  return std::min(c_max, c_max * double(step) / double(iteration_threshold));
}

torch::Tensor annealed_vae_regularizer(const torch::Tensor& kl, double gamma, double capacity) {
  return gamma * (kl - capacity).abs();
}

}  // namespace axial::models
