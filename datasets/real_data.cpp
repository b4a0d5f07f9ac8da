#include "datasets/real_data.hpp"

#include <fmt/format.h>

#include "datasets/dsprites.hpp"
#include "datasets/h5_util.hpp"
#include "datasets/mpi3d.hpp"
#include "datasets/npz.hpp"
#include "datasets/shapes3d.hpp"
#include "src/core/error.hpp"

namespace axial::datasets {

std::string row_string(const FactorMatrix& factors, Eigen::Index col) {
  std::string s = "(";
  for (Eigen::Index k = 0; k < factors.rows(); ++k) {
    if (k) s += ", ";
    s += std::to_string(factors(k, col));
  }
  return s + ")";
}

namespace {
std::vector<std::uint64_t> c_strides(const std::vector<std::int64_t>& sizes) {
  std::vector<std::uint64_t> s(sizes.size(), 1);
  for (std::size_t k = sizes.size(); k-- > 1;) s[k - 1] = s[k] * std::uint64_t(sizes[k]);
  return s;
}
}  // namespace

RowIndex RowIndex::full_grid(std::vector<std::int64_t> sizes, std::string where) {
  RowIndex r;
  r.sizes_ = std::move(sizes);
  r.strides_ = c_strides(r.sizes_);
  r.complete_ = true;
  r.where_ = std::move(where);
  return r;
}

RowIndex::RowIndex(const FactorMatrix& rows, std::vector<std::int64_t> sizes, std::string where)
    : sizes_(std::move(sizes)), strides_(c_strides(sizes_)), where_(std::move(where)) {
  const Eigen::Index K = rows.rows(), N = rows.cols();
  if (K != Eigen::Index(sizes_.size())) throw Error(fmt::format("{}: internal: factor rows have {} values, expected {}", where_, K, sizes_.size()));
  for (Eigen::Index n = 0; n < N; ++n)
    for (Eigen::Index k = 0; k < K; ++k)
      if (rows(k, n) < 0 || rows(k, n) >= sizes_[std::size_t(k)])
        throw Error(fmt::format("{}: factor {} of image {} is {}, outside 0..{}", where_, k, n, rows(k, n), sizes_[std::size_t(k)] - 1));
  complete_ = N == num_combinations();
  for (Eigen::Index n = 0; complete_ && n < N; ++n) complete_ = key(rows, n) == std::uint64_t(n);
  if (complete_) return;
  map_.reserve(std::size_t(N));
  std::vector<Eigen::Index> first;
  for (Eigen::Index n = 0; n < N; ++n)
    if (map_.emplace(key(rows, n), n).second) first.push_back(n);
  existing_.resize(K, Eigen::Index(first.size()));
  for (std::size_t j = 0; j < first.size(); ++j) existing_.col(Eigen::Index(j)) = rows.col(first[j]);
}

std::int64_t RowIndex::num_combinations() const {
  std::int64_t n = 1;
  for (auto s : sizes_) n *= s;
  return n;
}

std::uint64_t RowIndex::key(const FactorMatrix& factors, Eigen::Index col) const {
  std::uint64_t k = 0;
  for (std::size_t i = 0; i < sizes_.size(); ++i) k += std::uint64_t(factors(Eigen::Index(i), col)) * strides_[i];
  return k;
}

std::int64_t RowIndex::lookup(const FactorMatrix& factors, Eigen::Index col) const {
  if (factors.rows() != Eigen::Index(sizes_.size()))
    throw Error(fmt::format("{}: factor rows have {} values, the data set has {} factors", where_, factors.rows(), sizes_.size()));
  for (std::size_t i = 0; i < sizes_.size(); ++i) {
    auto v = factors(Eigen::Index(i), col);
    if (v < 0 || v >= sizes_[i])
      throw Error(fmt::format("{}: factor row {} (sample {}): factor {} = {} is outside 0..{}", where_,
                              row_string(factors, col), col, i, v, sizes_[i] - 1));
  }
  std::uint64_t k = key(factors, col);
  if (complete_) return std::int64_t(k);
  auto it = map_.find(k);
  if (it == map_.end())
    throw Error(fmt::format("{}: factor row {} (sample {}) does not exist in this subset ({} of {} combinations exist)",
                            where_, row_string(factors, col), col, existing_.cols(), num_combinations()));
  return it->second;
}

std::unique_ptr<GroundTruthData> open_real_dataset(const std::string& kind, const std::filesystem::path& path,
                                                   bool for_conversion) {
  if (kind == "dsprites") return std::make_unique<DSprites>(path);
  if (kind == "shapes3d") return std::make_unique<Shapes3D>(path);
  if (kind == "mpi3d") return std::make_unique<Mpi3d>(path, for_conversion ? Mpi3d::Access::Stream : Mpi3d::Access::Map);
  if (kind == "mpi3d-multi") return std::make_unique<Mpi3dMulti>(path);
  throw Error(fmt::format("unknown data-set file kind '{}' (valid: dsprites, shapes3d, mpi3d, mpi3d-multi)", kind));
}

std::string detect_real_dataset(const std::filesystem::path& path) {
  try {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return "";
    if (h5::is_hdf5_file(path)) {
      auto f = h5::File::open_read(path);
      if (f.is_dataset("images") && f.is_dataset("labels") && f.shape("labels").size() == 2 &&
          f.shape("labels")[1] == 6)
        return "shapes3d";
      return "";
    }
    NpzFile z(path);
    if (z.has("imgs") && z.has("latents_classes")) return "dsprites";
    if (z.has("images") && !z.has("labels")) {
      auto h = z.header("images");
      if (h.shape.size() == 4 && h.shape[0] == Mpi3d::kNumImages) return "mpi3d";
    }
  } catch (const h5::DamagedFile&) {
    throw;  // libhdf5 cannot read it: say so rather than "not recognised"
  } catch (const std::exception&) {
  }
  return "";
}

}  // namespace axial::datasets
