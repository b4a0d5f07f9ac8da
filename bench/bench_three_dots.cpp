// Speed of three-dots rendering (issue 2 §3): images per second for render_levels (the trainer's uint8 cache path)
// and observations (float), on 1 and 2 threads. No ratio to the paper's Python/OpenCV renderer is printed: that
// needs both timed side by side in one session (scripts/dev/check_three_dots.py renders with it; python3-opencv).
//   usage: bench_three_dots [N=200000]
#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "src/core/random.hpp"
#include "datasets/sampling.hpp"
#include "datasets/three_dots.hpp"

namespace {

using Clock = std::chrono::steady_clock;

template <class F>
double seconds(F&& f) {
  const auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 200000;
  std::unique_ptr<axial::datasets::ThreeDots> holder;
  const double setup = seconds([&] { holder = std::make_unique<axial::datasets::ThreeDots>(); });  // builds the stamps
  const auto& td = *holder;
  auto rng = axial::make_rng(0);
  const axial::FactorMatrix rows = axial::datasets::sample_global(td, n, rng);
  std::vector<std::uint8_t> levels(static_cast<std::size_t>(n) * 4096);
  const std::int64_t fn = std::min<std::int64_t>(n, 20000);
  std::vector<float> floats(static_cast<std::size_t>(fn) * 4096);
  const axial::FactorMatrix frows = rows.leftCols(fn);

  td.render_levels(rows.leftCols(std::min<std::int64_t>(n, 1000)), levels.data());  // warm up
  const double t1 = seconds([&] { td.render_levels(rows, levels.data()); });
  const double t2 = seconds([&] {
    const std::int64_t half = n / 2;
    const axial::FactorMatrix a = rows.leftCols(half), b = rows.rightCols(n - half);
    std::thread th([&] { td.render_levels(b, levels.data() + half * 4096); });
    td.render_levels(a, levels.data());
    th.join();
  });
  const double tf = seconds([&] { td.observations(frows, floats.data()); });

  fmt::print("three-dots rendering, {} images (one-time stamp table: {:.1f} ms)\n", n,
             setup * 1e3);
  fmt::print("  render_levels, 1 thread : {:>12.0f} images/s  ({:.3f} us/image)\n", n / t1, t1 / n * 1e6);
  fmt::print("  render_levels, 2 threads: {:>12.0f} images/s  ({:.3f} us/image)\n", n / t2, t2 / n * 1e6);
  fmt::print("  observations (float), 1 thread: {:>6.0f} images/s  ({:.3f} us/image, {} images)\n", fn / tf,
             tf / fn * 1e6, fn);
  return 0;
}
