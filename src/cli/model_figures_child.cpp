#include "src/cli/model_figures_child.hpp"

#include <fmt/core.h>

#include "src/core/error.hpp"
#include "src/core/process.hpp"

namespace axial::cli {

namespace fs = std::filesystem;

fs::path vae_training_dir(const reports::Run& run) {
  const auto& model = run.results.value("model", nlohmann::json());
  if (!model.is_object() || !model.value("path", nlohmann::json()).is_string()) return {};
  fs::path p = model["path"].get<std::string>();
  if (p.empty()) return {};
  if (p.is_relative()) p = run.results_path.parent_path() / p;
  for (fs::path d = p; !d.empty(); d = d.parent_path()) {
    std::error_code ec;
    if (fs::is_regular_file(d / "model" / "vae.pt", ec)) return d;
    if (d == p.parent_path().parent_path() || d == d.parent_path()) break;
  }
  return {};
}

std::vector<reports::ExtraFigure> draw_model_figures_in_children(const std::vector<ModelFigureJob>& jobs,
                                                                 const fs::path& out_dir,
                                                                 const reports::FigureStyle& style, int threads,
                                                                 const std::string& needed_for) {
  std::vector<reports::ExtraFigure> figures;
  if (jobs.empty()) return figures;
  const fs::path torch = sibling_binary("axial-torch", needed_for);
  std::error_code ec;
  fs::create_directories(out_dir / "figures", ec);
  if (ec) throw Error(fmt::format("cannot create '{}': {}", (out_dir / "figures").string(), ec.message()));
  for (const auto& job : jobs) {
    const int rc = spawn_and_wait(torch, {"figures", job.train_dir.string(), "--quiet", "--out",
                                          (out_dir / "figures").string(), "--prefix", job.prefix, "--label",
                                          job.label, "--threads", std::to_string(std::max(1, threads)),
                                          "--figure-width", fmt::format("{}", style.width_in), "--dpi",
                                          std::to_string(style.dpi)});
    if (rc != 0)
      throw Error(fmt::format("the model figures of '{}' failed (axial-torch figures exited with {}; its error is "
                              "above)",
                              job.train_dir.string(), rc));
    figures.push_back(
        {fmt::format("Decoder Jacobian columns at the probe image (three-dots: dots at (32,16), (48,32), (16,48)), "
                     "one tile per latent, blue < 0 < red on one symmetric scale shared by all tiles (colour bar), in "
                     "brackets the latent's sd (the paper's Fig. 2) — {}.",
                     job.label),
         fs::path("figures") / (job.prefix + "jacobian.svg")});
    figures.push_back({fmt::format("Latent traversals, each latent over ±3 sd (of its mean code over 512 images) "
                                   "around the probe's code — {}.",
                                   job.label),
                       fs::path("figures") / (job.prefix + "traversals.svg")});
  }
  return figures;
}

}  // namespace axial::cli
