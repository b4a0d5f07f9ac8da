#include "src/pipeline_figures.hpp"

#include <fmt/core.h>

#include <cmath>

#include "datasets/random.hpp"
#include "datasets/registry.hpp"
#include "metrics/error.hpp"
#include "models/vae.hpp"
#include "reports/figures.hpp"
#include "reports/json_io.hpp"

namespace axial::pipeline {

namespace fs = std::filesystem;

std::vector<fs::path> write_model_figures(const fs::path& train_dir, const fs::path& out_dir,
                                          const std::string& stem_prefix, const std::string& label,
                                          const ModelFigureOptions& options) {
  if (options.traversal_steps < 2) throw Error("traversal steps must be at least 2");
  torch::set_num_threads(std::max(1, options.threads));
  torch::NoGradGuard no_grad;
  std::string dataset_name = "three-dots";
  if (fs::is_regular_file(train_dir / "config.json")) {
    auto cfg = reports::read_json_file(train_dir / "config.json");
    if (cfg.contains("options") && cfg["options"].value("dataset", nlohmann::json()).is_string())
      dataset_name = cfg["options"]["dataset"].get<std::string>();
  }
  models::Vae vae = models::load_vae(train_dir, torch::kCPU);
  auto data = datasets::open_dataset(dataset_name);
  const auto shape = data->observation_shape();
  if (shape.height != models::kImageSize || shape.width != models::kImageSize)
    throw Error(fmt::format("data set '{}': images are {}×{}, the VAE expects 64×64", dataset_name, shape.height,
                            shape.width));
  const int K = data->num_factors();
  const auto& sizes = data->factor_sizes();

  // A uniform sample of factor rows (the first one is the probe for data sets other than three-dots).
  const int n = std::max(2, options.std_samples);
  FactorMatrix factors(K, n);
  Rng rng = make_rng(options.seed, 0xf16);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < K; ++k) factors(k, i) = uniform_int(rng, 0, sizes[std::size_t(k)] - 1);
  if (dataset_name == "three-dots") {
    const std::int64_t probe[6] = {32, 16, 48, 32, 16, 48};  // (x, y) of the three dots
    for (int k = 0; k < 6; ++k) factors(k, 0) = probe[k];
  }
  // Existing-rows data sets (subsets) need rows that exist.
  if (const FactorMatrix* rows = data->existing_rows()) {
    for (int i = 0; i < n; ++i) factors.col(i) = rows->col(uniform_int(rng, 0, rows->cols() - 1));
  }
  std::vector<float> pixels(std::size_t(n) * std::size_t(shape.size()));
  data->observations(factors, pixels.data());
  auto x = torch::from_blob(pixels.data(), {n, shape.height, shape.width, shape.channels}, torch::kFloat32)
               .permute({0, 3, 1, 2})
               .contiguous();
  auto [mu, logvar] = vae->encode(x);
  const int L = int(mu.size(1));
  auto probe_mu = mu.slice(0, 0, 1).clone();  // (1, L)
  auto std_mu = mu.std(0, /*unbiased=*/false);  // (L)

  std::vector<fs::path> written;
  // Fig. 2: decoder Jacobian columns at the probe, one tile per latent (channels averaged).
  {
    auto J = models::decoder_jacobian(vae, probe_mu).to(torch::kFloat64).mean(2).contiguous();  // (1, L, 64, 64)
    reports::ImageGrid g;
    g.title = fmt::format("decoder Jacobian columns dx/dz_l at the probe image — {}", label);
    g.cols = std::min(L, 5);
    g.rows = (L + g.cols - 1) / g.cols;
    g.colour_map = reports::ColourMap::kDiverging;
    for (int l = 0; l < L; ++l) {
      auto tile = J[0][l];
      const double* p = tile.data_ptr<double>();
      g.tiles.push_back({fmt::format("z{} (sd {:.2f})", l, std_mu[l].item<double>()), models::kImageSize,
                         models::kImageSize, std::vector<double>(p, p + models::kImageSize * models::kImageSize)});
    }
    auto f = reports::plot_image_grid(g, out_dir / (stem_prefix + "jacobian"), 110);
    written.insert(written.end(), f.begin(), f.end());
  }
  // Traversals: row l sweeps latent l over ±range·sd around the probe's μ.
  {
    const int S = options.traversal_steps;
    auto z = probe_mu.repeat({L * S, 1});  // (L·S, L)
    for (int l = 0; l < L; ++l)
      for (int s = 0; s < S; ++s) {
        double offset = -options.traversal_range + 2 * options.traversal_range * s / double(S - 1);
        z[l * S + s][l] += offset * std_mu[l].item<double>();
      }
    auto images = vae->decode(z).to(torch::kFloat64).mean(1).contiguous();  // (L·S, 64, 64)
    reports::ImageGrid g;
    g.title = fmt::format("latent traversals (±{:g} sd around the probe's code) — {}", options.traversal_range, label);
    g.rows = L;
    g.cols = S;
    g.colour_map = reports::ColourMap::kGrey;
    g.lo = 0;
    g.hi = 1;
    for (int l = 0; l < L; ++l) {
      g.row_labels.push_back(fmt::format("z{}", l));
      for (int s = 0; s < S; ++s) {
        double offset = -options.traversal_range + 2 * options.traversal_range * s / double(S - 1);
        auto img = images[l * S + s];
        const double* p = img.data_ptr<double>();
        g.tiles.push_back({l == 0 ? fmt::format("{:+g} sd", offset) : std::string(), models::kImageSize,
                           models::kImageSize, std::vector<double>(p, p + models::kImageSize * models::kImageSize)});
      }
    }
    auto f = reports::plot_image_grid(g, out_dir / (stem_prefix + "traversals"), 64);
    written.insert(written.end(), f.begin(), f.end());
  }
  return written;
}

}  // namespace axial::pipeline
