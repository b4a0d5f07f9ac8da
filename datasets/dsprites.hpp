#pragma once
// dSprites (Matthey, Higgins, Hassabis, Lerchner 2017; https://github.com/deepmind/dsprites-dataset) from its
// distributed .npz and from subsets with the same keys.
//
// Keys read: imgs (N, H, W) uint8 (0/1) or bool; latents_classes (N, 6) or (N, 5) integer. latents_values and the
// pickled `metadata` member are never read (metadata is an object array: it is skipped, not unpickled).
//  - 6 latent columns: color, shape, scale, orientation, posX, posY (the official 737,280-image file: 1,3,6,40,32,32).
//  - 5 latent columns: shape, scale, orientation, posX, posY (subsets that dropped the constant colour column).
// Factors = the latent columns with more than one distinct value, in that order, each re-indexed by its sorted
// distinct class values (0..n-1; for the official file and every subset that holds every value this is the class
// itself). `shape` is unordered (deny-listed for local sampling by default).
//
// Subsets: when the file's rows are not the full C-order grid of its factor values, existing_rows() lists the rows
// it holds (samplers draw only those) and observations() maps each row to its image through a hash map; a row that
// does not exist → axial::Error naming the file and row.
//
// Pixels: observation = (byte != 0) as 0.f / 1.f, (N, 64, 64, 1). A stored (uncompressed) imgs member is
// memory-mapped; a deflated one is inflated once and kept bit-packed (1 bit per pixel: 92 MB for the full file).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "datasets/npz.hpp"
#include "datasets/real_data.hpp"

namespace axial::datasets {

class DSprites : public StoredImageData {
 public:
  // Throws axial::Error naming the file and key for a missing key, wrong dtype or shape, object arrays, truncation.
  explicit DSprites(const std::filesystem::path& path);

  std::string name() const override { return "dsprites"; }
  const std::vector<std::string>& factor_names() const override { return names_; }
  const std::vector<std::int64_t>& factor_sizes() const override { return sizes_; }
  ObservationShape observation_shape() const override { return {height_, width_, 1}; }
  void observations(const FactorMatrix& factors, float* out) const override;
  std::vector<int> unordered_factors() const override;
  const FactorMatrix* existing_rows() const override { return index_.complete() ? nullptr : &index_.existing_rows(); }

  std::int64_t num_images() const override { return num_images_; }
  std::string description() const override;
  void for_each_block(std::int64_t block,
                      const std::function<void(const FactorMatrix&, const std::uint8_t*)>& fn) const override;

  // The factor row of image i (K values), as derived from latents_classes.
  FactorMatrix image_factors(std::int64_t start, std::int64_t count) const;
  // Latent columns in the file (5 or 6) and which of them became factors.
  int latent_columns() const { return latent_columns_; }
  bool images_mapped() const { return mapped_.bytes() != nullptr; }

 private:
  bool pixel(std::int64_t image, std::int64_t p) const;

  std::filesystem::path path_;
  std::vector<std::string> names_;
  std::vector<std::int64_t> sizes_;
  int height_ = 0, width_ = 0, latent_columns_ = 0;
  std::int64_t num_images_ = 0;
  FactorMatrix rows_;  // K×N factor row of every image
  RowIndex index_;
  NpyArray mapped_;                // stored imgs member (zero-copy), or empty
  std::vector<std::uint64_t> bits_;  // deflated imgs, bit-packed: image i pixel p at bit i·H·W + p
};

}  // namespace axial::datasets
