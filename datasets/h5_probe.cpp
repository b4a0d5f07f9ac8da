// h5::check_metadata_readable: libhdf5 reads a file's metadata in a child process first (see h5_util.hpp).
//
// Why a child process rather than validating the bytes before libhdf5 reads them: libhdf5 1.10 trusts what it
// parses — superblock, object headers, B-trees, local and global heaps, attribute and datatype messages — and one
// changed byte in any of them can crash it or make it loop forever (a changed global-heap string length, e.g. of the
// attribute factor_names or dataset of a native file, does both, depending on the byte). Validating all of that
// ourselves would mean re-implementing HDF5's parser. A child that reads everything libhdf5 will be asked to read
// (every group, attribute value and dataset header, and each dataset's chunk index) turns any crash or loop into an
// error in the parent, for every kind of damage, at the cost of one fork per file.
#include <fmt/core.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "datasets/h5_util.hpp"

// Sanitizer builds (scripts/fuzz): a sanitizer report inside libhdf5 in the probe's child is the damage the child
// exists to find, so the child dies as a crash would instead of through an inherited death callback (libFuzzer's
// would count it as a crash of axial).
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AXIAL_H5_PROBE_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(AXIAL_H5_PROBE_SANITIZED)
#define AXIAL_H5_PROBE_SANITIZED 1
#endif
#ifdef AXIAL_H5_PROBE_SANITIZED
#include <sanitizer/common_interface_defs.h>
#endif

namespace axial::h5 {

namespace {

// Limits of the walk (a damaged file may claim anything).
constexpr int kMaxDepth = 64;
constexpr long kMaxObjects = 1000000;
constexpr hssize_t kMaxAttributeBytes = hssize_t(1) << 30;
// CPU seconds the child may use (a metadata walk takes milliseconds; libhdf5 in an endless loop is stopped) and
// the wall-clock time the parent waits for it. AXIAL_H5_PROBE_CPU_SECONDS (an integer 1..60) changes the CPU limit:
// the fuzz targets (tests/fuzz) set 1 so that inputs which loop libhdf5 cost one second each, not five.
constexpr rlim_t kChildCpuSeconds = 5;
constexpr auto kChildWallTime = std::chrono::seconds(60);

rlim_t child_cpu_seconds() {
  const char* v = std::getenv("AXIAL_H5_PROBE_CPU_SECONDS");
  if (!v || !*v) return kChildCpuSeconds;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return (*end == '\0' && n >= 1 && n <= 60) ? static_cast<rlim_t>(n) : kChildCpuSeconds;
}

struct Walk {
  long objects = 0;
  bool ok = true;
};

herr_t read_attribute(hid_t loc, const char* name, const H5A_info_t*, void*) {
  Handle a(H5Aopen(loc, name, H5P_DEFAULT));
  if (!a.valid()) return 0;
  Handle type(H5Aget_type(a.get()));
  Handle space(H5Aget_space(a.get()));
  if (!type.valid() || !space.valid()) return 0;
  Handle mem(H5Tget_native_type(type.get(), H5T_DIR_ASCEND));
  if (!mem.valid()) return 0;
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  const std::size_t size = H5Tget_size(mem.get());
  if (n <= 0 || size == 0 || n > kMaxAttributeBytes / static_cast<hssize_t>(size)) return 0;
  std::vector<unsigned char> buf(static_cast<std::size_t>(n) * size);
  if (H5Aread(a.get(), mem.get(), buf.data()) < 0) return 0;
  const bool vlen = H5Tdetect_class(mem.get(), H5T_VLEN) > 0 ||
                    (H5Tget_class(mem.get()) == H5T_STRING && H5Tis_variable_str(mem.get()) > 0);
  if (vlen) H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, buf.data());
  return 0;
}

void walk_object(hid_t obj, int depth, Walk& w) {
  if (++w.objects > kMaxObjects || depth > kMaxDepth) return;
  hsize_t idx = 0;
  H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, read_attribute, nullptr);
  switch (H5Iget_type(obj)) {
    case H5I_DATASET: {
      Handle type(H5Dget_type(obj)), space(H5Dget_space(obj)), dcpl(H5Dget_create_plist(obj));
      if (space.valid()) H5Sget_simple_extent_npoints(space.get());
      H5Dget_storage_size(obj);  // walks the chunk index of a chunked dataset
      break;
    }
    case H5I_GROUP: {
      H5G_info_t info;
      if (H5Gget_info(obj, &info) < 0) return;
      for (hsize_t i = 0; i < info.nlinks && w.objects <= kMaxObjects; ++i) {
        const ssize_t len = H5Lget_name_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (len <= 0 || len > 65535) continue;
        std::string name(static_cast<std::size_t>(len) + 1, '\0');
        if (H5Lget_name_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT) < 0)
          continue;
        name.resize(static_cast<std::size_t>(len));
        H5L_info_t linfo;  // soft and external links are not followed
        if (H5Lget_info(obj, name.c_str(), &linfo, H5P_DEFAULT) < 0 || linfo.type != H5L_TYPE_HARD) continue;
        Handle child(H5Oopen(obj, name.c_str(), H5P_DEFAULT));
        if (child.valid()) walk_object(child.get(), depth + 1, w);
      }
      break;
    }
    default: break;
  }
}

