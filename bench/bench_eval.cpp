// bench_eval: where the time of `axial eval` goes on this machine.
//   1. three-dots rendering alone (images/s, one thread);
//   2. encoding alone through the TorchScript encoder of a freshly initialised paper VAE (same cost as a trained
//      one), for thread counts and batch sizes;
//   3. generate+encode through the eval pipeline (rendering overlapped with encoding) on a reduced protocol;
//   4. with --full: the whole paper protocol (`axial eval` defaults) for one model, wall time per stage.
// Usage: bench_eval [--full] [--threads T] [--device cpu|cuda]
// Ends with a Markdown table (lines starting with '|', picked up by scripts/device-check).
#include <torch/script.h>
#include <torch/torch.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "src/core/random.hpp"
#include "datasets/sampling.hpp"
#include "datasets/three_dots.hpp"
#include "models/device.hpp"
#include "models/decoder_alignment.hpp"
#include "models/encoder.hpp"
#include "models/vae.hpp"
#include "src/pipelines/eval_protocol.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  bool full = false;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string device = "cpu";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--full") == 0) full = true;
    else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--device") == 0 && i + 1 < argc) device = argv[++i];
    else {
      fmt::print(stderr, "bench_eval: unknown argument '{}' (usage: bench_eval [--full] [--threads T] [--device D])\n",
                 argv[i]);
      return 2;
    }
  }
  if (threads < 1) {
    fmt::print(stderr, "bench_eval: --threads must be >= 1\n");
    return 2;
  }
  std::vector<std::string> table;
  const fs::path dir = fs::temp_directory_path() / fmt::format("axial-bench-eval-{}", ::getpid());
  fs::create_directories(dir);
  torch::manual_seed(0);
  axial::models::Vae vae;
  axial::models::save_encoder_torchscript(vae, dir / "encoder.pt");
  fmt::print("bench_eval: {} hardware threads, LibTorch {}; encoder = freshly initialised paper VAE (TorchScript)\n",
             std::thread::hardware_concurrency(), TORCH_VERSION);

  // 1. Rendering.
  axial::datasets::ThreeDots dots;
  auto rng = axial::make_rng(0, 0);
  const std::int64_t n_render = 20000;
  const axial::FactorMatrix rows = axial::datasets::sample_global(dots, n_render, rng);
  std::vector<float> images(static_cast<size_t>(n_render) * 4096);
  auto t0 = Clock::now();
  dots.observations(rows, images.data());
  const double render_rate = n_render / since(t0);
  fmt::print("render three-dots (1 thread):            {:>9.0f} images/s\n", render_rate);

  // 2. Encoding alone.
  double best_rate = 0;
  for (int t : {1, threads}) {
    torch::set_num_threads(t);
    axial::models::Encoder enc(dir / "encoder.pt", device);
    enc.probe(images.data(), 2, dots.observation_shape());
    for (std::int64_t batch : {128, 512, 2048}) {
      std::vector<double> codes(static_cast<size_t>(batch) * 10);
      enc.encode(images.data(), batch, codes.data());  // warm-up
      const std::int64_t total = std::max<std::int64_t>(batch, 4096);
      t0 = Clock::now();
      for (std::int64_t s = 0; s + batch <= total; s += batch)
        enc.encode(images.data() + s * 4096, batch, codes.data());
      const double rate = total / since(t0);
      best_rate = std::max(best_rate, rate);
      fmt::print("encode ({}), {} thread(s), batch {:>4}:    {:>9.0f} images/s\n", device, t, batch, rate);
    }
    if (t == threads) break;
  }

  // 2b. Alternatives measured against the plain TorchScript module (same threads, batch 512).
  {
    torch::set_num_threads(threads);
    torch::NoGradGuard no_grad;
    auto x = torch::from_blob(images.data(), {512, 1, 64, 64}, torch::kFloat32).to(axial::models::parse_device(device));
    vae->to(x.device());
    auto time_it = [&](const std::function<void()>& f) {
      f();
      auto t = Clock::now();
      for (int i = 0; i < 8; ++i) f();
      return 8 * 512 / since(t);
    };
    vae->eval();
    fmt::print("encode, C++ nn::Module (no TorchScript):  {:>9.0f} images/s\n", time_it([&] { vae->forward(x); }));
    auto m = torch::jit::load((dir / "encoder.pt").string(), x.device());
    m.eval();
    auto frozen = torch::jit::freeze(m);
    fmt::print("encode, torch::jit::freeze:               {:>9.0f} images/s\n",
               time_it([&] { frozen.forward({x}); }));
    if (x.device().is_cpu()) {
      auto opt = torch::jit::optimize_for_inference(m);
      fmt::print("encode, optimize_for_inference (mkldnn):  {:>9.0f} images/s\n", time_it([&] { opt.forward({x}); }));
    }
    auto xcl = x.contiguous(at::MemoryFormat::ChannelsLast);
    fmt::print("encode, channels-last input:              {:>9.0f} images/s\n", time_it([&] { m.forward({xcl}); }));
  }

  // 3. Generate + encode through the pipeline (reduced protocol, metrics small).
  axial::pipelines::EvalSettings s;
  s.model = (dir / "encoder.pt").string();
  s.out = dir / "reduced";
  s.device = device;
  s.threads = threads;
  s.quiet = true;
  s.num_train = 2000;
  s.num_test = 1000;
  s.clusters = 2;
  s.cluster_size = 5000;
  s.localities = {0.1, 1.0};
  s.anchors = 100;
  auto load = [&](const axial::pipelines::ModelRef& m) {
    axial::pipelines::LoadedModel loaded;
    loaded.encoder = std::make_unique<axial::models::Encoder>(m.encoder, device);
    return loaded;
  };
  axial::models::set_torch_threads(threads);
  auto reduced = axial::pipelines::run_eval(s, axial::pipelines::resolve_model(s.model), load, std::cerr);
  const auto& el = reduced.results["elapsed_s"];
  const double pipe_rate = reduced.results["images_encoded"].get<double>() / el["sampling_and_encoding"].get<double>();
  fmt::print("generate+encode in the pipeline:          {:>9.0f} images/s ({} images, batch 512, {} threads)\n",
             pipe_rate, reduced.results["images_encoded"].get<std::int64_t>(), threads);
  const double paper_images = 15000 + 5 * 20 * 10000 + 1000 * 6 * 2;
  fmt::print("paper protocol: {:.0f} images → encoding ≈ {:.0f} s at this rate; rendering alone {:.0f} s of it "
             "(overlapped)\n",
             paper_images, paper_images / pipe_rate, paper_images / render_rate);
  table.push_back(fmt::format("| eval render three-dots (1 thread) | cpu | {:.0f} images/s | |", render_rate));
  table.push_back(fmt::format("| eval encode alone (best batch) | {} | {:.0f} images/s | |", device, best_rate));
  table.push_back(fmt::format("| eval generate+encode (pipeline) | {} | {:.0f} images/s | paper protocol ≈ {:.0f} s |",
                              device, pipe_rate, paper_images / pipe_rate));

  if (full) {
    axial::pipelines::EvalSettings p;
    p.model = s.model;
    p.out = dir / "paper";
    p.device = device;
    p.threads = threads;
    p.quiet = false;
    t0 = Clock::now();
    auto r = axial::pipelines::run_eval(p, axial::pipelines::resolve_model(p.model), load, std::cerr);
    const double wall = since(t0);
    const auto& e = r.results["elapsed_s"];
    fmt::print("full paper protocol: {:.1f} s wall ({:.1f} min): sampling+encoding {:.1f} s ({:.0f} images/s), global "
               "metrics {:.1f} s, local metrics {:.1f} s, axis alignment {:.1f} s\n",
               wall, wall / 60, e["sampling_and_encoding"].get<double>(),
               r.results["images_encoded"].get<double>() / e["sampling_and_encoding"].get<double>(),
               e["global_metrics"].get<double>(), e["local_metrics"].get<double>(), e["axis_alignment"].get<double>());
    table.push_back(fmt::format("| full paper eval protocol, one model | {} | {:.1f} s wall | {} images |", device,
                                wall, r.results["images_encoded"].get<std::int64_t>()));
  } else {
    fmt::print("(run with --full for the whole paper protocol's wall time)\n");
  }
  fmt::print("\n| measurement | device | value | note |\n|---|---|---|---|\n");
  for (const auto& row : table) fmt::print("{}\n", row);
  fs::remove_all(dir);
  return 0;
}
