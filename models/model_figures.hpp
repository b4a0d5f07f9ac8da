#pragma once
// The arrays behind the figures of one trained VAE (issue 6): the decoder Jacobian columns at a probe image (the
// paper's Fig. 2) and latent traversals. Computed here with LibTorch; drawn by `axial-torch figures`
// (src/cli/cmd_figures.cpp) with reports/figures.hpp.
//
// Probe: for three-dots the paper's image, dots at factor values (x, y) = (32, 16), (48, 32), (16, 48); for other
// data sets the first image of the random sample below. Traversals: each latent swept over ±range standard
// deviations of that latent's μ over `std_samples` images drawn uniformly from the data set (seeded), around the
// probe's μ, the other latents held at the probe's μ.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace axial::models {

struct ModelFigureOptions {
  int traversal_steps = 7;       // odd, so the probe's own code is the middle column
  double traversal_range = 3.0;  // in standard deviations
  int std_samples = 512;
  std::uint64_t seed = 0;
  int threads = 1;
};

struct ModelFigureArrays {
  int latent_dim = 0;                                   // L
  int image_size = 64;                                  // tiles are image_size × image_size, row-major
  std::vector<double> latent_sd;                        // L: sd of each latent's μ over the sample
  std::vector<std::vector<double>> jacobian_tiles;      // L tiles: ∂x/∂z_l at the probe, channels averaged
  std::vector<std::vector<double>> traversal_tiles;     // L·S tiles, row l = latent l, S = traversal_steps
  std::vector<double> traversal_offsets;                // S offsets in sd
};

// Loads DIR/model/vae.pt and DIR/config.json (for the data set) of the training directory `train_dir` and computes
// the arrays. Throws axial::Error naming the path on missing/corrupt models.
ModelFigureArrays compute_model_figures(const std::filesystem::path& train_dir, const ModelFigureOptions& options = {});

}  // namespace axial::models
