#pragma once
// MPI3D (Gondal et al., NeurIPS 2019, arXiv 1906.03292; https://github.com/rr-learning/disentanglement_dataset) and
// the paper's MPI3D-multi (Rhodes & Lee 2021, their disentanglement_lib fork, data/ground_truth/mpi3d_multi.py).
//
// MPI3D toy / realistic / real: mpi3d_{toy,realistic,real}.npz with one key `images` (1,036,800, 64, 64, 3) uint8.
// Factors (sizes 6, 6, 2, 3, 3, 40, 40): object_color, object_shape, object_size, camera_height, background_color,
// first_dof, second_dof; image index = f·(172800, 28800, 14400, 4800, 1600, 40, 1) (C order).
// The images member must be stored (uncompressed) so it can be memory-mapped — the real file is 12 GB and is never
// read into RAM. A deflated member cannot be mapped: opening it for training/scoring fails with a message that says
// so and suggests `axial data convert FILE --out F.h5`, which streams the member into the native HDF5 format.
//
// MPI3D-multi: a 64×64×3 image made of a 2×2 grid of MPI3D images, each subsampled to 32×32 by taking every second
// pixel (rows and columns 0, 2, …, 62). Sub-image i = 0..3 sits top-left, bottom-left, top-right, bottom-right.
// In every sub-image only the two 40-valued degrees of freedom vary; the others are fixed at colour 3, shape 1,
// size 1, camera height 0, background 2. 8 factors (40 values each), sub-image by sub-image:
//   tl_first_dof, tl_second_dof, bl_first_dof, bl_second_dof, tr_first_dof, tr_second_dof, br_first_dof, br_second_dof.
// The base may be an MPI3D .npz or a native .h5 converted from one (factor sizes 6, 6, 2, 3, 3, 40, 40).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "datasets/npz.hpp"
#include "datasets/real_data.hpp"

namespace axial::datasets {

class Mpi3d : public StoredImageData {
 public:
  static constexpr std::int64_t kNumImages = 1036800;
  static constexpr int kSize = 64;
  static constexpr int kChannels = 3;
  enum class Access { Map, Stream };

  // Access::Map requires a stored images member (the normal case); Access::Stream also accepts a deflated one but
  // then only for_each_block() works (for conversion). Throws axial::Error naming the file and key.
  explicit Mpi3d(const std::filesystem::path& path, Access access = Access::Map);

  // "mpi3d-toy", "mpi3d-realistic", "mpi3d-real" from the file name, else "mpi3d".
  std::string name() const override { return name_; }
  const std::vector<std::string>& factor_names() const override;
  const std::vector<std::int64_t>& factor_sizes() const override;
  ObservationShape observation_shape() const override { return {kSize, kSize, kChannels}; }
  void observations(const FactorMatrix& factors, float* out) const override;
  // object_color, object_shape and background_color are categorical.
  std::vector<int> unordered_factors() const override { return {0, 1, 4}; }

  std::int64_t num_images() const override { return kNumImages; }
  std::string description() const override;
  void for_each_block(std::int64_t block,
                      const std::function<void(const FactorMatrix&, const std::uint8_t*)>& fn) const override;

  // Pointer to the bytes of image `index` (64·64·3), mapped. Only with Access::Map.
  const std::uint8_t* image(std::int64_t index) const { return images_.bytes() + index * kSize * kSize * kChannels; }

 private:
  std::filesystem::path path_;
  std::string name_;
  NpyArray images_;  // mapped; empty for a deflated member opened with Access::Stream
  bool compressed_ = false;
  RowIndex index_;
};

class Mpi3dMulti : public GroundTruthData {
 public:
  static constexpr std::int64_t kFixed[5] = {3, 1, 1, 0, 2};  // colour, shape, size, height, background

  // `path`: an MPI3D .npz (opened as Mpi3d, mapped) or a native .h5 with MPI3D's factor sizes.
  explicit Mpi3dMulti(const std::filesystem::path& path);
  // Over an already opened MPI3D-shaped data set (factor sizes 6, 6, 2, 3, 3, 40, 40; 64×64×3).
  explicit Mpi3dMulti(std::shared_ptr<const GroundTruthData> base);

  std::string name() const override { return "mpi3d-multi"; }
  const std::vector<std::string>& factor_names() const override;
  const std::vector<std::int64_t>& factor_sizes() const override;
  ObservationShape observation_shape() const override { return {64, 64, 3}; }
  void observations(const FactorMatrix& factors, float* out) const override;

  const GroundTruthData& base() const { return *base_; }

 private:
  std::shared_ptr<const GroundTruthData> base_;
};

}  // namespace axial::datasets
