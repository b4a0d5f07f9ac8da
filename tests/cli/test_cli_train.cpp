// `axial train`: bad options exit 2 before any work; a run killed with SIGKILL and resumed ends bit-identical to an
// uninterrupted one; a diverging run stops naming the step.
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "src/core/error.hpp"
#include "models/vae.hpp"
#include "tests/support/run_axial.hpp"

#include <doctest/doctest.h>  // last: glog redefines CHECK

using axial::test::run_axial;
using axial::test::TempDir;
namespace fs = std::filesystem;

namespace {
const std::string kTiny =
    " --batch-size 4 --train-cache 32 --latent-dim 3 --threads 1 --device cpu --quiet --anneal-steps 10 ";

void check_error(const std::string& args, const std::string& needle) {
  CAPTURE(args);
  auto r = run_axial("train " + args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("axial: error: ", 0) == 0);
  CHECK(r.err.find(needle) != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}
}  // namespace

TEST_CASE("axial train: invalid options exit 2 and leave nothing behind") {
  TempDir tmp;
  const std::string out = " --out '" + (tmp / "run").string() + "'";
  check_error("--beta -1" + out, "--beta");
  check_error("--gamma -0.5" + out, "--gamma");
  check_error("--steps -3" + out, "--steps");
  check_error("--lr -0.001" + out, "--lr");
  check_error("--device tpu" + out, "tpu");
  check_error("--penalty l7" + out, "--penalty");
  check_error("--jacobian wrong" + out, "--jacobian");
  check_error("--dataset '" + (tmp / "missing.h5").string() + "'" + out, "missing.h5");
  check_error("--dataset no-such-set" + out, "no-such-set");
  check_error("--steps 1", "--out");
  check_error("--out a --resume b", "--out");
  check_error("--resume '" + (tmp / "nothing").string() + "'", "nothing");
  CHECK_FALSE(fs::exists(tmp / "run"));
  fs::create_directories(tmp / "full");
  std::ofstream(tmp / "full" / "x.txt") << "x";
  check_error("--steps 1 --out '" + (tmp / "full").string() + "'", "--resume");
  CHECK(run_axial("train --help").exit_code == 0);
}

TEST_CASE("axial train: killed with SIGKILL and resumed, ends bit-identical") {
  TempDir tmp;
  const std::string common = kTiny + " --steps 300 --checkpoint-every 7 --log-every 50 --gamma 0 --seed 5";
  auto full = run_axial("train" + common + " --out '" + (tmp / "full").string() + "'");
  REQUIRE(full.exit_code == 0);

  // Start the same run in the background, kill -9 it once a checkpoint exists (mid-run), then resume.
  const fs::path dir = tmp / "killed";
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string cmd = std::string("exec '") + AXIAL_BINARY + "' train" + common + " --out '" + dir.string() +
                      "' >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(dir / "checkpoint.pt") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  const bool killed = WIFSIGNALED(status);
  CHECK(fs::exists(dir / "checkpoint.pt"));
  if (killed) CHECK_FALSE(fs::exists(dir / "model" / "vae.pt"));
  auto r = run_axial("train --resume '" + dir.string() + "' --threads 1 --quiet");
  CHECK(r.exit_code == 0);
  CAPTURE(r.err);
  auto a = axial::models::load_vae(tmp / "full"), b = axial::models::load_vae(dir);
  auto pb = b->named_parameters();
  for (const auto& item : a->named_parameters()) {
    CAPTURE(item.key());
    CHECK(torch::equal(item.value(), pb[item.key()]));
  }
  // Training options cannot change on resume.
  check_error("--resume '" + dir.string() + "' --beta 2", "--beta");
}

TEST_CASE("axial train: a NaN/Inf loss stops with the step and keeps the last good checkpoint") {
  TempDir tmp;
  // An absurd learning rate blows the weights up within a few steps (KL's exp(log σ²) overflows).
  auto r = run_axial("train" + kTiny + " --lr 1e30 --steps 50 --checkpoint-every 1 --gamma 0 --out '" +
                     (tmp / "run").string() + "'");
  CAPTURE(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("NaN or Inf at step ") != std::string::npos);
  CHECK(fs::exists(tmp / "run" / "checkpoint.pt"));
  CHECK_FALSE(fs::exists(tmp / "run" / "model" / "vae.pt"));
}
