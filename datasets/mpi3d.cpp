#include "datasets/mpi3d.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "datasets/native_h5.hpp"
#include "src/core/error.hpp"

namespace axial::datasets {

namespace {

const std::vector<std::string>& mpi3d_names() {
  static const std::vector<std::string> names = {"object_color",     "object_shape", "object_size", "camera_height",
                                                 "background_color", "first_dof",    "second_dof"};
  return names;
}
const std::vector<std::int64_t>& mpi3d_sizes() {
  static const std::vector<std::int64_t> sizes = {6, 6, 2, 3, 3, 40, 40};
  return sizes;
}

// pixel = byte / 255, as numpy's images / 255. (float64) then float32.
const float* byte_to_float() {
  static const auto table = [] {
    std::vector<float> t(256);
    for (int v = 0; v < 256; ++v) t[std::size_t(v)] = float(double(v) / 255.0);
    return t;
  }();
  return table.data();
}

}  // namespace

Mpi3d::Mpi3d(const std::filesystem::path& path, Access access)
    : path_(path), index_(RowIndex::full_grid(mpi3d_sizes(), fmt::format("file '{}'", path.string()))) {
  const std::string stem = path.stem().string();
  name_ = "mpi3d";
  for (const char* variant : {"toy", "realistic", "real"})
    if (stem == std::string("mpi3d_") + variant) name_ = std::string("mpi3d-") + variant;

  NpzFile npz(path);
  NpyHeader h = npz.header("images");  // "no such key (keys: …)" if absent
  const std::string where = npz.where("images");
  if (h.type != NpyType::UInt8) throw Error(fmt::format("{}: expected uint8 images, got dtype {}", where, npy_type_name(h.type)));
  if (h.shape != std::vector<std::int64_t>{kNumImages, kSize, kSize, kChannels})
    throw Error(fmt::format("{}: expected shape ({}, {}, {}, {}) (6·6·2·3·3·40·40 images), got {}", where, kNumImages,
                            kSize, kSize, kChannels, h.shape_string()));
  compressed_ = npz.is_compressed("images");
  if (!compressed_)
    images_ = npz.map("images");
  else if (access == Access::Map)
    npz.map("images");  // throws: deflated, cannot be memory-mapped, convert with `axial data convert`
}

const std::vector<std::string>& Mpi3d::factor_names() const { return mpi3d_names(); }
const std::vector<std::int64_t>& Mpi3d::factor_sizes() const { return mpi3d_sizes(); }

void Mpi3d::observations(const FactorMatrix& factors, float* out) const {
  if (!images_.bytes())
    throw Error(fmt::format("file '{}', key 'images': the member is deflated and cannot be memory-mapped; convert it "
                            "with `axial data convert {} --out FILE.h5`",
                            path_.string(), path_.string()));
  const float* table = byte_to_float();
  const std::int64_t size = std::int64_t(kSize) * kSize * kChannels;
  for (Eigen::Index n = 0; n < factors.cols(); ++n) {
    const std::uint8_t* src = image(index_.lookup(factors, n));
    float* o = out + n * size;
    for (std::int64_t p = 0; p < size; ++p) o[p] = table[src[p]];
  }
}

std::string Mpi3d::description() const {
  return fmt::format("MPI3D ({}); {} images, every combination of factor values exists; {}", name_, kNumImages,
                     compressed_ ? "images member deflated: cannot be memory-mapped, convert with `axial data convert`"
                                 : "images memory-mapped (stored member)");
}

void Mpi3d::for_each_block(std::int64_t block,
                           const std::function<void(const FactorMatrix&, const std::uint8_t*)>& fn) const {
  block = std::max<std::int64_t>(block, 1);
  const std::int64_t size = std::int64_t(kSize) * kSize * kChannels;
  const auto& sizes = mpi3d_sizes();
  auto rows_of = [&](std::int64_t start, std::int64_t n) {
    FactorMatrix rows(7, n);
    for (std::int64_t i = 0; i < n; ++i) {
      std::int64_t r = start + i;
      for (int k = 6; k >= 0; --k) {
        rows(k, i) = r % sizes[std::size_t(k)];
        r /= sizes[std::size_t(k)];
      }
    }
    return rows;
  };
  if (images_.bytes()) {
    for (std::int64_t start = 0; start < kNumImages; start += block) {
      const std::int64_t n = std::min(block, kNumImages - start);
      fn(rows_of(start, n), image(start));
    }
    return;
  }
  // Deflated: stream the member, handing out whole images.
  NpzFile npz(path_);
  std::vector<std::uint8_t> buf;
  buf.reserve(std::size_t(block * size));
  std::int64_t start = 0;
  npz.stream(
      "images", [](const NpyHeader&) {},
      [&](const std::uint8_t* b, std::size_t n) {
        while (n > 0) {
          std::size_t want = std::size_t(block * size) - buf.size();
          std::size_t take = std::min(want, n);
          buf.insert(buf.end(), b, b + take);
          b += take;
          n -= take;
          if (buf.size() == std::size_t(block * size) || (start + block > kNumImages &&
                                                           buf.size() == std::size_t((kNumImages - start) * size))) {
            const std::int64_t count = std::int64_t(buf.size()) / size;
            fn(rows_of(start, count), buf.data());
            start += count;
            buf.clear();
          }
        }
      });
  if (start != kNumImages)
    throw Error(fmt::format("file '{}', key 'images': stream ended after {} of {} images", path_.string(), start, kNumImages));
}

// ---------------------------------------------------------------------------------------------------------------

constexpr std::int64_t Mpi3dMulti::kFixed[5];

namespace {
std::shared_ptr<const GroundTruthData> open_mpi3d_base(const std::filesystem::path& path) {
  if (is_native_file(path)) return std::make_shared<NativeData>(path);
  return std::make_shared<Mpi3d>(path, Mpi3d::Access::Map);
}
}  // namespace

Mpi3dMulti::Mpi3dMulti(const std::filesystem::path& path) : Mpi3dMulti(open_mpi3d_base(path)) {}

Mpi3dMulti::Mpi3dMulti(std::shared_ptr<const GroundTruthData> base) : base_(std::move(base)) {
  auto s = base_->observation_shape();
  if (base_->factor_sizes() != mpi3d_sizes() || s.height != 64 || s.width != 64 || s.channels != 3)
    throw Error(fmt::format("mpi3d-multi: the base data set '{}' is not MPI3D-shaped (factor sizes 6, 6, 2, 3, 3, 40, 40 "
                            "and 64×64×3 images needed)",
                            base_->name()));
}

const std::vector<std::string>& Mpi3dMulti::factor_names() const {
  static const std::vector<std::string> names = {"tl_first_dof", "tl_second_dof", "bl_first_dof", "bl_second_dof",
                                                 "tr_first_dof", "tr_second_dof", "br_first_dof", "br_second_dof"};
  return names;
}
const std::vector<std::int64_t>& Mpi3dMulti::factor_sizes() const {
  static const std::vector<std::int64_t> sizes(8, 40);
  return sizes;
}

void Mpi3dMulti::observations(const FactorMatrix& factors, float* out) const {
  if (factors.rows() != 8)
    throw Error(fmt::format("mpi3d-multi: factor rows have {} values, expected 8", factors.rows()));
  for (Eigen::Index n = 0; n < factors.cols(); ++n)
    for (Eigen::Index k = 0; k < 8; ++k)
      if (factors(k, n) < 0 || factors(k, n) >= 40)
        throw Error(fmt::format("mpi3d-multi: factor row {} (sample {}): factor {} ({}) = {} is outside 0..39",
                                row_string(factors, n), n, k, factor_names()[std::size_t(k)], factors(k, n)));
  constexpr std::int64_t kBlock = 64;
  constexpr std::int64_t kSub = 64 * 64 * 3;
  std::vector<float> sub;
  for (Eigen::Index start = 0; start < factors.cols(); start += kBlock) {
    const Eigen::Index n = std::min<Eigen::Index>(kBlock, factors.cols() - start);
    FactorMatrix base_rows(7, 4 * n);
    for (Eigen::Index j = 0; j < n; ++j)
      for (int i = 0; i < 4; ++i) {
        auto col = base_rows.col(4 * j + i);
        for (int k = 0; k < 5; ++k) col(k) = kFixed[k];
        col(5) = factors(2 * i, start + j);
        col(6) = factors(2 * i + 1, start + j);
      }
    sub.resize(std::size_t(4 * n * kSub));
    base_->observations(base_rows, sub.data());
    for (Eigen::Index j = 0; j < n; ++j) {
      float* o = out + (start + j) * kSub;
      for (int i = 0; i < 4; ++i) {
        const float* s = sub.data() + (4 * j + i) * kSub;
        const int row0 = (i % 2) * 32, col0 = (i / 2) * 32;  // 0 TL, 1 BL, 2 TR, 3 BR
        for (int y = 0; y < 32; ++y)
          for (int x = 0; x < 32; ++x)
            for (int c = 0; c < 3; ++c)
              o[((row0 + y) * 64 + (col0 + x)) * 3 + c] = s[((2 * y) * 64 + 2 * x) * 3 + c];
      }
    }
  }
}

}  // namespace axial::datasets
