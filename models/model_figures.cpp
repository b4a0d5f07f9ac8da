#include "models/model_figures.hpp"

#include <fmt/core.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "src/core/random.hpp"
#include "datasets/registry.hpp"
#include "src/core/error.hpp"
#include "src/core/json_guard.hpp"
#include "models/vae.hpp"

namespace axial::models {

namespace fs = std::filesystem;

ModelFigureArrays compute_model_figures(const fs::path& train_dir, const ModelFigureOptions& options) {
  if (options.traversal_steps < 2) throw Error("traversal steps must be at least 2");
  torch::set_num_threads(std::max(1, options.threads));
  torch::NoGradGuard no_grad;
  std::string dataset_name = "three-dots";
  if (fs::is_regular_file(train_dir / "config.json")) {
    const fs::path file = train_dir / "config.json";
    nlohmann::json cfg;
    const std::string text = read_json_text(file);
    try {
      cfg = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e99999
      throw Error(fmt::format("'{}' is not valid JSON: {}", file.string(), e.what()));
    }
    if (cfg.contains("options") && cfg["options"].value("dataset", nlohmann::json()).is_string())
      dataset_name = cfg["options"]["dataset"].get<std::string>();
  }
  Vae vae = load_vae(train_dir, torch::kCPU);
  auto data = datasets::open_dataset(dataset_name);
  const auto shape = data->observation_shape();
  if (shape.height != kImageSize || shape.width != kImageSize)
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

  ModelFigureArrays out;
  out.latent_dim = L;
  out.image_size = static_cast<int>(kImageSize);
  for (int l = 0; l < L; ++l) out.latent_sd.push_back(std_mu[l].item<double>());
  // Fig. 2: decoder Jacobian columns at the probe, one tile per latent (channels averaged).
  {
    auto J = decoder_jacobian(vae, probe_mu).to(torch::kFloat64).mean(2).contiguous();  // (1, L, 64, 64)
    for (int l = 0; l < L; ++l) {
      auto tile = J[0][l];
      const double* p = tile.data_ptr<double>();
      out.jacobian_tiles.emplace_back(p, p + kImageSize * kImageSize);
    }
  }
  // Traversals: row l sweeps latent l over ±range·sd around the probe's μ.
  {
    const int S = options.traversal_steps;
    for (int s = 0; s < S; ++s)
      out.traversal_offsets.push_back(-options.traversal_range + 2 * options.traversal_range * s / double(S - 1));
    auto z = probe_mu.repeat({L * S, 1});  // (L·S, L)
    for (int l = 0; l < L; ++l)
      for (int s = 0; s < S; ++s) z[l * S + s][l] += out.traversal_offsets[std::size_t(s)] * std_mu[l].item<double>();
    auto images = vae->decode(z).to(torch::kFloat64).mean(1).contiguous();  // (L·S, 64, 64)
    for (int i = 0; i < L * S; ++i) {
      auto img = images[i];
      const double* p = img.data_ptr<double>();
      out.traversal_tiles.emplace_back(p, p + kImageSize * kImageSize);
    }
  }
  return out;
}

}  // namespace axial::models
