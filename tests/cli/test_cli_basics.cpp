// CLI basics: --version, --help, unknown commands. Runs the built `axial` binary.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/run_axial.hpp"

#include <doctest/doctest.h>

TEST_CASE("axial --version prints the version and exits 0") {
  auto r = axial::test::run_axial("--version");
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("axial ", 0) == 0);
}

TEST_CASE("axial --version names the commit that was built (refreshed at every build, not at configure time)") {
  // The source tree's HEAD now; the build that produced the binary ran after it (ctest runs after the build).
  std::string head;
  {
    const std::string cmd = std::string("git -C '") + AXIAL_SOURCE_DIR + "' rev-parse --short=12 HEAD 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[128];
    while (fgets(buf, sizeof buf, p)) head += buf;
    pclose(p);
  }
  head.erase(std::remove(head.begin(), head.end(), '\n'), head.end());
  auto r = axial::test::run_axial("--version");
  REQUIRE(r.exit_code == 0);
  INFO("git HEAD '" << head << "', axial --version: " << r.out);
  if (head.empty())  // not a git checkout (e.g. a source tarball): the build says so
    CHECK(r.out.find("(unknown)") != std::string::npos);
  else
    CHECK(r.out.find("(" + head) != std::string::npos);
}

TEST_CASE("axial with an unknown command: one error line naming it, exit 2") {
  auto r = axial::test::run_axial("frobnicate");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("axial: error: unknown command 'frobnicate'") == 0);
  CHECK(r.err.find("valid: data") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("axial --help lists every subcommand") {
  auto r = axial::test::run_axial("--help");
  CHECK(r.exit_code == 0);
  for (const char* name : {"data", "score", "train", "eval", "report", "reproduce", "sweep", "figures"})
    CHECK(r.out.find(std::string("  ") + name) != std::string::npos);
}

// --- two executables split at the LibTorch seam --------------------------------------------------------------
namespace {
std::string command_output(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return out;
}
}  // namespace

TEST_CASE("axial links no LibTorch and axial-torch does") {
  const std::string core = command_output(std::string("ldd '") + AXIAL_BINARY + "'");
  const std::string torch = command_output(std::string("ldd '") + AXIAL_TORCH_BINARY + "'");
  REQUIRE(core.find("libc.so") != std::string::npos);  // ldd worked
  CHECK(core.find("libtorch") == std::string::npos);
  CHECK(core.find("libc10") == std::string::npos);
  CHECK(torch.find("libtorch") != std::string::npos);
}

TEST_CASE("axial runs the torch commands through its sibling with the same arguments and exit status") {
  auto help = axial::test::run_axial("train --help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("Usage: axial train") == 0);
  auto bad = axial::test::run_axial("eval --model /nonexistent/model.pt --out /tmp/never-written --quiet");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "axial: error: --model '/nonexistent/model.pt': not found\n");
}

TEST_CASE("a missing axial-torch is one clear error naming it, exit 2") {
  axial::test::TempDir tmp;
  std::filesystem::copy_file(AXIAL_BINARY, tmp / "axial");
  const std::string cmd = axial::test::q(tmp / "axial") + " train --steps 1 --out " + axial::test::q(tmp / "run") +
                          " 2>" + axial::test::q(tmp / "err") + "; echo $?";
  const std::string rc = command_output(cmd);
  CHECK(rc == "2\n");
  const std::string err = axial::test::slurp(tmp / "err");
  CHECK(err.find("axial: error: `axial train` needs the executable 'axial-torch' next to this one") == 0);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(tmp / "run"));
  // The torch-free commands still work without it.
  CHECK(command_output(axial::test::q(tmp / "axial") + " --version").rfind("axial ", 0) == 0);
}

TEST_CASE("unsigned and ranged options reject out-of-range text with the option named") {
  axial::test::TempDir tmp;
  for (const std::string& cmd :
       {std::string("train --seed=-1 --steps 1 --out ") + axial::test::q(tmp / "t"),
        std::string("train --data-seed -3 --steps 1 --out ") + axial::test::q(tmp / "t"),
        std::string("eval --seed=-1 --model x --out ") + axial::test::q(tmp / "e"),
        std::string("train --seed 1.5 --steps 1 --out ") + axial::test::q(tmp / "t"),
        std::string("eval --num-train 12abc --model x --out ") + axial::test::q(tmp / "e")}) {
    auto r = axial::test::run_axial(cmd);
    INFO(cmd << " -> " << r.err);
    CHECK(r.exit_code == 2);
    const std::string option = cmd.substr(cmd.find("--"), cmd.find_first_of(" =", cmd.find("--")) - cmd.find("--"));
    CHECK(r.err.find("axial: error: " + option) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  CHECK_FALSE(std::filesystem::exists(tmp / "t"));
  CHECK_FALSE(std::filesystem::exists(tmp / "e"));
}

TEST_CASE("sweep --run-index -1 is an error, not the whole plan") {
  axial::test::TempDir tmp;
  {
    std::ofstream plan(tmp / "plan.toml");
    plan << "[grid]\nseed = [1, 2]\n[train]\nsteps = 1\n";
  }
  auto r = axial::test::run_axial("sweep " + axial::test::q(tmp / "plan.toml") + " --run-index -1 --out " +
                                  axial::test::q(tmp / "out"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("axial: error: --run-index -1") == 0);
  CHECK_FALSE(std::filesystem::exists(tmp / "out" / "runs"));
}

TEST_CASE("typo-sized values are one error naming the option and the memory they need, not bad_alloc") {
  axial::test::TempDir tmp;
  for (const std::string& cmd :
       {std::string("data generate three-dots --num 2000000000 --out ") + axial::test::q(tmp / "x.h5"),
        std::string("data sample three-dots --clusters 100000 --num 100000 --out ") + axial::test::q(tmp / "y.h5"),
        std::string("train --train-cache 100000000000 --out ") + axial::test::q(tmp / "t")}) {
    auto r = axial::test::run_axial(cmd);
    INFO(cmd << " -> " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("of memory, more than this machine's") != std::string::npos);
    CHECK(r.err.find("internal error") == std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  CHECK_FALSE(std::filesystem::exists(tmp / "x.h5"));
  CHECK_FALSE(std::filesystem::exists(tmp / "t"));
  auto bins = axial::test::run_axial("eval --bins 2000000000 --model x --out " + axial::test::q(tmp / "e"));
  CHECK(bins.exit_code == 2);
  CHECK(bins.err.find("--bins 2000000000: must be between 1 and 1000000") != std::string::npos);
}
