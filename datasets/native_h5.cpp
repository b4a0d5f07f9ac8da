#include "datasets/native_h5.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>

#include "axial/version.hpp"
#include "src/core/error.hpp"

namespace axial::datasets {

namespace {

std::string key_in(const std::string& group, const std::string& name) {
  if (group.empty() || group == "/") return name;
  return group + "/" + name;
}

std::string row_string(const FactorMatrix& f, Eigen::Index j) {
  std::string s;
  for (Eigen::Index i = 0; i < f.rows(); ++i) s += fmt::format("{}{}", i ? ", " : "", f(i, j));
  return "(" + s + ")";
}

std::string version_string() { return fmt::format("{} ({})", kVersion, kGitCommit); }

bool has_native_datasets(const h5::File& f, const std::string& group) {
  return f.is_dataset(key_in(group, "images")) && f.is_dataset(key_in(group, "factors"));
}

}  // namespace

NativeHeader native_header(const GroundTruthData& data, std::optional<std::uint64_t> seed) {
  NativeHeader h;
  h.dataset = data.name();
  h.factor_names = data.factor_names();
  h.factor_sizes = data.factor_sizes();
  h.shape = data.observation_shape();
  h.seed = seed;
  return h;
}

// --- writing -----------------------------------------------------------------------------------------------------

NativeWriter::NativeWriter(std::filesystem::path target, NativeHeader header, NativeWriteOptions options)
    : out_(std::move(target)),
      header_(std::move(header)),
      options_(options),
      file_(h5::File::create(out_.temp_path())) {
  if (header_.factor_names.size() != header_.factor_sizes.size())
    throw Error(fmt::format("'{}': {} factor names but {} factor sizes", out_.target().string(),
                            header_.factor_names.size(), header_.factor_sizes.size()));
  if (header_.shape.height <= 0 || header_.shape.width <= 0 || header_.shape.channels <= 0)
    throw Error(fmt::format("'{}': invalid observation shape", out_.target().string()));
  file_.write_attr_strings("/", "factor_names", header_.factor_names);
  file_.write_attr_ints("/", "factor_sizes", header_.factor_sizes);
  file_.write_attr_string("/", "dataset", header_.dataset);
  if (header_.seed) file_.write_attr_uint("/", "seed", *header_.seed);
  file_.write_attr_string("/", "axial_version", version_string());
}

void NativeWriter::begin(const std::string& group, std::int64_t n) {
  if (open_group_ && written_ != rows_)
    throw std::logic_error(fmt::format("NativeWriter: group '{}' has {} of {} rows", group_, written_, rows_));
  if (n < 0) throw Error(fmt::format("'{}': negative number of rows {}", out_.target().string(), n));
  group_ = (group == "/") ? "" : group;
  rows_ = n;
  written_ = 0;
  open_group_ = true;
  if (!group_.empty()) file_.create_group(group_);
  const auto& s = header_.shape;
  const std::int64_t k = static_cast<std::int64_t>(header_.factor_sizes.size());
  h5::WriteOptions img{{options_.chunk_rows, s.height, s.width, s.channels}, options_.gzip};
  h5::WriteOptions fac{{std::max<std::int64_t>(options_.chunk_rows, 1024), k}, options_.gzip};
  const std::vector<std::int64_t> img_shape{n, s.height, s.width, s.channels};
  if (options_.storage == ImageStorage::Uint8) {
    file_.create_dataset<std::uint8_t>(key_in(group_, "images"), img_shape, img);
    file_.write_attr_int(key_in(group_, "images"), "scale", 255);
  } else {
    file_.create_dataset<float>(key_in(group_, "images"), img_shape, img);
  }
  file_.create_dataset<std::int64_t>(key_in(group_, "factors"), {n, k}, fac);
}

void NativeWriter::check_block(const FactorMatrix& factors) const {
  if (!open_group_) throw std::logic_error("NativeWriter: write_rows before begin");
  const auto k = static_cast<Eigen::Index>(header_.factor_sizes.size());
  if (factors.rows() != k)
    throw Error(fmt::format("'{}': factor rows have {} values, expected {}", out_.target().string(), factors.rows(), k));
  if (written_ + factors.cols() > rows_)
    throw std::logic_error(fmt::format("NativeWriter: {} rows written to a group of {}", written_ + factors.cols(), rows_));
  for (Eigen::Index j = 0; j < factors.cols(); ++j)
    for (Eigen::Index i = 0; i < k; ++i)
      if (factors(i, j) < 0 || factors(i, j) >= header_.factor_sizes[static_cast<std::size_t>(i)])
        throw Error(fmt::format("'{}': row {}: factor {} = {} is outside 0..{}", out_.target().string(), written_ + j,
                                header_.factor_names[static_cast<std::size_t>(i)], factors(i, j),
                                header_.factor_sizes[static_cast<std::size_t>(i)] - 1));
}

void NativeWriter::write_rows(const FactorMatrix& factors, const float* images) {
  check_block(factors);
  const std::int64_t n = factors.cols();
  if (n == 0) return;
  const std::int64_t per = header_.shape.size();
  if (options_.storage == ImageStorage::Uint8) {
    std::vector<std::uint8_t> buf(static_cast<std::size_t>(n * per));
    for (std::size_t i = 0; i < buf.size(); ++i) {
      const float v = std::min(1.0f, std::max(0.0f, images[i]));
      buf[i] = static_cast<std::uint8_t>(std::lround(v * 255.0f));
    }
    file_.write_rows<std::uint8_t>(key_in(group_, "images"), written_, n, buf.data());
  } else {
    file_.write_rows<float>(key_in(group_, "images"), written_, n, images);
  }
  // K×N column-major == (N, K) row-major.
  file_.write_rows<std::int64_t>(key_in(group_, "factors"), written_, n, factors.data());
  written_ += n;
}

void NativeWriter::write_rows_u8(const FactorMatrix& factors, const std::uint8_t* images) {
  if (options_.storage != ImageStorage::Uint8) throw std::logic_error("NativeWriter: write_rows_u8 needs Uint8 storage");
  check_block(factors);
  const std::int64_t n = factors.cols();
  if (n == 0) return;
  file_.write_rows<std::uint8_t>(key_in(group_, "images"), written_, n, images);
  file_.write_rows<std::int64_t>(key_in(group_, "factors"), written_, n, factors.data());
  written_ += n;
}

void NativeWriter::commit() {
  if (open_group_ && written_ != rows_)
    throw std::logic_error(fmt::format("NativeWriter: group '{}' has {} of {} rows", group_, written_, rows_));
  file_.close();
  out_.commit();
}

void write_native(const std::filesystem::path& target, const GroundTruthData& data, const FactorMatrix& factors,
                  std::optional<std::uint64_t> seed, const NativeWriteOptions& options,
                  const std::function<void(std::int64_t, std::int64_t)>& progress, std::int64_t block) {
  NativeWriter w(target, native_header(data, seed), options);
  const std::int64_t n = factors.cols();
  w.begin("", n);
  block = std::max<std::int64_t>(1, block);
  std::vector<float> images(static_cast<std::size_t>(std::min(block, std::max<std::int64_t>(n, 1)) *
                                                     data.observation_shape().size()));
  for (std::int64_t start = 0; start < n; start += block) {
    const std::int64_t m = std::min(block, n - start);
    FactorMatrix part = factors.middleCols(start, m);
    data.observations(part, images.data());
    w.write_rows(part, images.data());
    if (progress) progress(start + m, n);
  }
  w.commit();
}

// --- reading -----------------------------------------------------------------------------------------------------

bool is_native_file(const std::filesystem::path& path) {
  try {
    if (!h5::is_hdf5_file(path)) return false;
    auto f = h5::File::open_read(path);
    if (!f.has_attr("/", "factor_names") || !f.has_attr("/", "factor_sizes")) return false;
    if (has_native_datasets(f, "")) return true;
    for (const auto& g : f.groups_in("/"))
      if (has_native_datasets(f, g)) return true;
    return false;
  } catch (const h5::DamagedFile&) {
    throw;  // an HDF5 file libhdf5 cannot read: the error, not "not a native file"
  } catch (const std::exception&) {
    return false;
  }
}

NativeInfo read_native_info(const std::filesystem::path& path, const std::string& group_in) {
  const std::string group = group_in == "/" ? "" : group_in;
  auto f = h5::File::open_read(path);
  NativeInfo info;
  for (const char* a : {"factor_names", "factor_sizes"})
    if (!f.has_attr("/", a)) throw Error(f.where(fmt::format("attribute '{}' not found (not an axial data file?)", a)));
  info.header.factor_names = f.read_attr_strings("/", "factor_names");
  if (f.attr_type_class("/", "factor_sizes") != h5::TypeClass::Integer)
    throw Error(f.where("attribute 'factor_sizes' is not integer"));
  info.header.factor_sizes = f.read_attr_ints("/", "factor_sizes");
  const std::size_t k = info.header.factor_sizes.size();
  if (info.header.factor_names.size() != k)
    throw Error(f.where(fmt::format("attribute 'factor_names' has {} names but 'factor_sizes' has {} sizes",
                                    info.header.factor_names.size(), k)));
  for (std::size_t i = 0; i < k; ++i)
    if (info.header.factor_sizes[i] < 1)
      throw Error(f.where(fmt::format("attribute 'factor_sizes': factor {} has size {}", info.header.factor_names[i],
                                      info.header.factor_sizes[i])));
  info.header.dataset = f.has_attr("/", "dataset") ? f.read_attr_string("/", "dataset") : std::string();
  if (f.has_attr("/", "seed")) info.header.seed = f.read_attr_uint("/", "seed");
  info.axial_version = f.has_attr("/", "axial_version") ? f.read_attr_string("/", "axial_version") : std::string();
  if (group.empty())
    for (const auto& g : f.groups_in("/"))
      if (has_native_datasets(f, g)) info.groups.push_back(g);
  // Cluster groups sort as cluster_0, cluster_1, …, cluster_10 (by number, not by text).
  std::stable_sort(info.groups.begin(), info.groups.end(), [](const std::string& a, const std::string& b) {
    auto num = [](const std::string& s) {
      auto p = s.find_last_of('_');
      try {
        return p == std::string::npos ? -1L : std::stol(s.substr(p + 1));
      } catch (...) {
        return -1L;
      }
    };
    return num(a) < num(b);
  });
  if (group.empty() && !has_native_datasets(f, "")) {
    if (info.groups.empty()) throw Error(f.where("datasets 'images' and 'factors' not found"));
    return info;  // a file of cluster groups: the header only
  }
  if (!group.empty() && !has_native_datasets(f, group))
    throw Error(f.where(fmt::format("group '{}' with datasets 'images' and 'factors' not found", group)));
  const std::string ik = key_in(group, "images"), fk = key_in(group, "factors");
  auto ishape = f.shape(ik), fshape = f.shape(fk);
  if (fshape.size() != 2) throw Error(f.where(fmt::format("dataset '{}' has {} dimensions, expected 2 (N, K)", fk, fshape.size())));
  if (f.type_class(fk) != h5::TypeClass::Integer)
    throw Error(f.where(fmt::format("dataset '{}' holds {} values, expected integers", fk,
                                    h5::type_class_name(f.type_class(fk)))));
  if (fshape[1] != static_cast<std::int64_t>(k))
    throw Error(f.where(fmt::format("dataset '{}' has {} columns but the file names {} factors", fk, fshape[1], k)));
  if (ishape.size() != 4)
    throw Error(f.where(fmt::format("dataset '{}' has {} dimensions, expected 4 (N, H, W, C)", ik, ishape.size())));
  if (ishape[0] != fshape[0])
    throw Error(f.where(fmt::format("dataset '{}' has {} rows but '{}' has {}", ik, ishape[0], fk, fshape[0])));
  const auto ic = f.type_class(ik);
  if (ic == h5::TypeClass::Integer && f.type_size(ik) == 1 && !f.is_signed(ik))
    info.storage = ImageStorage::Uint8;
  else if (ic == h5::TypeClass::Float)
    info.storage = ImageStorage::Float32;
  else
    throw Error(f.where(fmt::format("dataset '{}' holds {} values of {} bytes, expected float32 or uint8", ik,
                                    h5::type_class_name(ic), f.type_size(ik))));
  info.num = fshape[0];
  info.header.shape = {static_cast<int>(ishape[1]), static_cast<int>(ishape[2]), static_cast<int>(ishape[3])};
  return info;
}

FactorMatrix read_native_factors(const std::filesystem::path& path, const std::string& group) {
  NativeInfo info = read_native_info(path, group);
  auto f = h5::File::open_read(path);
  const std::string fk = key_in(group == "/" ? "" : group, "factors");
  const auto k = static_cast<Eigen::Index>(info.header.factor_sizes.size());
  auto v = f.read<std::int64_t>(fk);
  FactorMatrix out = Eigen::Map<const FactorMatrix>(v.data(), k, info.num);
  for (Eigen::Index j = 0; j < out.cols(); ++j)
    for (Eigen::Index i = 0; i < k; ++i)
      if (out(i, j) < 0 || out(i, j) >= info.header.factor_sizes[static_cast<std::size_t>(i)])
        throw Error(f.where(fmt::format("dataset '{}': row {}: factor {} = {} is outside 0..{}", fk, j,
                                        info.header.factor_names[static_cast<std::size_t>(i)], out(i, j),
                                        info.header.factor_sizes[static_cast<std::size_t>(i)] - 1)));
  return out;
}

namespace {

void read_images_from(const h5::File& f, const std::string& group, ImageStorage storage, std::int64_t per,
                      std::int64_t start, std::int64_t count, float* out) {
  const std::string ik = key_in(group, "images");
  if (storage == ImageStorage::Float32) {
    f.read_rows<float>(ik, start, count, out);
    return;
  }
  double scale = 255.0;
  if (f.has_attr(ik, "scale")) scale = f.read_attr_double(ik, "scale");
  else if (f.has_attr("/", "scale")) scale = f.read_attr_double("/", "scale");
  if (!(scale > 0)) throw Error(f.where(fmt::format("attribute 'scale' of '{}' is {}, expected > 0", ik, scale)));
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(count * per));
  f.read_rows<std::uint8_t>(ik, start, count, buf.data());
  const float inv = static_cast<float>(1.0 / scale);
  for (std::size_t i = 0; i < buf.size(); ++i) out[i] = static_cast<float>(buf[i]) * inv;
}

}  // namespace

