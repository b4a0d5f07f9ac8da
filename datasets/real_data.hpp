#pragma once
// Shared pieces of the loaders for distributed data-set files (dSprites, Shapes3D, MPI3D; issue 7):
//  - RowIndex: factor row → image index, for full C-order grids (arithmetic) and for subsets (hash map);
//  - StoredImageData: a GroundTruthData backed by a file of 8-bit images, which `axial data convert` can stream
//    into the native HDF5 format block by block;
//  - open_real_dataset: the registry's entry point (dsprites=PATH, shapes3d=PATH, mpi3d=PATH, mpi3d-multi=PATH) and
//    recognition of such files by content.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "datasets/ground_truth.hpp"
#include "src/core/types.hpp"

namespace axial::datasets {

// Maps factor rows (K values, factor k in 0..sizes[k]-1) to image indices 0..N-1.
class RowIndex {
 public:
  RowIndex() = default;
  // `rows` K×N: the factor row of each image. If they are exactly the full grid in C order (N = Πsizes, image i has
  // the row whose mixed-radix number is i), lookups are arithmetic and complete() is true. Otherwise a hash map
  // from row to the first image with that row is built and existing_rows() holds the distinct rows (K×M, in
  // order of first appearance). `where` names the file in errors.
  RowIndex(const FactorMatrix& rows, std::vector<std::int64_t> sizes, std::string where);
  // The full C-order grid over `sizes` (no per-image rows needed).
  static RowIndex full_grid(std::vector<std::int64_t> sizes, std::string where);

  bool complete() const { return complete_; }
  const FactorMatrix& existing_rows() const { return existing_; }  // empty when complete()
  std::int64_t num_combinations() const;                          // Π sizes
  std::int64_t num_existing() const { return complete_ ? num_combinations() : existing_.cols(); }

  // Image index of row `col` of `factors` (K×N). Throws axial::Error naming the file and the row for a value out
  // of range or (subsets) a row that does not exist in the file.
  std::int64_t lookup(const FactorMatrix& factors, Eigen::Index col) const;

 private:
  std::uint64_t key(const FactorMatrix& factors, Eigen::Index col) const;  // mixed radix; assumes values in range
  std::vector<std::int64_t> sizes_;
  std::vector<std::uint64_t> strides_;  // C-order strides
  bool complete_ = true;
  FactorMatrix existing_;
  std::unordered_map<std::uint64_t, std::int64_t> map_;
  std::string where_;
};

// "(0, 3, 5)"
std::string row_string(const FactorMatrix& factors, Eigen::Index col);

// A data set stored as a file of N 8-bit images, each with a factor row.
class StoredImageData : public GroundTruthData {
 public:
  // Number of images in the file (N).
  virtual std::int64_t num_images() const = 0;
  // One line for `axial data info`: the file layout and, for subsets, how many combinations exist.
  virtual std::string description() const = 0;
  // Calls fn(rows K×n, pixels n·H·W·C bytes 0..255) for consecutive blocks of at most `block` images in file order,
  // covering every image once. Used by `axial data convert`; works for deflated members too (streamed).
  virtual void for_each_block(std::int64_t block,
                              const std::function<void(const FactorMatrix&, const std::uint8_t*)>& fn) const = 0;
};

// Opens a data-set file by registry name: "dsprites", "shapes3d", "mpi3d", "mpi3d-multi". `for_conversion` opens
// files whose images cannot be memory-mapped (deflated MPI3D) for streaming by for_each_block only.
// Throws axial::Error for an unknown kind or a bad file.
std::unique_ptr<GroundTruthData> open_real_dataset(const std::string& kind, const std::filesystem::path& path,
                                                   bool for_conversion = false);

// The registry name for a file recognised by content ("dsprites", "shapes3d", "mpi3d"), or "" if it is none of
// them. Cheap: reads only the zip directory / HDF5 structure. Throws only h5::DamagedFile (an HDF5 file libhdf5
// cannot read without crashing).
std::string detect_real_dataset(const std::filesystem::path& path);

}  // namespace axial::datasets
