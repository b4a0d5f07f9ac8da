// SHA-256: FIPS 180-4's examples, and the CPU's SHA instructions against the portable code on every length and split.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "datasets/sha256.hpp"
#include "tests/support/temp_dir.hpp"

using namespace axial;

namespace {
using Parts = std::vector<std::pair<const void*, std::size_t>>;
}

TEST_CASE("sha256 of FIPS 180-4's examples") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 448 bits: the padding needs a second block.
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopq"
                   "rstnopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  const std::string million(1000000, 'a');
  CHECK(sha256_hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(detail::sha256_hex_portable({{million.data(), million.size()}}) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 with the CPU's SHA instructions equals the portable code on every length and any split") {
  if (!detail::sha256_hardware_available())
    MESSAGE("this CPU has no SHA instructions: both sides below run the portable code");
  std::mt19937 rng(7);
  std::vector<unsigned char> bytes(700);
  for (auto& b : bytes) b = static_cast<unsigned char>(rng());
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    const std::string want = detail::sha256_hex_portable({{bytes.data(), n}});
    REQUIRE(sha256_hex(std::string(bytes.begin(), bytes.begin() + static_cast<long>(n))) == want);
    // Three parts split at random points: the partial-block buffer across parts.
    std::size_t a = n == 0 ? 0 : rng() % (n + 1), b = n == 0 ? 0 : rng() % (n + 1);
    if (a > b) std::swap(a, b);
    const Parts parts{{bytes.data(), a}, {bytes.data() + a, b - a}, {bytes.data() + b, n - b}};
    REQUIRE(sha256_hex(parts) == want);
    REQUIRE(detail::sha256_hex_portable(parts) == want);
  }
}

TEST_CASE("sha256_file reads the whole file, past its 1 MiB buffer") {
  test::TempDir tmp;
  std::string data(3 * (1 << 20) + 17, '\0');
  std::mt19937 rng(3);
  for (auto& c : data) c = static_cast<char>(rng());
  std::ofstream(tmp / "f.bin", std::ios::binary).write(data.data(), static_cast<std::streamsize>(data.size()));
  CHECK(sha256_file(tmp / "f.bin") == detail::sha256_hex_portable({{data.data(), data.size()}}));
  CHECK_THROWS(sha256_file(tmp / "missing.bin"));
}