void read_native_images(const std::filesystem::path& path, const std::string& group, std::int64_t start,
                        std::int64_t count, float* out) {
  NativeInfo info = read_native_info(path, group);
  auto f = h5::File::open_read(path);
  read_images_from(f, group == "/" ? "" : group, info.storage, info.header.shape.size(), start, count, out);
}

// --- NativeData --------------------------------------------------------------------------------------------------

struct NativeData::Impl {
  h5::File file;
  std::mutex mutex;  // HDF5 may be built without thread safety
};

NativeData::NativeData(const std::filesystem::path& path, const std::string& group)
    : path_(path), group_(group == "/" ? "" : group) {
  info_ = read_native_info(path_, group_);
  if (group_.empty() && info_.num == 0 && !info_.groups.empty()) {
    std::string gs;
    for (const auto& g : info_.groups) gs += (gs.empty() ? "" : ", ") + g;
    throw Error(fmt::format("'{}' holds local samples in groups ({}), not one data set", path_.string(), gs));
  }
  FactorMatrix all = read_native_factors(path_, group_);
  const auto& sizes = info_.header.factor_sizes;
  // Mixed-radix key of a row; the product of the sizes must fit in 63 bits.
  long double total = 1;
  for (auto s : sizes) total *= static_cast<long double>(s);
  if (total > 9.0e18L) throw Error(fmt::format("'{}': too many factor combinations to index", path_.string()));
  std::vector<Eigen::Index> distinct;
  for (Eigen::Index j = 0; j < all.cols(); ++j) {
    std::uint64_t key = 0;
    for (Eigen::Index i = 0; i < all.rows(); ++i)
      key = key * static_cast<std::uint64_t>(sizes[static_cast<std::size_t>(i)]) + static_cast<std::uint64_t>(all(i, j));
    if (index_.emplace(key, j).second) distinct.push_back(j);
  }
  rows_.resize(all.rows(), static_cast<Eigen::Index>(distinct.size()));
  for (std::size_t c = 0; c < distinct.size(); ++c) rows_.col(static_cast<Eigen::Index>(c)) = all.col(distinct[c]);
  complete_ = static_cast<long double>(distinct.size()) == total;
  impl_.reset(new Impl{h5::File::open_read(path_), {}});
}

