// `axial figures TRAIN_DIR --out DIR`: the decoder Jacobian tiles (the paper's Fig. 2) and the latent traversals of
// one trained VAE, as SVG + PNG. The arrays come from models/model_figures.hpp (LibTorch), the drawing from
// reports/figures.hpp. `axial reproduce` runs it (as a child process) for the first finished seed of each γ.
#include <fmt/core.h>

#include <algorithm>
#include <iostream>

#include "models/model_figures.hpp"
#include "reports/figures.hpp"
#include "src/cli/cli_common.hpp"
#include "src/core/error.hpp"

namespace axial::cli {

namespace fs = std::filesystem;

std::vector<fs::path> draw_model_figures(const models::ModelFigureArrays& a, const fs::path& out_dir,
                                         const std::string& stem_prefix, const std::string& label,
                                         double traversal_range, const reports::FigureStyle& style) {
  std::vector<fs::path> written;
  const int L = a.latent_dim, S = static_cast<int>(a.traversal_offsets.size()), n = a.image_size;
  {
    reports::ImageGrid g;
    g.title = fmt::format("Decoder Jacobian columns ∂x/∂z_l at the probe image, one colour scale; in brackets: "
                          "the latent's sd — {}", label);
    g.colour_bar_label = "∂x/∂z_l";
    g.cols = std::min(L, 5);
    g.rows = (L + g.cols - 1) / g.cols;
    g.colour_map = reports::ColourMap::kDiverging;
    for (int l = 0; l < L; ++l)
      g.tiles.push_back({fmt::format("z{} ({:.2f})", l, a.latent_sd[std::size_t(l)]), n, n,
                         a.jacobian_tiles[std::size_t(l)]});
    auto f = reports::plot_image_grid(g, out_dir / (stem_prefix + "jacobian"), style);
    written.insert(written.end(), f.begin(), f.end());
  }
  {
    reports::ImageGrid g;
    g.title = fmt::format("Latent traversals (±{:g} sd around the probe's code) — {}", traversal_range, label);
    g.rows = L;
    g.cols = S;
    g.colour_map = reports::ColourMap::kGrey;
    g.lo = 0;
    g.hi = 1;
    for (int l = 0; l < L; ++l) {
      g.row_labels.push_back(fmt::format("z{}", l));
      for (int s = 0; s < S; ++s)
        g.tiles.push_back({l == 0 ? fmt::format("{:+g} sd", a.traversal_offsets[std::size_t(s)]) : std::string(), n,
                           n, a.traversal_tiles[std::size_t(l * S + s)]});
    }
    auto f = reports::plot_image_grid(g, out_dir / (stem_prefix + "traversals"), style);
    written.insert(written.end(), f.begin(), f.end());
  }
  return written;
}

int run_figures(const Args& args) {
  std::string train_dir, out, prefix, label;
  models::ModelFigureOptions mo;
  reports::FigureStyle style;
  bool quiet = false;
  po::options_description desc("axial figures options");
  // clang-format off
  desc.add_options()
    ("out", po::value(&out)->required(), "output directory (created)")
    ("prefix", po::value(&prefix)->default_value(""), "file name prefix: OUT/<prefix>jacobian.{svg,pdf,png}, OUT/<prefix>traversals.{svg,pdf,png}")
    ("figure-width", po::value(&style.width_in)->default_value(style.width_in)->value_name("INCHES"),
     "figure width (3.5 = one column of a two-column paper)")
    ("dpi", po::value(&style.dpi)->default_value(style.dpi)->value_name("N"), "PNG resolution and that of the raster panels in SVG/PDF")
    ("label", po::value(&label), "text for the titles (default: the training directory)")
    ("traversal-steps", po::value(&mo.traversal_steps)->default_value(mo.traversal_steps), "columns of the traversal grid (>= 2)")
    ("std-samples", po::value(&mo.std_samples)->default_value(mo.std_samples), "images whose codes give each latent's sd")
    ("seed", po::value(&mo.seed)->default_value(mo.seed), "seed of the sample")
    ("threads", po::value(&mo.threads)->default_value(mo.threads), "LibTorch threads")
    ("quiet", po::bool_switch(&quiet), "print nothing but errors");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("train-dir", po::value(&train_dir));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("train-dir", 1);
  const std::string usage =
      "axial figures TRAIN_DIR --out DIR [--prefix P] [--label TEXT]\n\n"
      "Draws the decoder Jacobian columns at the probe image (the paper's Fig. 2) and the latent traversals of the "
      "VAE in TRAIN_DIR/model/vae.pt.";
  if (wants_help(args)) {
    print_help(usage, desc);
    return 0;
  }
  parse(args, all, &pos);
  if (train_dir.empty()) throw Error("no training directory given (usage: axial figures TRAIN_DIR --out DIR)");
  if (label.empty()) label = train_dir;
  reports::validate_figure_style(style);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw Error(fmt::format("--out '{}': cannot create the directory: {}", out, ec.message()));
  const auto arrays = models::compute_model_figures(train_dir, mo);
  const auto files = draw_model_figures(arrays, out, prefix, label, mo.traversal_range, style);
  if (!quiet)
    for (const auto& f : files) std::cout << "wrote " << f.string() << "\n";
  return 0;
}

}  // namespace axial::cli
