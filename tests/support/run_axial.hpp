#pragma once
// Runs the built `axial` binary (AXIAL_BINARY, set by CMake for the cli suite only) with a shell-quoted argument string and captures
// its exit code, stdout and stderr.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace axial::test {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline RunResult run_axial(const std::string& args) {
  TempDir tmp;
  auto out = tmp / "stdout", err = tmp / "stderr";
  std::string cmd = std::string("'") + AXIAL_BINARY + "' " + args + " >'" + out.string() + "' 2>'" + err.string() +
                    "' </dev/null";
  int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace axial::test
