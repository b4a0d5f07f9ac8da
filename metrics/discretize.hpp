#pragma once
// Per-latent discretisation of codes, as disentanglement_lib's `utils._histogram_discretize`:
//   edges  = numpy.histogram(z_l, B)[1]          (B+1 evenly spaced edges from min to max)
//   labels = numpy.digitize(z_l, edges[:-1])     (∈ {1..B}; the maximum lands in bin B)
// Locatello et al., "Challenging Common Assumptions in the Unsupervised Learning of Disentangled
// Representations", ICML 2019, arXiv 1811.12359 (disentanglement_lib).
//
// numpy details reproduced exactly (numpy 1.24):
//  - min/max are taken in the input's floating type; a constant latent gets edges min−0.5 … max+0.5 (computed in
//    float64), so all its samples share one label;
//  - np.linspace runs in float64 (start/stop are promoted by `* 1.0`): step = (max−min)/B,
//    e_i = i·step + min, e_B = max, then the edges are cast to the input type (float32 codes → float32 edges);
//  - digitize compares in the input type: label = #{ i < B : e_i ≤ z } (searchsorted side='right').
// Codes are stored as double (CodeMatrix); `Precision::Float32` says the source was float32 so the float32 rules
// above apply (values are rounded to float first, which is exact for codes that came from float32).
//
// The equal-frequency (quantile) discretiser is an axial option, not a disentanglement_lib one:
//   edges_i = the (i/B)-quantile of z_l (numpy.quantile's default 'linear' rule), i = 1..B−1,
//   label   = 1 + #{ i : edges_i ≤ z } ∈ {1..B};  ties share a label, so heavily tied latents get fewer bins.
#include <cstdint>
#include <string>
#include <vector>

#include "src/core/types.hpp"

namespace axial {

// Floating type the codes came from (files store float32 or float64; CodeMatrix is always double).
enum class Precision { Float32, Float64 };

enum class Discretizer { Histogram, Quantile };

// Discrete labels, L×N (one column per sample), values in 1..num_bins.
using LabelMatrix = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic>;

struct DiscretizeOptions {
  int num_bins = 20;                          // B ≥ 1
  Discretizer method = Discretizer::Histogram;
  Precision precision = Precision::Float64;   // float32 codes → float32 edges and comparisons
};

// The B+1 edges numpy.histogram(z, B) returns for one latent z[0..n) (n ≥ 1, all finite), as doubles
// (exactly representable in float when precision == Float32).
std::vector<double> histogram_edges(const double* z, std::int64_t n, int num_bins, Precision precision);

// Labels 1..B of one latent z[0..n) written to out[0..n) (histogram or quantile, per `options`).
void discretize_latent(const double* z, std::int64_t n, const DiscretizeOptions& options, std::int32_t* out);

// All latents: codes L×N → labels L×N. Throws axial::Error if num_bins < 1, N < 1 or a code is not finite.
LabelMatrix discretize(const CodeMatrix& codes, const DiscretizeOptions& options, int num_threads = 1);

// Parses "histogram" / "quantile"; throws axial::Error listing the valid names otherwise.
Discretizer parse_discretizer(const std::string& name);
const char* discretizer_name(Discretizer method);

}  // namespace axial
