#pragma once
// Faults for tests: a file-size limit stands in for a full disk (writes past it fail with EFBIG, as ENOSPC would).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>

namespace axial::test {

// Runs `body` in a child process whose files may not grow past `limit` bytes (RLIMIT_FSIZE, SIGXFSZ ignored: writes
// fail with EFBIG as on a full disk). The child ends with exit() — running HDF5's exit handler, where a file left
// half-closed used to crash — with body's return value; returns the child's wait status.
inline int in_limited_child(long limit, const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim {};
    lim.rlim_cur = lim.rlim_max = static_cast<rlim_t>(limit);
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0) _exit(100);
    int rc = 101;
    try {
      rc = body();
    } catch (...) {
      rc = 102;
    }
    std::exit(rc);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}


}  // namespace axial::test
