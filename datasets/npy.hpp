#pragma once
// NumPy .npy arrays: a careful header parser and a typed view over the element bytes.
//
// Format (numpy.lib.format): magic "\x93NUMPY", version byte pair (1.0, 2.0 or 3.0), header length (uint16 LE for
// 1.0, uint32 LE otherwise), then an ASCII Python dict literal
//   {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
// padded with spaces and '\n', then the element bytes in C order.
//
// Supported: little-endian (or byte-sized) bool, int8..int64, uint8..uint64, float16/32/64, any rank, C order or
// Fortran order (np.asfortranarray, or a transposed array saved as is: NpyArray copies it into C order, so every
// accessor sees C order).
// Rejected with an axial::Error naming the file and key: object arrays (pickled, e.g. a dSprites `metadata` member),
// structured or string dtypes, big-endian multi-byte dtypes, malformed or truncated headers.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace axial::datasets {

enum class NpyType { Bool, Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float16, Float32, Float64 };

// "uint8", "float64", … (numpy's names).
const char* npy_type_name(NpyType type);
bool npy_is_integer(NpyType type);  // bool and the integer types
bool npy_is_float(NpyType type);

struct NpyHeader {
  std::string descr;  // as written, e.g. "<f8", "|u1"
  NpyType type = NpyType::UInt8;
  int item_size = 0;  // bytes per element
  std::vector<std::int64_t> shape;
  std::size_t data_offset = 0;  // bytes from the start of the .npy stream to the first element
  bool fortran_order = false;   // as written; NpyArray always presents the elements in C order

  std::int64_t count() const;        // product of shape (1 for a 0-d array)
  std::uint64_t data_bytes() const;  // count() * item_size
  std::string shape_string() const;  // "(737280, 64, 64)"
};

// Bytes needed before the header length is known (magic + version + length field): call with at least this many
// bytes to learn the full header size via npy_header_size.
constexpr std::size_t kNpyPrefixBytes = 12;

// Total header size (magic .. end of dict) given at least the first 10 (v1) or 12 (v2/3) bytes.
// Throws axial::Error naming `where` (e.g. "file 'x.npz', key 'imgs'") for a bad magic or version.
std::size_t npy_header_size(const std::uint8_t* bytes, std::size_t size, const std::string& where);

// Parses a .npy header. `bytes` must hold the whole header (npy_header_size bytes). Throws axial::Error naming
// `where` for anything unsupported (see the file comment).
NpyHeader parse_npy_header(const std::uint8_t* bytes, std::size_t size, const std::string& where);

// An array: header + element bytes (little-endian, C order, possibly unaligned). The bytes are either owned
// (inflated from a compressed member) or a view into a memory-mapped file kept alive by the array.
class NpyArray {
 public:
  NpyArray() = default;
  NpyArray(NpyHeader header, std::shared_ptr<const void> owner, const std::uint8_t* data, std::string where);

  const NpyHeader& header() const { return header_; }
  NpyType type() const { return header_.type; }
  const std::vector<std::int64_t>& shape() const { return header_.shape; }
  int ndim() const { return static_cast<int>(header_.shape.size()); }
  std::int64_t dim(int i) const { return header_.shape.at(static_cast<std::size_t>(i)); }
  std::int64_t size() const { return header_.count(); }
  const std::uint8_t* bytes() const { return data_; }
  // Where the array came from, e.g. "file 'x.npz', key 'codes'" (used in error messages).
  const std::string& where() const { return where_; }

  // Element i (flat C-order index) converted. value_int64 throws for a float element that is not an integer.
  double value_double(std::int64_t i) const;
  std::int64_t value_int64(std::int64_t i) const;

  // Whole-array converting copies, flat in C order.
  std::vector<double> as_double() const;       // any numeric dtype
  std::vector<float> as_float() const;         // any numeric dtype
  std::vector<std::int64_t> as_int64() const;  // integer dtypes only (bool → 0/1); throws for floats or uint64 overflow
  std::vector<std::uint8_t> as_uint8() const;  // integer dtypes with every value in 0..255

  // Checks that throw axial::Error naming where(): "file 'x', key 'k': expected … , got …".
  void require_ndim(int n) const;
  void require_integer() const;
  void require_shape(const std::vector<std::int64_t>& shape) const;  // -1 = any size for that dimension

 private:
  NpyHeader header_;
  std::shared_ptr<const void> owner_;
  const std::uint8_t* data_ = nullptr;
  std::string where_;
};

// Reads a plain .npy file (memory-mapped). Throws axial::Error naming the file.
NpyArray read_npy(const std::filesystem::path& path);

}  // namespace axial::datasets
