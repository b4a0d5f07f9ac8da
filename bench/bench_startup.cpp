// Start-up and whole-process times of the torch-free `axial` (issue 11's targets: `axial --version`,
// `axial score --help` and `axial score` on a 100-row codes file ≤ 30 ms; `axial score --metrics mig,modularity`
// on 10,000 × 10 codes with 6 factors ≤ 60 ms), and `axial-torch --version` beside them for the LibTorch load.
// Each command runs `--rounds` times (default 15) as a child process; prints min/median/max wall time. Never
// asserted in tests (tests never time).
//   build/bench/bench_startup [--rounds N]
#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <thread>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "src/core/random.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace {

double run_once(const std::vector<std::string>& argv_s) {
  std::vector<char*> argv;
  for (const auto& s : argv_s) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
    fmt::print(stderr, "cannot run {}\n", argv_s[0]);
    std::exit(1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  posix_spawn_file_actions_destroy(&fa);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& s : argv_s) cmd += s + " ";
    fmt::print(stderr, "failed: {}\n", cmd);
    std::exit(1);
  }
  return ms;
}

void write_codes_csv(const fs::path& path, int n, int L, int K) {
  axial::Rng rng = axial::make_rng(7);
  std::ofstream out(path);
  for (int l = 0; l < L; ++l) out << (l ? "," : "") << "z" << l;
  for (int k = 0; k < K; ++k) out << ",y" << k;
  out << "\n";
  for (int i = 0; i < n; ++i) {
    std::vector<std::int64_t> y(static_cast<std::size_t>(K));
    for (auto& v : y) v = axial::uniform_int(rng, 0, 9);
    for (int l = 0; l < L; ++l)
      out << (l ? "," : "") << fmt::format("{:.6f}", (l < K ? double(y[std::size_t(l)]) : 0.0) + axial::uniform_real(rng));
    for (auto v : y) out << "," << v;
    out << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 15;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::max(1, std::atoi(argv[i + 1]));
  const fs::path bin = fs::path(AXIAL_BUILD_DIR) / "src";
  const std::string axial = (bin / "axial").string(), torch = (bin / "axial-torch").string();
  const fs::path dir = fs::temp_directory_path() / fmt::format("axial-bench-startup-{}", getpid());
  fs::create_directories(dir);
  write_codes_csv(dir / "small.csv", 100, 10, 6);
  write_codes_csv(dir / "large.csv", 10000, 10, 6);
  struct Case {
    std::string label;
    std::vector<std::string> argv;
    double target_ms;
  };
  std::vector<Case> cases = {
      {"axial --version", {axial, "--version"}, 30},
      {"axial score --help", {axial, "score", "--help"}, 30},
      {"axial score (100 rows)", {axial, "score", "--codes", (dir / "small.csv").string()}, 30},
      {"axial score --metrics mig,modularity (10,000 x 10, 6 factors)",
       {axial, "score", "--codes", (dir / "large.csv").string(), "--metrics", "mig,modularity"}, 60},
  };
  if (fs::exists(torch)) cases.push_back({"axial-torch --version (loads LibTorch)", {torch, "--version"}, 0});
  std::vector<std::vector<double>> times(cases.size());
  for (int r = 0; r < rounds; ++r)  // interleaved rounds
    for (std::size_t c = 0; c < cases.size(); ++c) times[c].push_back(run_once(cases[c].argv));
  fmt::print("| command | min ms | median ms | max ms | target |\n|---|---|---|---|---|\n");
  for (std::size_t c = 0; c < cases.size(); ++c) {
    auto& t = times[c];
    std::sort(t.begin(), t.end());
    fmt::print("| {} | {:.1f} | {:.1f} | {:.1f} | {} |\n", cases[c].label, t.front(), t[t.size() / 2], t.back(),
               cases[c].target_ms > 0 ? fmt::format("≤ {:.0f} ms", cases[c].target_ms) : std::string("—"));
  }
  fmt::print("({} interleaved rounds, {} hardware threads)\n", rounds, std::thread::hardware_concurrency());
  fs::remove_all(dir);
  return 0;
}
