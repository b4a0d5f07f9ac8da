// bench_train: milliseconds per training step (forward, backward, Adam) for β-VAE (γ = 0), JL1 `fd`, JL1 `exact`,
// and JL1 with k = 1 or 2 random columns (fd and exact), plus images/s, on the CPU or a CUDA device.
//   bench_train [threads=2] [steps=5]                         (the original positional form)
//   bench_train [--threads T] [--steps N] [--batch B] [--case NAME]... [--device cpu|cuda] [--tf32] [--channels-last]
//               [--median-only]
// Each case: 1 warm-up step (3 on CUDA), then N timed steps; on CUDA the device is synchronised before every clock
// read. Prints the median and mean ms/step, a Markdown table (lines starting with '|', picked up by
// scripts/device-check), and the wall time a 300,000-step JL1 fd run would take at that rate.
//   --case NAME      only this case (repeatable): beta, fd, exact, fd-k1, fd-k2, exact-k2 (default: all)
//   --median-only    print one line per case: "NAME MEDIAN_MS" (for bench/bench_train_vs_paper.py)
//   --tf32           allow TF32 in cuBLAS and cuDNN (CUDA only; measures what it pays)
//   --channels-last  4-d weights and the input batch in channels-last memory format
// Speed against the paper's own step is measured side by side, never against a stored number:
// bench/bench_train_vs_paper.py runs this and ../shared/reference/paper-train-step/ref_train.py interleaved.
#include <fmt/core.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "src/core/random.hpp"
#include "datasets/three_dots.hpp"
#include "models/device.hpp"
#include "models/loss.hpp"
#include "models/vae.hpp"
#include "reports/statistics.hpp"

using namespace axial::models;

int main(int argc, char** argv) {
  int threads = 2, steps = 5, positional = 0, batch = 64;
  std::string device_spec = "cpu";
  std::vector<std::string> only;
  bool tf32 = false, channels_last = false, median_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        fmt::print(stderr, "bench_train: {} needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--threads") threads = std::atoi(value().c_str());
    else if (a == "--steps") steps = std::atoi(value().c_str());
    else if (a == "--device") device_spec = value();
    else if (a == "--batch") batch = std::atoi(value().c_str());
    else if (a == "--case") only.push_back(value());
    else if (a == "--median-only") median_only = true;
    else if (a == "--tf32") tf32 = true;
    else if (a == "--channels-last") channels_last = true;
    else if (!a.empty() && a[0] != '-' && positional == 0) threads = std::atoi(a.c_str()), ++positional;
    else if (!a.empty() && a[0] != '-' && positional == 1) steps = std::atoi(a.c_str()), ++positional;
    else {
      fmt::print(stderr, "bench_train: unknown argument '{}'\n", a);
      return 2;
    }
  }
  if (threads < 1 || steps < 1 || batch < 1) {
    fmt::print(stderr, "bench_train: --threads, --steps and --batch must be >= 1\n");
    return 2;
  }
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  const torch::Device device = parse_device(device_spec);
  const bool cuda = device.is_cuda();
  if (cuda) {
    at::globalContext().setAllowTF32CuBLAS(tf32);
    at::globalContext().setAllowTF32CuDNN(tf32);
  }
  auto sync = [&] {
    if (cuda) torch::cuda::synchronize();
  };

  // A batch of real three-dots images.
  axial::datasets::ThreeDots dots;
  axial::Rng rng = axial::make_rng(0, 0);
  axial::FactorMatrix f(6, batch);
  for (int i = 0; i < batch; ++i)
    for (int k = 0; k < 6; ++k) f(k, i) = axial::uniform_int(rng, 0, 63);
  auto x = torch::empty({batch, 1, 64, 64});
  dots.observations(f, x.data_ptr<float>());
  x = x.to(device);
  if (channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);

  struct Case {
    const char* key;
    const char* name;
    double gamma;
    JacobianMethod method;
    int columns;
  };
  const std::vector<Case> all_cases = {
      {"beta", "beta-VAE (gamma=0)", 0.0, JacobianMethod::FiniteDifference, 0},
      {"fd", "JL1 fd", 0.1, JacobianMethod::FiniteDifference, 0},
      {"exact", "JL1 exact", 0.1, JacobianMethod::Exact, 0},
      {"fd-k1", "JL1 fd, k=1 column", 0.1, JacobianMethod::FiniteDifference, 1},
      {"fd-k2", "JL1 fd, k=2 columns", 0.1, JacobianMethod::FiniteDifference, 2},
      {"exact-k2", "JL1 exact, k=2 columns", 0.1, JacobianMethod::Exact, 2},
  };
  std::vector<Case> cases;
  for (const auto& c : all_cases)
    if (only.empty() || std::find(only.begin(), only.end(), c.key) != only.end()) cases.push_back(c);
  for (const auto& o : only)
    if (std::none_of(all_cases.begin(), all_cases.end(), [&](const Case& c) { return o == c.key; })) {
      fmt::print(stderr, "bench_train: --case '{}': unknown (valid: beta, fd, exact, fd-k1, fd-k2, exact-k2)\n", o);
      return 2;
    }
  if (!median_only) fmt::print("bench_train: batch {}, device {}, {} thread(s), {} timed steps, tf32 {}, channels-last {}, LibTorch {}\n",
             batch, device.str(), threads, steps, tf32 ? "on" : "off", channels_last ? "on" : "off", TORCH_VERSION);
  if (!median_only) fmt::print("{:<24} {:>12} {:>12} {:>12}\n", "case", "median ms", "mean ms", "images/s");
  std::vector<std::string> table;
  double jl1_fd_ms = 0;
  for (const auto& c : cases) {
    Vae vae;
    vae->to(device);
    if (channels_last)
      for (auto& p : vae->parameters())
        if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
    torch::optim::Adam adam(vae->parameters(), torch::optim::AdamOptions(1e-4));
    PenaltyOptions popt;
    popt.method = c.method;
    popt.columns = c.columns;
    auto step = [&] {
      adam.zero_grad();
      auto t = vae_loss(vae, x, 4.0, c.gamma, popt);
      t.loss.backward();
      adam.step();
    };
    for (int w = 0; w < (cuda ? 3 : 1); ++w) step();
    sync();
    std::vector<double> ms;
    const auto t_all = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      step();
      sync();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    const double mean = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_all).count() /
                        steps;
    const double median = axial::reports::summarize(ms).median;
    if (std::strcmp(c.name, "JL1 fd") == 0) jl1_fd_ms = median;
    if (median_only) {
      fmt::print("{} {:.3f}\n", c.key, median);
      std::fflush(stdout);
      continue;
    }
    fmt::print("{:<24} {:>12.2f} {:>12.2f} {:>12.1f}\n", c.name, median, mean, batch * 1e3 / median);
    table.push_back(fmt::format("| train {} | {} | {:.2f} ms/step | {:.0f} images/s |", c.name, device.str(), median,
                                batch * 1e3 / median));
  }
  if (median_only) return 0;
  fmt::print("\n| measurement | device | value | rate |\n|---|---|---|---|\n");
  for (const auto& row : table) fmt::print("{}\n", row);
  if (jl1_fd_ms > 0)
    fmt::print("| 300,000-step JL1 fd run (estimate from the median) | {} | {:.1f} min | target <= 20 min on an H100 |\n",
               device.str(), 300000 * jl1_fd_ms / 60000.0);
  return 0;
}
