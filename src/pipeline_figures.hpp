#pragma once
// Figures of one trained VAE (issue 6): the decoder Jacobian columns at a probe image (the paper's Fig. 2) and
// latent traversals. Computes the arrays with models/ (LibTorch) and draws them with reports/figures.hpp.
//
// Probe: for three-dots the paper's image, dots at factor values (x, y) = (32, 16), (48, 32), (16, 48); for other
// data sets the first image of the random sample below. Traversals: each latent swept over ±3 standard deviations
// of that latent's μ over `std_samples` images drawn uniformly from the data set (seeded), around the probe's μ,
// the other latents held at the probe's μ.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace axial::pipeline {

struct ModelFigureOptions {
  int traversal_steps = 7;      // odd, so the probe's own code is the middle column
  double traversal_range = 3.0; // in standard deviations
  int std_samples = 512;
  std::uint64_t seed = 0;
  int threads = 1;
};

// Writes OUT_DIR/<stem_prefix>jacobian.{svg,png} and OUT_DIR/<stem_prefix>traversals.{svg,png} for the training
// directory `train_dir` (DIR/model/vae.pt, DIR/config.json for the data set). `label` goes into the titles.
// Returns the files written. Throws axial::Error naming the path on missing/corrupt models.
std::vector<std::filesystem::path> write_model_figures(const std::filesystem::path& train_dir,
                                                       const std::filesystem::path& out_dir,
                                                       const std::string& stem_prefix, const std::string& label,
                                                       const ModelFigureOptions& options = {});

}  // namespace axial::pipeline
