// SHA-256 (FIPS 180-4) for provenance: the `input_sha256` of every input file and array axial scores.
// On x86-64 CPUs with the SHA extensions (Intel Goldmont/Ice Lake and later, AMD Zen) the compression function runs on
// them (≈ 5–10× the portable code), chosen at run time; otherwise the portable code. Both give the same digest.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace axial {

// Lower-case hex SHA-256 of a file's bytes. Throws axial::Error naming the file if it cannot be read.
std::string sha256_file(const std::filesystem::path& path);
// Lower-case hex SHA-256 of a byte string.
std::string sha256_hex(const std::string& bytes);
// … of the concatenation of byte ranges (e.g. an array's buffer), without copying them.
std::string sha256_hex(const std::vector<std::pair<const void*, std::size_t>>& parts);

namespace detail {
// Whether sha256_* use the CPU's SHA instructions on this machine.
bool sha256_hardware_available();
// The portable code alone (tests compare the two paths).
std::string sha256_hex_portable(const std::vector<std::pair<const void*, std::size_t>>& parts);
}  // namespace detail

}  // namespace axial
