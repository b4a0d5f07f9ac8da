#pragma once
// The decoder side of the Jacobian axis alignment for axial's VAEs: datasets::DecoderJacobianFunction over a
// DIR/model/vae.pt checkpoint. The VAE is loaded by check() (so a missing or corrupt file becomes the recorded
// reason of an undefined decoder_axis_alignment, found after the encoder side is done). LibTorch stays out of this
// header.
#include <filesystem>
#include <memory>
#include <string>

#include "datasets/representation.hpp"

namespace axial::models {

class VaeDecoderJacobian final : public datasets::DecoderJacobianFunction {
 public:
  VaeDecoderJacobian(std::filesystem::path vae_file, std::string device);
  ~VaeDecoderJacobian() override;
  void check(const datasets::ObservationShape& shape, int encoder_latent_dim) override;
  void jacobian(const double* codes, std::int64_t n, int latent_dim, double* out) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sets LibTorch's intra-op thread count (the eval and figure commands call it once).
void set_torch_threads(int threads);

}  // namespace axial::models
