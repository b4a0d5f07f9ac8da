#include "src/core/atomic_output.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

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

namespace {
// Throws axial::Error unless `dir` (where `target` goes) is an existing directory, naming a regular file in the way
// (`--out plain/x.csv` can never work) or the missing directory.
void require_output_directory(const std::filesystem::path& dir, const std::filesystem::path& target) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return;
  for (auto p = dir; !p.empty(); p = p.parent_path()) {
    if (std::filesystem::exists(p, ec) && !std::filesystem::is_directory(p, ec))
      throw Error(p == dir ? fmt::format("output directory '{}' is a file, not a directory (for '{}')", dir.string(),
                                         target.string())
                           : fmt::format("output directory '{}': '{}' is a file, not a directory (for '{}')",
                                         dir.string(), p.string(), target.string()));
    if (p == p.parent_path()) break;
  }
  throw Error(fmt::format("output directory '{}' does not exist (for '{}')", dir.string(), target.string()));
}
}  // namespace

AtomicOutput::AtomicOutput(std::filesystem::path target) : target_(std::move(target)) {
  if (target_.empty()) throw Error("empty output path");
  auto dir = target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
  require_output_directory(dir, target_);
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
// Writes `contents` to `path` (a new file), checking every write, the fsync and the close; `shown` in messages.
void write_new_file(const std::filesystem::path& path, const std::filesystem::path& shown, const std::string& contents);
}  // namespace

void write_file_atomically(const std::filesystem::path& target, const std::string& contents) {
  AtomicOutput out(target);
  write_new_file(out.temp_path(), target, contents);
  out.commit();
}

void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files) {
  if (files.empty()) return;
  auto parent = [](const std::filesystem::path& p) {
    return p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  };
  bool one_dir = true;
  for (const auto& f : files) one_dir = one_dir && parent(f.first) == parent(files.front().first);
  if (one_dir) {
    require_output_directory(parent(files.front().first), files.front().first);
    OutputSet set(parent(files.front().first));
    for (const auto& [target, contents] : files) set.write(target.filename(), contents);
    set.commit();
    return;
  }
  std::vector<std::unique_ptr<AtomicOutput>> outs;
  for (const auto& [target, contents] : files) {
    outs.push_back(std::make_unique<AtomicOutput>(target));
    write_new_file(outs.back()->temp_path(), target, contents);
  }
  for (auto& o : outs) o->sync_temp();
  // All complete and on disk: the renames back to back, so a kill finds the old set or the new one (bar the
  // microseconds between two renames), then each directory synced once.
  for (auto& o : outs) o->rename_onto_target();
  std::vector<std::filesystem::path> dirs;
  for (auto& o : outs) {
    const auto dir = parent(o->target());
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  for (const auto& d : dirs) sync_directory(d, outs.back()->target());
}

// ---------------------------------------------------------------------------------------------------------------
// OutputSet

namespace {

namespace fs = std::filesystem;

std::function<void()>& before_swap_hook() {
  static std::function<void()> hook;
  return hook;
}

std::atomic<unsigned> g_set_counter{0};
constexpr std::size_t kMaxLinkedEntries = 10000;
const char* const kStagingTag = ".axial-set-";

void write_new_file(const fs::path& path, const fs::path& shown, const std::string& contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(fmt::format("cannot write '{}': {}", shown.string(), std::strerror(errno)));
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      ::close(fd);
      throw Error(fmt::format("cannot write '{}': {}", shown.string(), std::strerror(err)));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 && errno != EINVAL) {
    const int err = errno;
    ::close(fd);
    throw Error(fmt::format("cannot write '{}': {}", shown.string(), std::strerror(err)));
  }
  if (::close(fd) != 0) throw Error(fmt::format("cannot write '{}': {}", shown.string(), std::strerror(errno)));
}

// fsync of every directory below `root` (and root): the staged tree's entries are on disk before it becomes DIR
// (the files themselves were synced when written; the linked ones are old files).
void sync_tree(const fs::path& root, const fs::path& shown) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_symlink(ec) || !it->is_directory(ec)) continue;
    const int fd = ::open(it->path().c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (fd < 0) continue;
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0 && err != EINVAL && err != EROFS && err != EBADF)
      throw Error(fmt::format("cannot write '{}': {}", shown.string(), std::strerror(err)));
  }
  sync_directory(root, shown);
}

bool inside(const fs::path& p, const fs::path& dir) {
  const std::string a = p.lexically_normal().string(), d = dir.lexically_normal().string();
  return a == d || (a.size() > d.size() && a.compare(0, d.size(), d) == 0 && (d.back() == '/' || a[d.size()] == '/'));
}

