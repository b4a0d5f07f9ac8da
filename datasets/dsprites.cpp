#include "datasets/dsprites.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "src/core/error.hpp"

namespace axial::datasets {

DSprites::DSprites(const std::filesystem::path& path) : path_(path) {
  NpzFile npz(path);
  for (const char* key : {"imgs", "latents_classes"})
    if (!npz.has(key)) npz.header(key);  // throws "no such key (keys: …)"

  // Latent classes → factors.
  NpyArray classes = npz.read("latents_classes");
  classes.require_ndim(2);
  classes.require_integer();
  latent_columns_ = int(classes.dim(1));
  if (latent_columns_ != 5 && latent_columns_ != 6)
    throw Error(fmt::format("{}: expected 6 latent columns (color, shape, scale, orientation, posX, posY) or 5 (without "
                            "color), got shape {}",
                            classes.where(), classes.header().shape_string()));
  num_images_ = classes.dim(0);
  if (num_images_ == 0) throw Error(fmt::format("{}: no images (shape {})", classes.where(), classes.header().shape_string()));
  static const std::vector<std::string> all_names = {"color", "shape", "scale", "orientation", "posX", "posY"};
  const int first_name = 6 - latent_columns_;
  std::vector<std::int64_t> values = classes.as_int64();  // (N, C) row-major

  std::vector<int> factor_columns;
  std::vector<std::vector<std::int64_t>> distinct;
  for (int c = 0; c < latent_columns_; ++c) {
    std::vector<std::int64_t> col(static_cast<std::size_t>(num_images_));
    for (std::int64_t n = 0; n < num_images_; ++n) col[std::size_t(n)] = values[std::size_t(n * latent_columns_ + c)];
    std::sort(col.begin(), col.end());
    col.erase(std::unique(col.begin(), col.end()), col.end());
    if (col.size() > 1) {
      factor_columns.push_back(c);
      names_.push_back(all_names[std::size_t(first_name + c)]);
      sizes_.push_back(std::int64_t(col.size()));
      distinct.push_back(std::move(col));
    }
  }
  if (factor_columns.empty())
    throw Error(fmt::format("{}: no latent column has more than one value (nothing varies)", classes.where()));
  const Eigen::Index K = Eigen::Index(factor_columns.size());
  rows_.resize(K, num_images_);
  for (Eigen::Index k = 0; k < K; ++k) {
    const auto& d = distinct[std::size_t(k)];
    const bool identity = d.front() == 0 && d.back() == std::int64_t(d.size()) - 1;
    for (std::int64_t n = 0; n < num_images_; ++n) {
      std::int64_t v = values[std::size_t(n * latent_columns_ + factor_columns[std::size_t(k)])];
      rows_(k, n) = identity ? v : std::int64_t(std::lower_bound(d.begin(), d.end(), v) - d.begin());
    }
  }
  index_ = RowIndex(rows_, sizes_, fmt::format("file '{}'", path.string()));

  // Images.
  NpyHeader h = npz.header("imgs");
  const std::string where = npz.where("imgs");
  if (h.type != NpyType::UInt8 && h.type != NpyType::Bool)
    throw Error(fmt::format("{}: expected uint8 (0/1) images, got dtype {}", where, npy_type_name(h.type)));
  if (h.shape.size() != 3 || h.shape[1] <= 0 || h.shape[2] <= 0)
    throw Error(fmt::format("{}: expected shape (N, height, width), got {}", where, h.shape_string()));
  if (h.shape[0] != num_images_)
    throw Error(fmt::format("{}: {} images but latents_classes has {} rows", where, h.shape[0], num_images_));
  height_ = int(h.shape[1]);
  width_ = int(h.shape[2]);
  if (!npz.is_compressed("imgs")) {
    mapped_ = npz.map("imgs");
  } else {
    const std::uint64_t total = std::uint64_t(num_images_) * std::uint64_t(height_) * std::uint64_t(width_);
    bits_.assign(std::size_t((total + 63) / 64), 0);
    std::uint64_t pos = 0;
    npz.stream(
        "imgs", [](const NpyHeader&) {},
        [&](const std::uint8_t* b, std::size_t n) {
          for (std::size_t i = 0; i < n; ++i, ++pos)
            if (b[i]) bits_[pos >> 6] |= std::uint64_t(1) << (pos & 63);
        });
  }
}

std::vector<int> DSprites::unordered_factors() const {
  std::vector<int> out;
  for (std::size_t k = 0; k < names_.size(); ++k)
    if (names_[k] == "shape") out.push_back(int(k));
  return out;
}

bool DSprites::pixel(std::int64_t image, std::int64_t p) const {
  const std::uint64_t i = std::uint64_t(image) * std::uint64_t(height_ * width_) + std::uint64_t(p);
  if (mapped_.bytes()) return mapped_.bytes()[i] != 0;
  return (bits_[i >> 6] >> (i & 63)) & 1u;
}

void DSprites::observations(const FactorMatrix& factors, float* out) const {
  const std::int64_t hw = std::int64_t(height_) * width_;
  for (Eigen::Index n = 0; n < factors.cols(); ++n) {
    const std::int64_t image = index_.lookup(factors, n);
    float* o = out + n * hw;
    if (mapped_.bytes()) {
      const std::uint8_t* src = mapped_.bytes() + image * hw;
      for (std::int64_t p = 0; p < hw; ++p) o[p] = src[p] ? 1.f : 0.f;
    } else {
      for (std::int64_t p = 0; p < hw; ++p) o[p] = pixel(image, p) ? 1.f : 0.f;
    }
  }
}

FactorMatrix DSprites::image_factors(std::int64_t start, std::int64_t count) const {
  return rows_.middleCols(start, count);
}

std::string DSprites::description() const {
  std::string layout = latent_columns_ == 6 ? "dSprites (6 latent columns)" : "dSprites subset layout (5 latent columns, no color)";
  std::string storage = mapped_.bytes() ? "images memory-mapped (stored member)" : "images deflated, held bit-packed in memory";
  if (index_.complete())
    return fmt::format("{}; {} images, every combination of factor values exists; {}", layout, num_images_, storage);
  return fmt::format("{}; subset: {} images hold {} of {} factor combinations (sampling draws existing rows only); {}",
                     layout, num_images_, index_.num_existing(), index_.num_combinations(), storage);
}

void DSprites::for_each_block(std::int64_t block,
                              const std::function<void(const FactorMatrix&, const std::uint8_t*)>& fn) const {
  const std::int64_t hw = std::int64_t(height_) * width_;
  block = std::max<std::int64_t>(block, 1);
  std::vector<std::uint8_t> pixels;
  for (std::int64_t start = 0; start < num_images_; start += block) {
    const std::int64_t n = std::min(block, num_images_ - start);
    pixels.resize(std::size_t(n * hw));
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t p = 0; p < hw; ++p) pixels[std::size_t(i * hw + p)] = pixel(start + i, p) ? 255 : 0;
    fn(rows_.middleCols(start, n), pixels.data());
  }
}

}  // namespace axial::datasets
