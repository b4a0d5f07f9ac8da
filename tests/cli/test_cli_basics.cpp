// CLI basics: --version, --help, unknown commands. Runs the built `axial` binary.
#include <algorithm>
#include <cstdio>
#include <string>

#include "tests/cli/run_axial.hpp"

#include <doctest/doctest.h>

TEST_CASE("axial --version prints the version and exits 0") {
  auto r = axial::test::run_axial("--version");
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("axial ", 0) == 0);
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
  for (const char* name : {"data", "score", "train", "eval", "report", "reproduce", "sweep"})
    CHECK(r.out.find(std::string("  ") + name) != std::string::npos);
}
