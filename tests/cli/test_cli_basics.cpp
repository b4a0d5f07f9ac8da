// CLI basics: --version, --help, unknown commands. Runs the built `axial` binary.
#include <algorithm>
#include <cstdio>
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
  for (const char* name : {"data", "score", "train", "eval", "report", "reproduce", "sweep"})
    CHECK(r.out.find(std::string("  ") + name) != std::string::npos);
}
