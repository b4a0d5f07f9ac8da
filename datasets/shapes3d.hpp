#pragma once
// Shapes3D (Burgess & Kim 2018; https://github.com/deepmind/3d-shapes) from its distributed 3dshapes.h5:
//   images (N, 64, 64, 3) uint8, labels (N, 6) float64 — floor_hue, wall_hue, object_hue, scale, shape,
//   orientation (10, 10, 10, 8, 4, 15 values in the official file, N = 480,000, rows in C order).
// Factor k of an image = the position of its label value among the sorted distinct values of column k.
// `shape` is unordered (deny-listed for local sampling by default).
//
// Labels (23 MB) are read once; images are read per row with HDF5 hyperslabs from an open dataset with a 64 MB
// chunk cache, never all at once. Observations are bytes/255 as floats, (N, H, W, 3). If the rows are not the full
// C-order grid the file is treated as a subset (existing_rows(), hash-map lookup), as for dSprites.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "datasets/h5_util.hpp"
#include "datasets/real_data.hpp"

namespace axial::datasets {

class Shapes3D : public StoredImageData {
 public:
  // Throws axial::Error naming the file and key for a missing key, wrong dtype or shape, or unreadable file.
  explicit Shapes3D(const std::filesystem::path& path);
  ~Shapes3D() override;
  Shapes3D(const Shapes3D&) = delete;
  Shapes3D& operator=(const Shapes3D&) = delete;

  std::string name() const override { return "shapes3d"; }
  const std::vector<std::string>& factor_names() const override { return names_; }
  const std::vector<std::int64_t>& factor_sizes() const override { return sizes_; }
  ObservationShape observation_shape() const override { return shape_; }
  void observations(const FactorMatrix& factors, float* out) const override;
  std::vector<int> unordered_factors() const override { return {4}; }
  const FactorMatrix* existing_rows() const override { return index_.complete() ? nullptr : &index_.existing_rows(); }

  std::int64_t num_images() const override { return num_images_; }
  std::string description() const override;
  void for_each_block(std::int64_t block,
                      const std::function<void(const FactorMatrix&, const std::uint8_t*)>& fn) const override;

  // Reads images [start, start+count) as bytes (count·H·W·C).
  void read_images(std::int64_t start, std::int64_t count, std::uint8_t* out) const;

 private:
  std::filesystem::path path_;
  std::vector<std::string> names_;
  std::vector<std::int64_t> sizes_;
  ObservationShape shape_;
  std::int64_t num_images_ = 0;
  FactorMatrix rows_;  // K×N
  RowIndex index_;
  h5::Handle file_, images_, space_;  // declared in opening order: closed in reverse
  mutable std::mutex mutex_;
};

}  // namespace axial::datasets