NativeData::~NativeData() = default;

void NativeData::observations(const FactorMatrix& factors, float* out) const {
  const auto& sizes = info_.header.factor_sizes;
  const auto k = static_cast<Eigen::Index>(sizes.size());
  if (factors.rows() != k)
    throw Error(fmt::format("'{}': factor rows have {} values, expected {}", path_.string(), factors.rows(), k));
  const std::int64_t n = factors.cols();
  // Find the file row of each requested row.
  std::vector<std::pair<std::int64_t, std::int64_t>> order;  // (file row, request index)
  order.reserve(static_cast<std::size_t>(n));
  for (Eigen::Index j = 0; j < n; ++j) {
    std::uint64_t key = 0;
    for (Eigen::Index i = 0; i < k; ++i) {
      const std::int64_t v = factors(i, j);
      if (v < 0 || v >= sizes[static_cast<std::size_t>(i)])
        throw Error(fmt::format("'{}': row {} {}: factor {} = {} is outside 0..{}", path_.string(), j,
                                row_string(factors, j), info_.header.factor_names[static_cast<std::size_t>(i)], v,
                                sizes[static_cast<std::size_t>(i)] - 1));
      key = key * static_cast<std::uint64_t>(sizes[static_cast<std::size_t>(i)]) + static_cast<std::uint64_t>(v);
    }
    auto it = index_.find(key);
    if (it == index_.end())
      throw Error(fmt::format("'{}': row {} {} is not in the file", path_.string(), j, row_string(factors, j)));
    order.emplace_back(it->second, j);
  }
  std::sort(order.begin(), order.end());
  const std::int64_t per = info_.header.shape.size();
  std::vector<float> buf;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  // Read runs of consecutive file rows at once, then scatter.
  for (std::size_t a = 0; a < order.size();) {
    std::size_t b = a + 1;
    while (b < order.size() && order[b].first <= order[b - 1].first + 1 && b - a < 4096) ++b;
    const std::int64_t first = order[a].first, count = order[b - 1].first - first + 1;
    buf.resize(static_cast<std::size_t>(count * per));
    read_images_from(impl_->file, group_, info_.storage, per, first, count, buf.data());
    for (std::size_t c = a; c < b; ++c)
      std::copy_n(buf.data() + (order[c].first - first) * per, per, out + order[c].second * per);
    a = b;
  }
}

}  // namespace axial::datasets
