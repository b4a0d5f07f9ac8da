#pragma once
// The decoder-Jacobian and traversal figures of trained VAEs need LibTorch, so the torch-free `axial` (report,
// reproduce) spawns `axial-torch figures` for each chosen run (src/cli/cmd_figures.cpp draws them).
#include <filesystem>
#include <string>
#include <vector>

#include "reports/aggregate.hpp"
#include "reports/figures.hpp"
#include "reports/report_writer.hpp"

namespace axial::cli {

// The training directory of a run: the directory holding model/vae.pt among its model path (results.json's
// model.path, relative to the results file) and that path's parents; "" when the run has no vae.pt.
std::filesystem::path vae_training_dir(const reports::Run& run);

struct ModelFigureJob {
  std::filesystem::path train_dir;  // holds model/vae.pt
  std::string prefix;               // file names: <prefix>jacobian.*, <prefix>traversals.*
  std::string label;                // shown in the titles and captions
};

// Runs `axial-torch figures` for each job into `out_dir`/figures; returns the figures to list in the report (SVG
// paths relative to out_dir, with captions). Throws axial::Error when axial-torch is missing or a child fails.
std::vector<reports::ExtraFigure> draw_model_figures_in_children(const std::vector<ModelFigureJob>& jobs,
                                                                 const std::filesystem::path& out_dir,
                                                                 const reports::FigureStyle& style, int threads,
                                                                 const std::string& needed_for);

}  // namespace axial::cli
