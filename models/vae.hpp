#pragma once
// The paper's "defaultConv" VAE for 64×64×C images with L latents (Rhodes & Lee, NeurIPS 2021, arXiv 2106.02923;
// their code: travers-rhodes/jlonevae, jlonevae_lib/architecture/vae.py with the defaultConv layer lists).
//
// Encoder  x (N,C,64,64) in [0,1]
//   Conv2d C→32→32→64→64, kernel 4, stride 2, no padding (64→31→14→6→2), ReLU after each
//   flatten in (C,H,W) order (256 values) → Linear 256→256 + ReLU → two heads Linear 256→L: μ and log σ².
//   The log σ² head's bias starts 3 below PyTorch's default initialisation; everything else is PyTorch's default.
// Decoder  z (N,L)
//   Linear L→256 + ReLU → Linear 256→1024 + ReLU → view (N,64,4,4)
//   → ConvTranspose2d 64→64→32→32→C, kernel 4, stride 2, no padding; after each: ReLU (not after the last), then a
//     crop of 1 pixel on every side (TensorFlow's padding="SAME" sizes 8, 16, 32, 64) → sigmoid.
// Parameter count for C=1, L=10: 567,637.
//
// Submodule names follow the paper's code (emb_conv0..3, emb_fc0, fcmu, fclogvar, gen_fc0..1, gen_conv0..3), so
// named_parameters() reads like its state_dict with '.'-separated indices replaced by digits.
//
// Architecture::Dlib — disentanglement_lib's conv_encoder / deconv_decoder (methods/shared/architectures.py), in
// PyTorch layout but computing what the TF NHWC graph computes:
//   e1 Conv 32 4x4/2 pad 1, e2 Conv 32 4x4/2 pad 1, e3 Conv 64 2x2/2, e4 Conv 64 2x2/2 (TF "same"), ReLU after each
//   (64→32→16→8→4); flatten in TF's (H,W,C) order (1024) → e5 Dense 256 + ReLU → means, log_var Dense L (linear).
//   d1 Dense 256 + ReLU → d2 Dense 1024 + ReLU → reshape (N,4,4,64) NHWC → d3 ConvT 64, d4 ConvT 32, d5 ConvT 32
//   (4x4/2 pad 1, ReLU) → d6 ConvT C 4x4/2 pad 1, linear: LOGITS (decode() applies the sigmoid).
//   Kernels Glorot-uniform (limit sqrt(6/(fan_in+fan_out)), fans as TF computes them), biases zero.
//   Parameter count for C=1, L=10: 690,517.
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <tuple>

namespace axial::models {

inline constexpr int kImageSize = 64;

enum class Architecture { Paper, Dlib };
Architecture parse_architecture(const std::string& s);  // "paper" | "dlib", else axial::Error naming --architecture
const char* to_string(Architecture a);

struct VaeOptions {
  int channels = 1;
  int latent_dim = 10;
  Architecture architecture = Architecture::Paper;
};

// TF1's glorot_uniform for a torch weight (Linear (out,in), Conv2d (out,in,kh,kw), ConvTranspose2d (in,out,kh,kw)):
// U(−a, a), a = sqrt(6 / (fan_in + fan_out)), fan = channels·kh·kw (the sum is the same for TF's kernel layouts).
void glorot_uniform_(torch::Tensor& weight);

class VaeImpl : public torch::nn::Module {
 public:
  explicit VaeImpl(VaeOptions options = {});

  // x (N,C,64,64) float in [0,1] → (μ, log σ²), each (N,L).
  std::tuple<torch::Tensor, torch::Tensor> encode(const torch::Tensor& x);
  // z (N,L) → image (N,C,64,64) in [0,1] (sigmoid output).
  torch::Tensor decode(const torch::Tensor& z);
  // The decoder's pre-sigmoid output (logits), (N,C,64,64).
  torch::Tensor decode_logits(const torch::Tensor& z);

