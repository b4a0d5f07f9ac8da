// One writer per run directory (issue 13): the lock file, its PID, stale locks, the checks of a fresh claim.
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "src/core/error.hpp"
#include "src/core/run_lock.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace axial;
namespace fs = std::filesystem;

namespace {
const std::string kPid = std::to_string(static_cast<long>(getpid()));
}

TEST_CASE("claim_new makes the directory, holds a lock file with the PID, removes it at the end") {
  test::TempDir tmp;
  const fs::path dir = tmp / "a" / "run";
  {
    RunDirLock lock = RunDirLock::claim_new(dir, "--out");
    CHECK(lock.created_dir());
    CHECK(test::slurp(dir / RunDirLock::kFileName) == kPid + "\n");
    // A second writer (here: a second claim of this process) is refused, naming the holder.
    const std::string again = test::error_of([&] { RunDirLock::claim_new(dir, "--out"); });
    CHECK(again.find("--out '" + dir.string() + "': another axial train (PID " + kPid + ")") == 0);
    const std::string resume = test::error_of([&] { RunDirLock::claim_existing(dir, "--resume"); });
    CHECK(resume.find("--resume '" + dir.string() + "': another axial train (PID " + kPid + ")") == 0);
    std::ofstream(dir / "config.json") << "{}";
  }
  CHECK_FALSE(fs::exists(dir / RunDirLock::kFileName));
  // Now the directory holds a run: a fresh claim says so, a resume takes it.
  CHECK(test::error_of([&] { RunDirLock::claim_new(dir, "--out"); }).find("not an empty directory (use --resume") !=
        std::string::npos);
  {
    RunDirLock lock = RunDirLock::claim_existing(dir, "--resume");
    CHECK_FALSE(lock.created_dir());
    CHECK(test::slurp(dir / RunDirLock::kFileName) == kPid + "\n");
  }
  CHECK_FALSE(fs::exists(dir / RunDirLock::kFileName));
}

TEST_CASE("claim_new accepts an empty directory and refuses a file or a non-empty one") {
  test::TempDir tmp;
  fs::create_directories(tmp / "empty");
  {
    RunDirLock lock = RunDirLock::claim_new(tmp / "empty", "--out");
    CHECK_FALSE(lock.created_dir());
  }
  std::ofstream(tmp / "file") << "x";
  CHECK(test::error_of([&] { RunDirLock::claim_new(tmp / "file", "--out"); }).find("not an empty directory") !=
        std::string::npos);
  CHECK(test::error_of([&] { RunDirLock::check_new(tmp / "file", "--out"); }).find("not an empty directory") !=
        std::string::npos);
  CHECK(test::error_of([&] { RunDirLock::check_new(tmp / "missing", "--out"); }).empty());
  CHECK_FALSE(fs::exists(tmp / "missing"));
}

TEST_CASE("a lock left by a killed writer is taken over by a resume; a live writer in another process is named") {
  test::TempDir tmp;
  const fs::path dir = tmp / "run";
  fs::create_directories(dir);
  std::ofstream(dir / RunDirLock::kFileName) << "999999\n";  // nobody holds it
  {
    RunDirLock lock = RunDirLock::claim_existing(dir, "--resume");
    CHECK(test::slurp(dir / RunDirLock::kFileName) == kPid + "\n");
  }
  // A child holds the directory until told to stop.
  int to_child[2], from_child[2];
  REQUIRE(pipe(to_child) == 0);
  REQUIRE(pipe(from_child) == 0);
  const pid_t child = fork();
  if (child == 0) {
    try {
      RunDirLock lock = RunDirLock::claim_existing(dir, "--resume");
      char c = 'x';
      if (write(from_child[1], &c, 1) != 1) _exit(2);
      if (read(to_child[0], &c, 1) != 1) _exit(3);
    } catch (...) {
      _exit(1);
    }
    _exit(0);
  }
  char c = 0;
  REQUIRE(read(from_child[0], &c, 1) == 1);
  const std::string child_pid = std::to_string(static_cast<long>(child));
  CHECK(test::error_of([&] { RunDirLock::claim_existing(dir, "--resume"); }).find("(PID " + child_pid + ")") !=
        std::string::npos);
  CHECK(test::error_of([&] { RunDirLock::check_new(dir, "--out"); }).find("(PID " + child_pid + ")") !=
        std::string::npos);
  CHECK(write(to_child[1], &c, 1) == 1);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(fs::exists(dir / RunDirLock::kFileName));
  CHECK_NOTHROW(RunDirLock::claim_existing(dir, "--resume"));
}
