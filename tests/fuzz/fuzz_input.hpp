#pragma once
// Shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp): the readers under test take paths, so each input is
// written to a file first.
//
// Each target accepts exactly what the CLI accepts: axial::Error (one "axial: error:" line, exit 2) is the only
// exception a reader may throw for a bad file. Anything else — another exception ("internal error", exit 1), a
// signal, a sanitizer report, a hang, an allocation beyond libFuzzer's limit — ends the run as a crash.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "src/core/error.hpp"

namespace axial::fuzz {

// A private directory for this process's input files (removed at exit).
inline const std::filesystem::path& input_dir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/axial-fuzz-XXXXXX";
    if (!::mkdtemp(templ.data())) std::abort();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(input_dir(), ec);
    });
    return std::filesystem::path(templ);
  }();
  return dir;
}

// Writes the input to <input_dir>/input<ext> and returns the path. Every call gives the file a new modification
// time: h5::check_metadata_readable checks each (device, inode, size, mtime) once per process, and rewriting the
// same file within one clock tick would otherwise skip the check of a new input.
inline std::filesystem::path write_input(const std::uint8_t* data, std::size_t size, const std::string& ext) {
  static long long counter = 0;
  const std::filesystem::path path = input_dir() / ("input" + ext);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  if (std::fclose(f) != 0) std::abort();
  ++counter;
  const struct timespec times[2] = {{counter / 1000000000LL, counter % 1000000000LL},
                                    {counter / 1000000000LL, counter % 1000000000LL}};
  if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) std::abort();
  return path;
}

// Runs `read`; an axial::Error is the expected answer to a bad input, anything else propagates (a crash).
template <class F>
void expect_clean(F&& read) {
  try {
    read();
  } catch (const axial::Error&) {
  }
}

}  // namespace axial::fuzz

// Once per fuzzing process: an input that loops libhdf5 in the metadata probe (datasets/h5_probe.cpp) is stopped
// after 1 CPU second instead of 5, so the h5 targets keep their pace (set AXIAL_H5_PROBE_CPU_SECONDS to override).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::setenv("AXIAL_H5_PROBE_CPU_SECONDS", "1", 0);
  return 0;
}
