#pragma once
// Runs the built `axial` binary (AXIAL_BINARY, set by CMake for the cli suite only) with a shell-quoted argument string and captures
// its exit code, stdout and stderr.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace axial::test {

struct RunResult {
  int exit_code = -1;  // -1 when the process was killed by a signal
  int signal = 0;      // the signal that killed it (run_axial_limited only)
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

// Like run_axial, with every file the process writes limited to `max_file_bytes` (RLIMIT_FSIZE, SIGXFSZ ignored):
// a write past it fails with EFBIG, as on a full disk. `exit_code` is -1 and `signal` is set when it was killed.
// cpu_seconds > 0 also limits its CPU time (SIGXCPU), so a process that loops fails the test instead of hanging it.
inline RunResult run_axial_limited(const std::string& args, long max_file_bytes, long cpu_seconds = 0) {
  TempDir tmp;
  auto out = tmp / "stdout", err = tmp / "stderr";
  std::string cmd = std::string("exec '") + AXIAL_BINARY + "' " + args + " >'" + out.string() + "' 2>'" +
                    err.string() + "' </dev/null";
  RunResult r;
  const pid_t pid = fork();
  if (pid < 0) return r;
  if (pid == 0) {
    struct rlimit lim {};
    lim.rlim_cur = lim.rlim_max = static_cast<rlim_t>(max_file_bytes);
    ::signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0) _exit(126);
    struct rlimit cpu {};
    cpu.rlim_cur = cpu.rlim_max = static_cast<rlim_t>(cpu_seconds);
    if (cpu_seconds > 0 && setrlimit(RLIMIT_CPU, &cpu) != 0) _exit(126);
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace axial::test