  // Exact forward-mode Jacobian–vector products of decode() at z, computed by pushing tangents through the
  // decoder alongside the primal pass (ReLU masks, linear layers without bias, sigmoid'(·) = s(1−s)); no ε.
  //   z        (B,L)  the points (taken as given: pass z.detach() to keep gradients away from the encoder)
  //   tangents (M·B, L) directions, row m·B + b belonging to point b (M blocks of B rows)
  // Returns J·t of shape (M·B, C, 64, 64). Differentiable w.r.t. the decoder's parameters (and z), so it can be
  // used inside a training loss.
  torch::Tensor decode_jvp(const torch::Tensor& z, const torch::Tensor& tangents);

  // μ only (what an encoder used as a representation function returns).
  torch::Tensor forward(const torch::Tensor& x) { return std::get<0>(encode(x)); }

  const VaeOptions& options() const { return options_; }
  // True for parameters of the decoder (gen_* / d*), false for the encoder's.
  bool is_decoder_parameter(const std::string& name) const;

 private:
  std::tuple<torch::Tensor, torch::Tensor> encode_dlib(const torch::Tensor& x);
  torch::Tensor decode_logits_dlib(const torch::Tensor& z);
  torch::Tensor decode_jvp_dlib(const torch::Tensor& z, const torch::Tensor& tangents);

  VaeOptions options_;
  // Architecture::Dlib
  torch::nn::Conv2d e1{nullptr}, e2{nullptr}, e3{nullptr}, e4{nullptr};
  torch::nn::Linear e5{nullptr}, means{nullptr}, log_var{nullptr}, d1{nullptr}, d2{nullptr};
  torch::nn::ConvTranspose2d d3{nullptr}, d4{nullptr}, d5{nullptr}, d6{nullptr};
  // Architecture::Paper
  torch::nn::Conv2d emb_conv0{nullptr}, emb_conv1{nullptr}, emb_conv2{nullptr}, emb_conv3{nullptr};
  torch::nn::Linear emb_fc0{nullptr}, fcmu{nullptr}, fclogvar{nullptr};
  torch::nn::Linear gen_fc0{nullptr}, gen_fc1{nullptr};
  torch::nn::ConvTranspose2d gen_conv0{nullptr}, gen_conv1{nullptr}, gen_conv2{nullptr}, gen_conv3{nullptr};
};
TORCH_MODULE(Vae);

// Number of scalar parameters (567,637 for C=1, L=10; 690,517 for the dlib architecture).
std::int64_t count_parameters(const torch::nn::Module& module);

// --- Saved models -------------------------------------------------------------------------------------------
// A training directory DIR holds DIR/config.json and DIR/model/{vae.pt,encoder.pt} (see docs/training.md).
// vae.pt is a TorchScript module (loadable by Python's torch.jit.load too) whose parameters are the VAE's, named
// like named_parameters() with '.' replaced by "__", with int attributes `channels` and `latent_dim`, for the dlib
// architecture a string attribute `architecture` = "dlib" (files without it are the paper's), and methods
//   encode(x) -> (mu, logvar), decode(z) -> image in [0,1], forward(x) -> mu.
// encoder.pt is a TorchScript module whose forward maps float (N,C,64,64) in [0,1] to μ (N,L) (the
// disentanglement_lib `pytorch_model.pt` convention).

// Writes vae.pt / encoder.pt for `vae` (its parameters are copied to CPU first). Atomic (temp file + rename).
void save_vae_torchscript(Vae& vae, const std::filesystem::path& path);
void save_encoder_torchscript(Vae& vae, const std::filesystem::path& path);

// Loads a VAE from a vae.pt written by save_vae_torchscript (either architecture), onto `device`, in eval() mode.
// Throws axial::Error naming the file if it is missing or not such a module.
Vae load_vae_file(const std::filesystem::path& vae_pt, torch::Device device = torch::kCPU);
// Loads DIR/model/vae.pt of a training directory (channels and latent_dim come from the file; they are also in
// DIR/config.json under "model"). Throws axial::Error naming the path when missing.
Vae load_vae(const std::filesystem::path& train_dir, torch::Device device = torch::kCPU);

// Exact decoder Jacobian columns at codes z (N,L): returns (N, L, C, 64, 64), entry [n,l] = ∂decode(z_n)/∂z_l.
// Computed without building a graph (NoGradGuard), batched over all N·L columns.
torch::Tensor decoder_jacobian(Vae& vae, const torch::Tensor& z);

}  // namespace axial::models
