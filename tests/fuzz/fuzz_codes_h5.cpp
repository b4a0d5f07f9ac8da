// libFuzzer target: the codes and cluster readers over HDF5 (datasets/codes_file: `axial score --codes FILE.h5`,
// `--clusters FILE.h5`), in both layouts. Every open goes through h5::check_metadata_readable first (the metadata
// walk in a forked child, datasets/h5_probe.cpp), as in the CLI.
#include "datasets/codes_file.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = axial::fuzz::write_input(data, size, ".h5");
  axial::fuzz::expect_clean([&] { axial::read_codes_file(path); });
  axial::fuzz::expect_clean([&] {
    axial::CodesReadOptions o;
    o.layout = axial::CodesLayout::kCodesByPoints;
    axial::read_codes_file(path, o);
  });
  axial::fuzz::expect_clean([&] { axial::read_clusters_file(path); });
  return 0;
}
