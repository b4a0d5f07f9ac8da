// Issue 13, "nothing crashes": a native .h5 with one changed byte in the global heap that holds its attribute
// strings (factor_names, dataset, axial_version) used to segfault or hang inside libhdf5 in `axial data info`,
// `axial data sample` and `axial train --dataset`. Now each is one error line naming the file, exit 2, never a signal.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/run_axial.hpp"

#include <doctest/doctest.h>  // last: glog redefines CHECK

namespace {

namespace fs = std::filesystem;
using axial::test::q;
using axial::test::run_axial;
using axial::test::run_axial_limited;
using axial::test::RunResult;
using axial::test::TempDir;

// With a CPU limit: the old libhdf5 loop fails the test (SIGXCPU) rather than hanging it.
RunResult run_watched(const std::string& args) { return run_axial_limited(args, 1L << 40, 60); }

std::uint64_t le64(const std::string& b, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + std::size_t(i)]);
  return v;
}

// Offsets of the 8-byte size fields of the objects in the file's global heap collection ("GCOL": signature,
// version, 3 reserved, 8-byte collection size; then objects: 2-byte index (0 = free space), 2-byte reference
// count, 4 reserved, 8-byte size, data padded to 8 bytes).
std::vector<std::size_t> heap_size_fields(const std::string& bytes) {
  std::vector<std::size_t> out;
  const std::size_t gcol = bytes.find("GCOL");
  if (gcol == std::string::npos) return out;
  const std::size_t end = gcol + static_cast<std::size_t>(le64(bytes, gcol + 8));
  for (std::size_t at = gcol + 16; at + 16 <= std::min(end, bytes.size());) {
    const unsigned index = static_cast<unsigned char>(bytes[at]) | (static_cast<unsigned char>(bytes[at + 1]) << 8);
    const std::uint64_t size = le64(bytes, at + 8);
    if (index == 0) break;
    out.push_back(at + 8);
    at += 16 + static_cast<std::size_t>((size + 7) / 8 * 8);
  }
  return out;
}

void check_clean_error(const RunResult& r, const fs::path& file) {
  CAPTURE(r.err);
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("axial: error: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find(file.filename().string()) != std::string::npos);
}

}  // namespace

TEST_CASE("axial data info / sample / train: a native file with a damaged string heap is an error, never a crash") {
  TempDir tmp;
  const fs::path good = tmp / "good.h5";
  REQUIRE(run_axial("data generate three-dots --num 4 --out " + q(good)).exit_code == 0);
  const std::string bytes = axial::test::slurp(good);
  const auto fields = heap_size_fields(bytes);
  // factor_names (6 strings), dataset and axial_version at least.
  REQUIRE(fields.size() >= 8);

  auto damaged = [&](std::size_t at, unsigned char value) {
    std::string b = bytes;
    b[at] = static_cast<char>(value);
    const fs::path p = tmp / "bad.h5";
    std::ofstream(p, std::ios::binary | std::ios::trunc) << b;
    return p;
  };

  // A huge string length in each heap object: libhdf5 1.10 reads past its buffers.
  for (std::size_t i = 0; i < fields.size(); ++i) {
    CAPTURE(i);
    const fs::path bad = damaged(fields[i] + 5, 0xff);
    check_clean_error(run_watched("data info " + q(bad)), bad);
  }
  // A slightly wrong length of the `dataset` string ("three-dots", the 7th object) makes libhdf5 loop forever.
  {
    const fs::path bad = damaged(fields[6], 0xff);
    auto r = run_watched("data info " + q(bad));
    check_clean_error(r, bad);
    CHECK(r.err.find("damaged HDF5 file") != std::string::npos);
  }
  // The commands that read the file as a data set.
  const fs::path bad = damaged(fields[0] + 7, 0xff);
  check_clean_error(run_watched("data sample " + q(bad) + " --num 2 --out " + q(tmp / "s.h5")), bad);
  CHECK_FALSE(fs::exists(tmp / "s.h5"));
  check_clean_error(run_watched("train --dataset " + q(bad) + " --steps 1 --batch-size 2 --train-cache 4 --threads 1 "
                                "--quiet --out " + q(tmp / "run")),
                    bad);
  CHECK_FALSE(fs::exists(tmp / "run"));
  // The good file still reads.
  CHECK(run_axial("data info " + q(good)).exit_code == 0);
}