// Removes staging directories of `name` beside it whose process is gone (a set killed before it finished).
void remove_stale_staging(const fs::path& parent, const std::string& name) {
  const std::string prefix = "." + name + kStagingTag;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(n.c_str() + prefix.size(), nullptr, 10);
    if (pid <= 0 || pid == static_cast<long>(::getpid())) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to judge)
    std::error_code rm;
    fs::remove_all(e.path(), rm);
  }
}

int exchange(const fs::path& a, const fs::path& b) {
#ifdef RENAME_EXCHANGE
  return ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
#else
  errno = ENOSYS;
  return -1;
#endif
}

}  // namespace

void OutputSet::set_before_swap_hook(std::function<void()> hook) { before_swap_hook() = std::move(hook); }

OutputSet::OutputSet(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  if (dir_.empty()) dir_ = ".";
  if (!fs::is_directory(dir_, ec))
    throw Error(fmt::format("output directory '{}' does not exist or is not a directory", dir_.string()));
  real_ = fs::canonical(dir_, ec);
  if (ec) throw Error(fmt::format("output directory '{}': {}", dir_.string(), ec.message()));
  const std::string tag = fmt::format("{}{}-{}", kStagingTag, static_cast<long>(::getpid()), g_set_counter++);
  if (real_.has_parent_path() && real_ != real_.root_path()) {
    remove_stale_staging(real_.parent_path(), real_.filename().string());
    staging_ = real_.parent_path() / ("." + real_.filename().string() + tag);
    if (::mkdir(staging_.c_str(), 0700) != 0) staging_.clear();
  }
  if (staging_.empty()) {  // DIR's parent is not writable (or DIR is /): stage inside DIR, rename file by file
    staging_inside_ = true;
    staging_ = real_ / tag;
    if (::mkdir(staging_.c_str(), 0700) != 0)
      throw Error(fmt::format("cannot write in '{}': {}", dir_.string(), std::strerror(errno)));
  }
}

OutputSet::~OutputSet() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

fs::path OutputSet::stage(const fs::path& relative) {
  const fs::path rel = relative.lexically_normal();
  if (rel.empty() || rel.is_absolute() || *rel.begin() == "..")
    throw Error(fmt::format("output set: '{}' is not a path inside '{}'", relative.string(), dir_.string()));
  if (std::find(files_.begin(), files_.end(), rel) == files_.end()) files_.push_back(rel);
  const fs::path path = staging_ / rel;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) throw Error(fmt::format("cannot write '{}': {}", (dir_ / rel).string(), ec.message()));
  return path;
}

void OutputSet::write(const fs::path& relative, const std::string& contents) {
  const fs::path path = stage(relative);
  write_new_file(path, dir_ / relative.lexically_normal(), contents);
}

void OutputSet::adopt(const fs::path& relative) {
  const fs::path path = stage(relative);
  const fs::path from = real_ / relative.lexically_normal();
  if (::link(from.c_str(), path.c_str()) == 0) return;
  std::error_code ec;
  fs::copy_file(from, path, fs::copy_options::overwrite_existing, ec);
  if (ec) throw Error(fmt::format("cannot write '{}': {}", (dir_ / relative).string(), ec.message()));
}

void OutputSet::replace_subdirectory(const fs::path& relative) { replaced_.push_back(relative.lexically_normal()); }

bool OutputSet::is_set_file(const fs::path& rel) const {
  return std::find(files_.begin(), files_.end(), rel) != files_.end();
}

bool OutputSet::is_replaced(const fs::path& rel) const {
  for (const auto& r : replaced_)
    if (inside(rel, r)) return true;
  return false;
}

// Hard-links (recursively) every entry of `from` that the set does not replace into `to`. False when something
// cannot be carried over (the caller then renames file by file).
bool OutputSet::link_others(const fs::path& from, const fs::path& to, const fs::path& rel, std::size_t& count) const {
  std::error_code ec;
  fs::directory_iterator it(from, ec);
  if (ec) return false;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return false;
    const fs::path name = it->path().filename();
    const fs::path r = rel.empty() ? name : rel / name;
    if (++count > kMaxLinkedEntries) return false;
    if (is_set_file(r) || is_replaced(r)) continue;
    if (staging_inside_ && it->path() == staging_) continue;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) return false;
    const fs::path dst = to / name;
    if (S_ISDIR(st.st_mode)) {
      if (::mkdir(dst.c_str(), st.st_mode & 07777) != 0 && errno != EEXIST) return false;
      if (!link_others(it->path(), dst, r, count)) return false;
    } else if (S_ISREG(st.st_mode)) {
      struct stat staged {};
      if (::lstat(dst.c_str(), &staged) == 0) continue;  // staged by the set under a name it did not declare
      if (::link(it->path().c_str(), dst.c_str()) != 0) return false;
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
      const ssize_t n = ::readlink(it->path().c_str(), target.data(), target.size());
      if (n < 0 || static_cast<std::size_t>(n) >= target.size()) return false;
      target.resize(static_cast<std::size_t>(n));
      if (::symlink(target.c_str(), dst.c_str()) != 0) return false;
    } else {
      return false;  // a socket, fifo or device: not ours to move
    }
  }
  return true;
}

