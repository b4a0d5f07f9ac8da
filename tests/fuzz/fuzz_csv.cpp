// libFuzzer target: the codes CSV reader (datasets/codes_file: `axial score --codes FILE.csv`), with a header line
// and, when the first byte says so, headerless with 1..4 code columns (--num-latents).
#include "datasets/codes_file.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = axial::fuzz::write_input(data, size, ".csv");
  axial::fuzz::expect_clean([&] { axial::read_codes_file(path); });
  if (size > 0 && data[0] % 5 != 0) {
    axial::CodesReadOptions o;
    o.num_latents = data[0] % 5;
    axial::fuzz::expect_clean([&] { axial::read_codes_file(path, o); });
  }
  return 0;
}
