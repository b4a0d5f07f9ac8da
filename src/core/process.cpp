#include "src/core/process.hpp"

#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "src/core/error.hpp"

extern char** environ;

namespace axial {

namespace fs = std::filesystem;

fs::path self_binary() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot find the running binary (/proc/self/exe)");
  return p;
}

fs::path sibling_binary(const std::string& name, const std::string& needed_for) {
  const fs::path p = self_binary().parent_path() / name;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec) || ::access(p.c_str(), X_OK) != 0)
    throw Error(fmt::format("{} needs the executable '{}' next to this one ('{}' not found or not executable; build "
                            "axial with -DAXIAL_WITH_TORCH=ON, the default)",
                            needed_for, name, p.string()));
  return p;
}

namespace {
// argv = {program, args…} for posix_spawn/execv; the strings live in `storage`. Flushes our streams first, so the
// child's output comes after ours.
std::vector<char*> prepare_argv(const fs::path& program, const std::vector<std::string>& args,
                                std::vector<std::string>& storage) {
  storage = {program.string()};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::cout << std::flush;
  std::cerr << std::flush;
  return argv;
}
}  // namespace

int spawn_and_wait(const fs::path& program, const std::vector<std::string>& args) {
  std::vector<std::string> storage;
  auto argv = prepare_argv(program, args, storage);
  pid_t pid = 0;
  const int err = ::posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ);
  if (err != 0) throw Error(fmt::format("cannot start '{}': {}", program.string(), std::strerror(err)));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error(fmt::format("waiting for '{}' failed: {}", program.string(), std::strerror(errno)));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

void exec_program(const fs::path& program, const std::vector<std::string>& args) {
  std::vector<std::string> storage;
  auto argv = prepare_argv(program, args, storage);
  ::execv(program.c_str(), argv.data());
  throw Error(fmt::format("cannot run '{}': {}", program.string(), std::strerror(errno)));
}

}  // namespace axial