// After the swap: what another process created or replaced in DIR while the set was linking (now in the old tree)
// is moved into the new DIR.
void OutputSet::rescue(const fs::path& old_tree, const fs::path& new_tree, const fs::path& rel) const {
  std::error_code ec;
  for (fs::directory_iterator it(old_tree, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path name = it->path().filename();
    const fs::path r = rel.empty() ? name : rel / name;
    if (is_set_file(r) || is_replaced(r)) continue;
    struct stat o {}, n {};
    if (::lstat(it->path().c_str(), &o) != 0) continue;
    const fs::path dst = new_tree / name;
    if (::lstat(dst.c_str(), &n) != 0) {
      std::rename(it->path().c_str(), dst.c_str());  // created during the window
    } else if (S_ISDIR(o.st_mode) && S_ISDIR(n.st_mode)) {
      rescue(it->path(), dst, r);
    } else if (!S_ISDIR(o.st_mode) && !S_ISDIR(n.st_mode) && S_ISREG(o.st_mode) &&
               (o.st_ino != n.st_ino || o.st_dev != n.st_dev)) {
      std::rename(it->path().c_str(), dst.c_str());  // replaced during the window
    }
  }
}

void OutputSet::commit_by_renames() {
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (const auto& rel : files_) {
    const fs::path target = real_ / rel;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw Error(fmt::format("cannot write '{}': {}", (dir_ / rel).string(), ec.message()));
    if (std::rename((staging_ / rel).c_str(), target.c_str()) != 0)
      throw Error(fmt::format("cannot write '{}': {}", (dir_ / rel).string(), std::strerror(errno)));
    if (std::find(dirs.begin(), dirs.end(), target.parent_path()) == dirs.end()) dirs.push_back(target.parent_path());
  }
  // Old files in the replaced subdirectories that the set did not write again.
  for (const auto& sub : replaced_) {
    for (auto it = fs::recursive_directory_iterator(real_ / sub, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_directory(ec)) continue;
      const fs::path r = fs::relative(it->path(), real_, ec);
      if (!ec && !is_set_file(r)) fs::remove(it->path(), ec);
    }
    ec.clear();
  }
  for (const auto& d : dirs) sync_directory(d, dir_ / files_.back());
  fs::remove_all(staging_, ec);
}

void OutputSet::commit() {
  if (files_.empty()) {
    committed_ = true;
    std::error_code ec;
    fs::remove_all(staging_, ec);
    return;
  }
  const fs::path shown = dir_ / files_.back();
  for (const auto& f : files_) {
    struct stat st {};
    if (::lstat((staging_ / f).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      throw Error(fmt::format("cannot write '{}': it was never written", (dir_ / f).string()));
  }
  std::error_code ec;
  bool swap = !staging_inside_;
  if (swap) {
    const fs::path cwd = fs::current_path(ec);
    if (ec || inside(cwd, real_)) swap = false;
  }
  if (swap) {
    std::size_t count = 0;
    swap = link_others(real_, staging_, {}, count);
  }
  if (swap) {
    struct stat st {};
    if (::stat(real_.c_str(), &st) == 0) ::chmod(staging_.c_str(), st.st_mode & 07777);
    sync_tree(staging_, shown);
    if (before_swap_hook()) before_swap_hook()();
    swap = exchange(staging_, real_) == 0;
  } else if (before_swap_hook()) {
    before_swap_hook()();  // tests: the same moment on the file-by-file path
  }
  if (!swap) {
    commit_by_renames();  // what linking carried into the staging directory goes with it
    committed_ = true;
    return;
  }
  committed_ = true;
  swapped_ = true;
  sync_directory(real_.parent_path(), shown);
  // staging_ now names the old DIR.
  rescue(staging_, real_, {});
  fs::remove_all(staging_, ec);
}

}  // namespace axial
