#pragma once
// The other side of a ground-truth evaluation: a representation function maps observations to codes. This is
// disentanglement_lib's `representation_function` argument of `compute_mig(ground_truth_data,
// representation_function, random_state)` in C++, beside GroundTruthData (ground_truth.hpp).
//
//  - RepresentationFunction: float images N×H×W×C in [0, 1] (the data set's observation layout) → codes N×L
//    (written L×N column-major: the code of image i at out[i·L .. i·L + L)). models/encoder.hpp implements it for
//    TorchScript files; tests implement it in a few lines (e.g. codes = a fixed rotation of the factors).
//  - DecoderJacobianFunction: the decoder side of the Jacobian axis alignment, ∂x/∂z at given codes (a generative
//    model's decoder; optional).
// The eval protocol (src/pipelines/eval_protocol.hpp) is written against these interfaces only, so it compiles and
// is tested without LibTorch.
#include <cstdint>
#include <string>

#include "datasets/ground_truth.hpp"
#include "metrics/discretize.hpp"

namespace axial::datasets {

class RepresentationFunction {
 public:
  virtual ~RepresentationFunction() = default;

  // Runs `n` ≥ 1 images laid out as `shape` says once and checks everything a long run relies on (shapes, dtype,
  // finite codes). Throws axial::Error saying exactly what does not fit. Returns L. Called before encode().
  virtual int probe(const float* images, std::int64_t n, const ObservationShape& shape) = 0;

  // Encodes n images of the probed shape into `out` (L×n column-major doubles). Throws axial::Error on non-finite
  // codes, naming the image index + `first_index`.
  virtual void encode(const float* images, std::int64_t n, double* out, std::int64_t first_index = 0) = 0;

  virtual int latent_dim() const = 0;  // L (after probe)
  // The floating type of the codes: float32 codes are discretised with float32 histogram edges, as numpy does on
  // the float32 arrays a PyTorch representation function returns.
  virtual Precision precision() const = 0;
  virtual std::string device() const = 0;  // where it runs: "cpu", "cuda:0", …
  // Non-empty if the probe had to interpret the output (e.g. "forward returns a tuple; its first element is used").
  virtual std::string note() const = 0;
};

class DecoderJacobianFunction {
 public:
  virtual ~DecoderJacobianFunction() = default;

  // Checks the decoder against the data set's observations and the encoder's latent count; throws axial::Error
  // naming what differs. May load the model (so a broken decoder is found here, not at construction).
  virtual void check(const ObservationShape& shape, int encoder_latent_dim) = 0;

  // Jacobians at n codes (L×n column-major doubles): out holds n·L·P doubles, laid out (n, L, C, H, W) — column l of
  // image a's Jacobian at out[(a·L + l)·P ..], pixels in (C, H, W) order. Called after check().
  virtual void jacobian(const double* codes, std::int64_t n, int latent_dim, double* out) = 0;
};

}  // namespace axial::datasets
