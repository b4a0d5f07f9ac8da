#include "src/core/atomic_output.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "src/core/error.hpp"

namespace axial {

namespace {
// Temporary path → target of every live AtomicOutput (for shown_path).
std::mutex g_live_mutex;
std::map<std::string, std::filesystem::path>& live_outputs() {
  static std::map<std::string, std::filesystem::path> m;
  return m;
}
}  // namespace

std::filesystem::path AtomicOutput::shown_path(const std::filesystem::path& path) {
  std::lock_guard<std::mutex> lock(g_live_mutex);
  auto it = live_outputs().find(path.string());
  return it == live_outputs().end() ? path : it->second;
}

AtomicOutput::AtomicOutput(std::filesystem::path target) : target_(std::move(target)) {
  if (target_.empty()) throw Error("empty output path");
  auto dir = target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    // Below a regular file (`--out plain/x.csv`) the directory can never exist: name the file.
    for (auto p = dir; !p.empty(); p = p.parent_path()) {
      if (std::filesystem::exists(p, ec) && !std::filesystem::is_directory(p, ec))
        throw Error(p == dir ? fmt::format("output directory '{}' is a file, not a directory (for '{}')", dir.string(),
                                           target_.string())
                             : fmt::format("output directory '{}': '{}' is a file, not a directory (for '{}')",
                                           dir.string(), p.string(), target_.string()));
      if (p == p.parent_path()) break;
    }
    throw Error(fmt::format("output directory '{}' does not exist (for '{}')", dir.string(), target_.string()));
  }
  temp_ = dir / fmt::format(".{}.tmp-{}", target_.filename().string(), static_cast<long>(::getpid()));
  std::lock_guard<std::mutex> lock(g_live_mutex);
  live_outputs()[temp_.string()] = target_;
}

AtomicOutput::~AtomicOutput() {
  {
    std::lock_guard<std::mutex> lock(g_live_mutex);
    live_outputs().erase(temp_.string());
  }
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

namespace {
// fsync of a directory, so a rename in it survives a crash. Failures of fsync on a directory are ignored where the
// file system does not support it (EINVAL), reported otherwise.
void sync_directory(const std::filesystem::path& dir, const std::filesystem::path& target) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL && err != EROFS)
    throw Error(fmt::format("cannot write '{}': {}", target.string(), std::strerror(err)));
}
}  // namespace

void AtomicOutput::sync_temp() {
  // The temporary file must have reached the disk before it replaces the target: a full disk can make close() (or
  // fsync) the first call that fails, and renaming a short file over a good one would lose data.
  const int fd = ::open(temp_.c_str(), O_RDONLY);
  if (fd < 0) throw Error(fmt::format("cannot write '{}': {}", target_.string(), std::strerror(errno)));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) throw Error(fmt::format("cannot write '{}': {}", target_.string(), std::strerror(err)));
}

void AtomicOutput::rename_onto_target() {
  std::error_code ec;
  std::filesystem::rename(temp_, target_, ec);
  if (ec) throw Error(fmt::format("cannot write '{}': {}", target_.string(), ec.message()));
  committed_ = true;
}

void AtomicOutput::commit() {
  sync_temp();
  rename_onto_target();
  sync_directory(target_.has_parent_path() ? target_.parent_path() : std::filesystem::path("."), target_);
}

namespace {
// Writes `contents` to out.temp_path(), checking every write, the fsync and the close.
void write_temp(const AtomicOutput& out, const std::filesystem::path& target, const std::string& contents);
}  // namespace

void write_file_atomically(const std::filesystem::path& target, const std::string& contents) {
  AtomicOutput out(target);
  write_temp(out, target, contents);
  out.commit();
}

void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files) {
  std::vector<std::unique_ptr<AtomicOutput>> outs;
  for (const auto& [target, contents] : files) {
    outs.push_back(std::make_unique<AtomicOutput>(target));
    write_temp(*outs.back(), target, contents);
  }
  for (auto& o : outs) o->sync_temp();
  // All complete and on disk: the renames back to back, so a kill finds the old set or the new one (bar the
  // microseconds between two renames), then each directory synced once.
  for (auto& o : outs) o->rename_onto_target();
  std::vector<std::filesystem::path> dirs;
  for (auto& o : outs) {
    const auto dir = o->target().has_parent_path() ? o->target().parent_path() : std::filesystem::path(".");
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  for (const auto& d : dirs) sync_directory(d, outs.back()->target());
}

namespace {
void write_temp(const AtomicOutput& out, const std::filesystem::path& target, const std::string& contents) {
  const int fd = ::open(out.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(fmt::format("cannot open '{}' for writing: {}", out.temp_path().string(), std::strerror(errno)));
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      ::close(fd);
      throw Error(fmt::format("cannot write '{}': {}", target.string(), std::strerror(err)));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 && errno != EINVAL) {
    const int err = errno;
    ::close(fd);
    throw Error(fmt::format("cannot write '{}': {}", target.string(), std::strerror(err)));
  }
  if (::close(fd) != 0) throw Error(fmt::format("cannot write '{}': {}", target.string(), std::strerror(errno)));
}
}  // namespace

}  // namespace axial
