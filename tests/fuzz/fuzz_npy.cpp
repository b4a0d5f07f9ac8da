// libFuzzer target: the .npy reader (datasets/npy): the header parser on the raw bytes, then read_npy on a file
// and every whole-array conversion a command may ask for.
#include "datasets/npy.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace axial::datasets;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  axial::fuzz::expect_clean([&] {
    if (size >= kNpyPrefixBytes) {
      const std::size_t header = npy_header_size(data, size, "fuzz input");
      if (header <= size) parse_npy_header(data, header, "fuzz input");
    }
  });
  const auto path = axial::fuzz::write_input(data, size, ".npy");
  axial::fuzz::expect_clean([&] {
    const NpyArray a = read_npy(path);
    const std::int64_t n = a.size();
    if (n > 0) {
      a.value_double(0);
      a.value_double(n - 1);
    }
    axial::fuzz::expect_clean([&] { a.as_double(); });
    axial::fuzz::expect_clean([&] { a.as_float(); });
    axial::fuzz::expect_clean([&] { a.as_int64(); });
    axial::fuzz::expect_clean([&] { a.as_uint8(); });
    axial::fuzz::expect_clean([&] { if (n > 0) a.value_int64(n / 2); });
  });
  return 0;
}
