#include "src/core/run_lock.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "src/core/error.hpp"

namespace axial {

namespace fs = std::filesystem;

namespace {

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

[[noreturn]] void fail(const std::string& option, const fs::path& dir, const std::string& what, int err) {
  throw Error(fmt::format("{} {}: {} ({})", option, quoted(dir), what, std::strerror(err)));
}

// The PID written in a lock file (0 if unreadable). A writer that has just created it may not have written it yet
// (claim_existing): a short wait for it.
long holder_pid(const fs::path& lock) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[32] = {};
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n > 0) return std::strtol(buf, nullptr, 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

[[noreturn]] void busy(const std::string& option, const fs::path& dir, long pid) {
  const std::string who = pid > 0 ? fmt::format("another axial train (PID {})", pid) : "another axial train";
  throw Error(fmt::format("{} {}: {} is writing to this directory (lock file {}); wait for it to finish or choose "
                          "another directory",
                          option, quoted(dir), who, RunDirLock::kFileName));
}

// True if some process holds the flock of `lock` (false when it does not exist).
bool held(const fs::path& lock) {
  const int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return locked;
}

bool is_lock_name(const std::string& name) {
  const std::string base = RunDirLock::kFileName;
  return name == base || name.rfind(base + ".", 0) == 0;
}

// Entries of `dir` other than lock files.
bool has_other_entries(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (!is_lock_name(it->path().filename().string())) return true;
  return false;
}

bool write_pid(int fd) {
  const std::string pid = std::to_string(static_cast<long>(::getpid())) + "\n";
  return ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
}

[[noreturn]] void not_empty(const std::string& option, const fs::path& dir) {
  throw Error(fmt::format("{} {}: exists and is not an empty directory (use --resume to continue a run)", option,
                          quoted(dir)));
}

bool same_file(int fd, const fs::path& path) {
  struct stat a {}, b {};
  return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

void RunDirLock::check_new(const fs::path& dir, const std::string& option) {
  const fs::path lock = dir / kFileName;
  if (held(lock)) busy(option, dir, holder_pid(lock));
  std::error_code ec;
  if (fs::exists(dir, ec) && (!fs::is_directory(dir, ec) || has_other_entries(dir) || fs::exists(lock, ec)))
    not_empty(option, dir);
}

RunDirLock RunDirLock::claim_new(const fs::path& dir, const std::string& option) {
  check_new(dir, option);
  const fs::path lock = dir / kFileName;
  std::error_code ec;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  bool created = false;
  if (::mkdir(dir.c_str(), 0777) == 0) created = true;
  else if (errno != EEXIST) fail(option, dir, "cannot create the directory", errno);
  else if (!fs::is_directory(dir, ec)) not_empty(option, dir);
  auto give_up = [&](int err, const std::string& what) {
    if (created) ::rmdir(dir.c_str());  // fails, harmlessly, if another writer has put something in it
    fail(option, dir, what, err);
  };

  // The lock file, complete (locked, PID written) before it appears under its name.
  const fs::path temp = dir / fmt::format("{}.{}", kFileName, static_cast<long>(::getpid()));
  const int fd = ::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) give_up(errno, "cannot create the lock file " + quoted(temp));
  const bool ready = ::flock(fd, LOCK_EX | LOCK_NB) == 0 && write_pid(fd);
  const int ready_err = errno;
  const int linked = ready ? ::link(temp.c_str(), lock.c_str()) : -1;
  const int link_err = errno;
  ::unlink(temp.c_str());
  if (!ready || linked != 0) {
    ::close(fd);
    if (!ready) give_up(ready_err, "cannot write the lock file " + quoted(temp));
    if (link_err == EEXIST) {  // another writer claimed it first
      if (held(lock)) busy(option, dir, holder_pid(lock));
      not_empty(option, dir);
    }
    give_up(link_err, "cannot create the lock file " + quoted(lock));
  }
  RunDirLock claim(dir, fd, created);
  // Claimed. A run that started and ended since the check above left its files: not ours to overwrite.
  if (has_other_entries(dir)) {
    claim.created_ = false;
    not_empty(option, dir);
  }
  return claim;
}

RunDirLock RunDirLock::claim_existing(const fs::path& dir, const std::string& option) {
  const fs::path lock = dir / kFileName;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) fail(option, dir, "cannot create the lock file " + quoted(lock), errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) busy(option, dir, holder_pid(lock));
      fail(option, dir, "cannot lock " + quoted(lock), err);
    }
    // The holder before us removes the file when it ends: ours only if the name still leads to this file.
    if (!same_file(fd, lock)) {
      ::close(fd);
      continue;
    }
    RunDirLock claim(dir, fd, false);
    if (!write_pid(fd)) fail(option, dir, "cannot write the lock file " + quoted(lock), errno);
    return claim;
  }
  fail(option, dir, "cannot take the lock file " + quoted(lock), EAGAIN);
}

RunDirLock::RunDirLock(RunDirLock&& other) noexcept
    : dir_(std::move(other.dir_)), fd_(other.fd_), created_(other.created_) {
  other.fd_ = -1;
}

void RunDirLock::release() {
  if (fd_ < 0) return;
  const fs::path lock = dir_ / kFileName;
  if (same_file(fd_, lock)) ::unlink(lock.c_str());  // while still holding it: no one can take it in between
  ::close(fd_);
  fd_ = -1;
}

RunDirLock::~RunDirLock() { release(); }

}  // namespace axial
