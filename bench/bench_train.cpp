// bench_train: milliseconds per training step (forward, backward, Adam) at batch 64 on this CPU for β-VAE (γ = 0),
// JL1 `fd`, JL1 `exact`, and JL1 with k = 2 random columns (fd and exact), plus images/s.
//   bench_train [threads=2] [steps=5]
// Yardstick (issue 4): the paper's PyTorch code on this machine, OpenBLAS, 2 threads: ≈ 0.36 s per β-VAE step and
// ≈ 3.6 s per JL1 step at batch 64.
#include <fmt/core.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <vector>

#include "datasets/random.hpp"
#include "datasets/three_dots.hpp"
#include "models/loss.hpp"
#include "models/vae.hpp"

using namespace axial::models;

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int steps = argc > 2 ? std::atoi(argv[2]) : 5;
  const int batch = 64;
  torch::set_num_threads(threads);
  torch::manual_seed(0);

  // A batch of real three-dots images.
  axial::datasets::ThreeDots dots;
  axial::Rng rng = axial::make_rng(0, 0);
  axial::FactorMatrix f(6, batch);
  for (int i = 0; i < batch; ++i)
    for (int k = 0; k < 6; ++k) f(k, i) = axial::uniform_int(rng, 0, 63);
  auto x = torch::empty({batch, 1, 64, 64});
  dots.observations(f, x.data_ptr<float>());

  struct Case {
    const char* name;
    double gamma;
    JacobianMethod method;
    int columns;
  };
  const std::vector<Case> cases = {
      {"beta-VAE (gamma=0)", 0.0, JacobianMethod::FiniteDifference, 0},
      {"JL1 fd", 0.1, JacobianMethod::FiniteDifference, 0},
      {"JL1 exact", 0.1, JacobianMethod::Exact, 0},
      {"JL1 fd, k=2 columns", 0.1, JacobianMethod::FiniteDifference, 2},
      {"JL1 exact, k=2 columns", 0.1, JacobianMethod::Exact, 2},
  };
  fmt::print("bench_train: batch {}, {} thread(s), {} timed steps after 1 warm-up, LibTorch {}\n", batch, threads,
             steps, TORCH_VERSION);
  fmt::print("{:<24} {:>12} {:>12}\n", "case", "ms/step", "images/s");
  for (const auto& c : cases) {
    Vae vae;
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
    step();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) step();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / steps;
    fmt::print("{:<24} {:>12.1f} {:>12.1f}\n", c.name, s * 1e3, batch / s);
  }
  return 0;
}
