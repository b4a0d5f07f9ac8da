#pragma once
// An encoder used as a representation function: a TorchScript file mapping float (N,C,H,W) in [0,1] to codes (N,L)
// — axial's DIR/model/encoder.pt, or the `pytorch_model.pt` files the paper's code and disentanglement_lib's
// PyTorch path export.
//
// Typical use (axial eval):
//   Encoder enc("model/encoder.pt", "auto");
//   enc.probe(images, 4, data.observation_shape());   // one small batch: says exactly what does not fit
//   enc.encode(images, n, codes.data());              // large batches afterwards
//
// LibTorch stays out of this header (pimpl), so callers in src/ compile without it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "datasets/representation.hpp"

namespace axial::models {

// How to call a TorchScript encoder and read its output (axial eval --method, --output-index, --output-key,
// --input-range, --input-layout).
struct EncoderOptions {
  std::string device = "cpu";       // "auto", "cpu", "cuda", "cuda:N"
  std::string method = "forward";   // the exported method to call (e.g. "encode" of a full VAE)
  int output_index = -1;            // the code's element of a tuple/list output (-1 = not chosen)
  std::string output_key;           // the code's entry of a dict output ("" = not chosen; mu/mean/z_mean by name)
  std::string input_range = "0,1";  // what the encoder was trained on: "0,1", "-1,1" (x·2−1) or "0,255" (x·255)
  std::string input_layout = "nchw";  // "nchw" (PyTorch) or "nhwc"
};

// The TorchScript implementation of datasets::RepresentationFunction.
class Encoder final : public datasets::RepresentationFunction {
 public:
  // Loads the TorchScript module at `file` onto `device` ("auto", "cpu", "cuda", "cuda:N"; see device.hpp).
  // Throws axial::Error naming the file if it is missing or not a TorchScript module.
  Encoder(const std::filesystem::path& file, const std::string& device = "cpu");
  Encoder(const std::filesystem::path& file, const EncoderOptions& options);
  ~Encoder() override;
  Encoder(Encoder&&) noexcept;
  Encoder& operator=(Encoder&&) noexcept;

  // Runs `n` ≥ 1 images (N,H,W,C) float laid out as `shape` says through the module once and checks everything a
  // long run relies on. Throws axial::Error naming the file and exactly what is wrong:
  //  - the module rejects the input: the channel count it expects vs the data's, or the image sizes it accepts
  //    (found by re-trying other channel counts / sizes), else LibTorch's first message line;
  //  - the output is not a tensor and no element is chosen: a tuple/list with one tensor is used (with a note), a
  //    dict's mu/mean/z_mean entry is used by name; anything else needs --output-index / --output-key;
  //  - the output has rank ≠ 2, the wrong number of rows, or is not floating point;
  //  - two calls on the same images give different codes (a sampled z, dropout): refused, never averaged;
  //  - the codes contain NaN/Inf (names the sample and latent).
  // Returns L. Must be called before encode().
  int probe(const float* images, std::int64_t n, const datasets::ObservationShape& shape) override;

  // Encodes n images (N,H,W,C) float of the probed shape; writes codes as L×n column-major doubles (code of image i
  // at out[i·L .. i·L+L)). Throws axial::Error on non-finite codes (naming the image index + `first_index`).
  void encode(const float* images, std::int64_t n, double* out, std::int64_t first_index = 0) override;

  int latent_dim() const override;               // L (after probe)
  // The floating type of the module's output (after probe): float32 codes are discretised with float32 histogram
  // edges, as numpy does on the float32 arrays a PyTorch representation function returns.
  Precision precision() const override;
  const std::filesystem::path& path() const;
  std::string device() const override;           // "cpu", "cuda:0", …
  // Non-empty if the probe had to interpret the output (e.g. "forward returns a tuple; its first element is used").
  std::string note() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace axial::models
