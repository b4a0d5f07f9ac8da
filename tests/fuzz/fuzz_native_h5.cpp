// libFuzzer target: the native data reader (datasets/native_h5: `axial data info`, `data sample FILE.h5`,
// `train --dataset FILE.h5`): is_native_file, the header, the factor rows, the images, NativeData's lookups.
// Every open goes through h5::check_metadata_readable first (libhdf5 reads the metadata in a forked child,
// datasets/h5_probe.cpp), so a damage that crashes libhdf5 must come back as h5::DamagedFile, an axial::Error.
#include <vector>

#include "datasets/native_h5.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace axial::datasets;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = axial::fuzz::write_input(data, size, ".h5");
  axial::fuzz::expect_clean([&] { is_native_file(path); });
  axial::fuzz::expect_clean([&] {
    const NativeInfo info = read_native_info(path);
    for (const std::string& g : info.groups) axial::fuzz::expect_clean([&] { read_native_info(path, g); });
    const axial::FactorMatrix rows = read_native_factors(path);
    const ObservationShape& s = info.header.shape;
    const std::int64_t per = std::int64_t(s.height) * s.width * s.channels;
    if (info.num > 0 && per > 0 && per <= (1 << 20)) {
      std::vector<float> img(static_cast<std::size_t>(per));
      read_native_images(path, "", 0, 1, img.data());
      read_native_images(path, "", info.num - 1, 1, img.data());
    }
    const NativeData d(path);
    if (rows.cols() > 0 && per > 0 && per <= (1 << 20)) {
      std::vector<float> img(static_cast<std::size_t>(per));
      d.observations(rows.leftCols(1), img.data());
    }
  });
  return 0;
}
