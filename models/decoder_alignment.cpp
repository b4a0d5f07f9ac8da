#include "models/decoder_alignment.hpp"

#include <fmt/core.h>
#include <torch/torch.h>

#include <cstring>
#include <optional>

#include "models/vae.hpp"
#include "src/core/error.hpp"

namespace axial::models {

struct VaeDecoderJacobian::Impl {
  std::filesystem::path file;
  std::string device_name;
  std::optional<Vae> vae;
};

VaeDecoderJacobian::VaeDecoderJacobian(std::filesystem::path vae_file, std::string device)
    : impl_(std::make_unique<Impl>()) {
  impl_->file = std::move(vae_file);
  impl_->device_name = std::move(device);
}

VaeDecoderJacobian::~VaeDecoderJacobian() = default;

void VaeDecoderJacobian::check(const datasets::ObservationShape& shape, int encoder_latent_dim) {
  if (!impl_->vae) impl_->vae = load_vae_file(impl_->file, torch::Device(impl_->device_name));
  Vae& vae = *impl_->vae;
  if (vae->options().channels != shape.channels || shape.height != kImageSize || shape.width != kImageSize)
    throw Error(fmt::format("the VAE decodes {}x{}x{} images, the data set's are {}x{}x{}", kImageSize, kImageSize,
                            vae->options().channels, shape.height, shape.width, shape.channels));
  const int L = vae->options().latent_dim;
  if (encoder_latent_dim != L) throw Error(fmt::format("the VAE has {} latents, its encoder {}", L, encoder_latent_dim));
}

void VaeDecoderJacobian::jacobian(const double* codes, std::int64_t n, int latent_dim, double* out) {
  if (!impl_->vae) throw Error("VaeDecoderJacobian::jacobian called before check()");
  // The codes are L×n column-major, the memory of an (n, L) row-major array; the decoder runs in float32.
  torch::Tensor z = torch::from_blob(const_cast<double*>(codes), {n, latent_dim}, torch::kFloat64).to(torch::kFloat32);
  torch::Tensor jac = decoder_jacobian(*impl_->vae, z.to(torch::Device(impl_->device_name)))
                          .to(torch::kCPU, torch::kFloat64)
                          .contiguous();  // (n, L, C, H, W)
  std::memcpy(out, jac.data_ptr<double>(), sizeof(double) * static_cast<std::size_t>(jac.numel()));
}

void set_torch_threads(int threads) { torch::set_num_threads(std::max(1, threads)); }

}  // namespace axial::models
