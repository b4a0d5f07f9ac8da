#pragma once
// axial's native data container (issue 2 §5): one HDF5 file holding observations and their factor rows.
//
//   <group>/images   float32 (N, H, W, C) in [0, 1]    — or uint8 with attribute scale = 255 (pixel = value/255)
//   <group>/factors  int64   (N, K)
//   attributes on the root group:
//     factor_names  string array (K)      factor_sizes  int64 array (K)
//     dataset       string (e.g. "three-dots")
//     seed          uint64 (absent when the rows were given, not drawn)
//     axial_version string ("0.1.0 (<git commit>)")
//
// <group> is the root for `axial data generate` and cluster_<i> for `axial data sample` (each cluster group also
// carries a `centroid` int64 array attribute). Files are written through AtomicOutput (temp file + rename) and in
// chunks, so large N never needs all images in memory.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/core/atomic_output.hpp"
#include "datasets/ground_truth.hpp"
#include "datasets/h5_util.hpp"
#include "src/core/types.hpp"

namespace axial::datasets {

enum class ImageStorage { Float32, Uint8 };

struct NativeHeader {
  std::string dataset;                    // data set name
  std::vector<std::string> factor_names;  // K
  std::vector<std::int64_t> factor_sizes; // K
  ObservationShape shape;                 // H, W, C
  std::optional<std::uint64_t> seed;      // written as attribute `seed` when present
};

// The header of a GroundTruthData.
NativeHeader native_header(const GroundTruthData& data, std::optional<std::uint64_t> seed = std::nullopt);

struct NativeWriteOptions {
  ImageStorage storage = ImageStorage::Float32;
  std::int64_t chunk_rows = 64;  // HDF5 chunk along N for images and factors
  int gzip = 4;                  // deflate level 0..9
};

// Streams a native file: begin() a group, write_rows() its rows in blocks, commit() at the end.
// Nothing appears at `target` unless commit() succeeds (temp file + rename).
class NativeWriter {
 public:
  NativeWriter(std::filesystem::path target, NativeHeader header, NativeWriteOptions options = {});

  // Creates `<group>/images` and `<group>/factors` for n rows ("" or "/" = the root). Ends the previous group
  // (which must have been filled).
  void begin(const std::string& group, std::int64_t n);
  // Appends factors.cols() rows to the current group. `images` holds factors.cols()·H·W·C floats in [0,1]
  // (stored as float32, or as round(255·v) when storage is Uint8).
  void write_rows(const FactorMatrix& factors, const float* images);
  // Same with 8-bit images already scaled 0..255 (storage must be Uint8).
  void write_rows_u8(const FactorMatrix& factors, const std::uint8_t* images);
  // Direct access for extra attributes (e.g. the cluster centroid).
  h5::File& file() { return file_; }
  // Rows written so far in the current group.
  std::int64_t rows_written() const { return written_; }
  // Checks every group is full, closes the file and renames it onto the target.
  void commit();

 private:
  void check_block(const FactorMatrix& factors) const;
  AtomicOutput out_;
  NativeHeader header_;
  NativeWriteOptions options_;
  h5::File file_;
  std::string group_;
  std::int64_t rows_ = 0, written_ = 0;
  bool open_group_ = false;
};

// Renders `factors` (K×N) with `data` and writes a complete native file at `target` (root group), in blocks of
// `block` rows. `progress(done, total)` is called after each block when given.
void write_native(const std::filesystem::path& target, const GroundTruthData& data, const FactorMatrix& factors,
                  std::optional<std::uint64_t> seed, const NativeWriteOptions& options = {},
                  const std::function<void(std::int64_t, std::int64_t)>& progress = {}, std::int64_t block = 1024);

// What `axial data info` and readers need to know about a native group.
struct NativeInfo {
  NativeHeader header;
  std::int64_t num = 0;                 // N
  ImageStorage storage = ImageStorage::Float32;
  std::string axial_version;            // "" if absent
  std::vector<std::string> groups;      // cluster groups (cluster_0, …) when the root holds no images itself
};

// True if `path` is an HDF5 file whose root carries the native attributes (factor_names, factor_sizes) and
// either images+factors at the root or cluster groups. Throws only h5::DamagedFile (an HDF5 file that libhdf5
// cannot read without crashing); false for anything else.
bool is_native_file(const std::filesystem::path& path);

// Reads and validates the header of a native file (group "" = root). Throws axial::Error naming the file and key
// for missing datasets/attributes, wrong ranks, mismatched K or N, non-integer factors.
NativeInfo read_native_info(const std::filesystem::path& path, const std::string& group = "");

// Reads all factor rows (K×N) of a group; values are checked against factor_sizes (error names the row).
FactorMatrix read_native_factors(const std::filesystem::path& path, const std::string& group = "");
// Reads images rows [start, start+count) as floats in [0,1] into `out` (count·H·W·C).
void read_native_images(const std::filesystem::path& path, const std::string& group, std::int64_t start,
                        std::int64_t count, float* out);

// A GroundTruthData backed by a native file: observations() looks up the image of each factor row. If the file
// does not hold every combination of factor values, existing_rows() returns its (distinct) rows, and asking for a
// row not in the file → axial::Error naming the row. Reads go through HDF5 (the file stays open), guarded by a
// mutex, so observations() is thread-safe.
class NativeData : public GroundTruthData {
 public:
  explicit NativeData(const std::filesystem::path& path, const std::string& group = "");
  ~NativeData() override;

  std::string name() const override { return info_.header.dataset; }
  const std::vector<std::string>& factor_names() const override { return info_.header.factor_names; }
  const std::vector<std::int64_t>& factor_sizes() const override { return info_.header.factor_sizes; }
  ObservationShape observation_shape() const override { return info_.header.shape; }
  void observations(const FactorMatrix& factors, float* out) const override;
  const FactorMatrix* existing_rows() const override { return complete_ ? nullptr : &rows_; }

  const NativeInfo& info() const { return info_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Impl;
  std::filesystem::path path_;
  std::string group_;
  NativeInfo info_;
  FactorMatrix rows_;                                        // K×M distinct rows held by the file
  std::unordered_map<std::uint64_t, std::int64_t> index_;    // mixed-radix row key → file row
  bool complete_ = false;
  std::unique_ptr<Impl> impl_;
};

}  // namespace axial::datasets