// In the child: reads the metadata and returns (crashing or looping here is what the parent looks for).
void walk_file(const std::filesystem::path& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.valid()) return;
  Handle root(H5Oopen(f.get(), "/", H5P_DEFAULT));
  Walk w;
  if (root.valid()) walk_object(root.get(), 0, w);
}

// The verdict on each file checked so far: "" = readable, else what is wrong with it (a damaged file is probed
// once, not once per open: a file that loops libhdf5 costs the whole CPU limit each time).
using FileKey = std::tuple<dev_t, ino_t, off_t, long long>;
std::mutex g_checked_mutex;
std::map<FileKey, std::string>& checked_files() {
  static std::map<FileKey, std::string> s;
  return s;
}

std::string signal_name(int sig) {
  const char* d = strsignal(sig);
  return d ? std::string(d) : fmt::format("signal {}", sig);
}

std::string damaged_message(const std::filesystem::path& path, const std::string& what) {
  return fmt::format("'{}': damaged HDF5 file: {}; write it again or restore a good copy", path.string(), what);
}

}  // namespace

void check_metadata_readable(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // the caller reports a missing file
  const FileKey key{st.st_dev, st.st_ino, st.st_size,
                    static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
  {
    std::lock_guard<std::mutex> lock(g_checked_mutex);
    const auto it = checked_files().find(key);
    if (it != checked_files().end()) {
      if (!it->second.empty()) throw DamagedFile(damaged_message(path, it->second));
      return;
    }
  }
  const rlim_t cpu_seconds = child_cpu_seconds();
  const pid_t pid = ::fork();
  if (pid < 0) return;  // no process to spare (memory): read it unguarded, as before
  if (pid == 0) {
    // Plain deaths: no core file, no inherited crash handlers (a test runner's), no exit handlers.
    struct rlimit core {0, 0};
    ::setrlimit(RLIMIT_CORE, &core);
    struct rlimit cpu {cpu_seconds, cpu_seconds + 1};
    ::setrlimit(RLIMIT_CPU, &cpu);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGXCPU}) ::signal(sig, SIG_DFL);
#ifdef AXIAL_H5_PROBE_SANITIZED
    __sanitizer_set_death_callback([] {
      ::signal(SIGABRT, SIG_DFL);
      ::abort();
    });
#endif
    try {
      walk_file(path);
    } catch (...) {
      ::_exit(1);  // an ordinary failure: the parent meets it again and reports it
    }
    ::_exit(0);
  }
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + kChildWallTime;
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return;
    if (std::chrono::steady_clock::now() > deadline) {
      // No answer without a crash or a spent CPU limit: the child is blocked (slow storage, or a lock another
      // thread held at the fork). Not evidence of damage: read it unguarded.
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(20));
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const std::string what =
        sig == SIGXCPU || sig == SIGKILL
            ? std::string("libhdf5 does not finish reading its metadata (stopped after ") +
                  std::to_string(cpu_seconds) + " s)"
            : "libhdf5 crashes reading its metadata (" + signal_name(sig) + ")";
    {
      std::lock_guard<std::mutex> lock(g_checked_mutex);
      checked_files()[key] = what;
    }
    throw DamagedFile(damaged_message(path, what));
  }
  std::lock_guard<std::mutex> lock(g_checked_mutex);
  checked_files()[key] = "";
}

}  // namespace axial::h5
