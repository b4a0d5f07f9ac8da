// libFuzzer target: the .npz reader (datasets/npz: zip directory, zip64, stored and deflated members) and the codes
// and cluster readers over it (datasets/codes_file: `axial score --codes/--clusters FILE.npz`).
#include "datasets/codes_file.hpp"
#include "datasets/npz.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace axial::datasets;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = axial::fuzz::write_input(data, size, ".npz");
  axial::fuzz::expect_clean([&] {
    const NpzFile f(path);
    for (const std::string& key : f.keys()) {
      axial::fuzz::expect_clean([&] { f.header(key); });
      axial::fuzz::expect_clean([&] { f.read(key).as_double(); });
      axial::fuzz::expect_clean([&] { f.map(key); });
      axial::fuzz::expect_clean([&] {
        std::size_t total = 0;
        f.stream(
            key, [](const NpyHeader&) {}, [&](const std::uint8_t*, std::size_t n) { total += n; }, 4096);
      });
    }
  });
  axial::fuzz::expect_clean([&] { axial::read_codes_file(path); });
  axial::fuzz::expect_clean([&] { axial::read_clusters_file(path); });
  return 0;
}
