#include "datasets/shapes3d.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "src/core/error.hpp"
#include "src/core/paths.hpp"

namespace axial::datasets {

namespace {

std::vector<std::int64_t> dataset_shape(hid_t dset) {
  h5::Handle space(H5Dget_space(dset));
  int rank = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  std::vector<hsize_t> dims(std::size_t(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return std::vector<std::int64_t>(dims.begin(), dims.end());
}

std::string shape_str(const std::vector<std::int64_t>& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

}  // namespace

Shapes3D::Shapes3D(const std::filesystem::path& path) : path_(path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const std::string file = fmt::format("file '{}'", path.string());
  std::error_code ec;
  refuse_directory(path, file);
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(fmt::format("{}: no such file", file));
  if (H5Fis_hdf5(path.c_str()) <= 0) throw Error(fmt::format("{}: not an HDF5 file (or truncated)", file));
  h5::check_metadata_readable(path);
  file_ = h5::Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file_.valid()) throw Error(fmt::format("{}: cannot open as HDF5 (truncated or corrupt?)", file));
  for (const char* key : {"images", "labels"})
    if (H5Lexists(file_.get(), key, H5P_DEFAULT) <= 0)
      throw Error(fmt::format("{}, key '{}': no such dataset (expected images and labels)", file, key));

  // Labels → factor rows.
  std::vector<double> values;
  {
    h5::Handle labels(H5Dopen2(file_.get(), "labels", H5P_DEFAULT));
    if (!labels.valid()) throw Error(fmt::format("{}, key 'labels': cannot open dataset", file));
    auto lshape = dataset_shape(labels.get());
    h5::Handle ltype(H5Dget_type(labels.get()));
    const H5T_class_t lclass = H5Tget_class(ltype.get());
    if (lshape.size() != 2 || lshape[1] != 6 || (lclass != H5T_FLOAT && lclass != H5T_INTEGER))
      throw Error(fmt::format("{}, key 'labels': expected numbers of shape (N, 6), got shape {}{}", file,
                              shape_str(lshape), (lclass == H5T_FLOAT || lclass == H5T_INTEGER) ? "" : " (not numeric)"));
    num_images_ = lshape[0];
    values.resize(std::size_t(num_images_ * 6));
    const herr_t rc =
        values.empty() ? 0 : H5Dread(labels.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    if (rc < 0) throw Error(fmt::format("{}, key 'labels': read failed (truncated or corrupt file?)", file));
  }
  if (num_images_ == 0) throw Error(fmt::format("{}, key 'labels': no rows", file));

  names_ = {"floor_hue", "wall_hue", "object_hue", "scale", "shape", "orientation"};
  rows_.resize(6, num_images_);
  for (int k = 0; k < 6; ++k) {
    std::vector<double> col(static_cast<std::size_t>(num_images_));
    for (std::int64_t n = 0; n < num_images_; ++n) {
      col[std::size_t(n)] = values[std::size_t(n * 6 + k)];
      if (!std::isfinite(col[std::size_t(n)]))
        throw Error(fmt::format("{}, key 'labels': non-finite value at row {}, column {}", file, n, k));
    }
    std::vector<double> d = col;
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
    sizes_.push_back(std::int64_t(d.size()));
    for (std::int64_t n = 0; n < num_images_; ++n)
      rows_(k, n) = std::int64_t(std::lower_bound(d.begin(), d.end(), col[std::size_t(n)]) - d.begin());
  }
  index_ = RowIndex(rows_, sizes_, file);

  // Images: kept open with a chunk cache large enough for a few gzip chunks of the official file.
  {
    h5::Handle dapl(H5Pcreate(H5P_DATASET_ACCESS));
    H5Pset_chunk_cache(dapl.get(), 12421, std::size_t(64) << 20, 1.0);
    images_ = h5::Handle(H5Dopen2(file_.get(), "images", dapl.get()));
  }
  if (!images_.valid()) throw Error(fmt::format("{}, key 'images': cannot open dataset", file));
  auto ishape = dataset_shape(images_.get());
  {
    h5::Handle itype(H5Dget_type(images_.get()));
    const bool u8 = H5Tget_class(itype.get()) == H5T_INTEGER && H5Tget_size(itype.get()) == 1;
    if (!u8) throw Error(fmt::format("{}, key 'images': expected uint8 images", file));
  }
  if (ishape.size() != 4 || ishape[1] <= 0 || ishape[2] <= 0 || ishape[3] <= 0)
    throw Error(fmt::format("{}, key 'images': expected shape (N, height, width, channels), got {}", file, shape_str(ishape)));
  if (ishape[0] != num_images_)
    throw Error(fmt::format("{}, key 'images': {} images but labels has {} rows", file, ishape[0], num_images_));
  shape_ = {int(ishape[1]), int(ishape[2]), int(ishape[3])};
  space_ = h5::Handle(H5Dget_space(images_.get()));
}

Shapes3D::~Shapes3D() = default;

void Shapes3D::read_images(std::int64_t start, std::int64_t count, std::uint8_t* out) const {
  if (count <= 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  hsize_t offset[4] = {hsize_t(start), 0, 0, 0};
  hsize_t dims[4] = {hsize_t(count), hsize_t(shape_.height), hsize_t(shape_.width), hsize_t(shape_.channels)};
  H5Sselect_hyperslab(space_.get(), H5S_SELECT_SET, offset, nullptr, dims, nullptr);
  h5::Handle mem(H5Screate_simple(4, dims, nullptr));
  const herr_t rc = H5Dread(images_.get(), H5T_NATIVE_UINT8, mem.get(), space_.get(), H5P_DEFAULT, out);
  if (rc < 0)
    throw Error(fmt::format("file '{}', key 'images': reading images {}..{} failed (truncated or corrupt file?)",
                            path_.string(), start, start + count - 1));
}

void Shapes3D::observations(const FactorMatrix& factors, float* out) const {
  const std::int64_t n = factors.cols(), size = shape_.size();
  // Look every row up first (so a bad row fails before any read), then read in file order for chunk-cache locality.
  std::vector<std::int64_t> image(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) image[std::size_t(i)] = index_.lookup(factors, i);
  std::vector<std::size_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return image[a] < image[b]; });
  float table[256];
  for (int v = 0; v < 256; ++v) table[v] = float(double(v) / 255.0);  // as numpy's images / 255. then float32
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(size));
  std::int64_t loaded = -1;
  for (std::size_t j : order) {
    if (image[j] != loaded) {
      read_images(image[j], 1, buf.data());
      loaded = image[j];
    }
    float* o = out + std::int64_t(j) * size;
    for (std::int64_t p = 0; p < size; ++p) o[p] = table[buf[std::size_t(p)]];
  }
}

std::string Shapes3D::description() const {
  if (index_.complete())
    return fmt::format("Shapes3D; {} images, every combination of factor values exists; images read per row (HDF5)",
                       num_images_);
  return fmt::format("Shapes3D; subset: {} images hold {} of {} factor combinations (sampling draws existing rows "
                     "only); images read per row (HDF5)",
                     num_images_, index_.num_existing(), index_.num_combinations());
}

void Shapes3D::for_each_block(std::int64_t block,
                              const std::function<void(const FactorMatrix&, const std::uint8_t*)>& fn) const {
  block = std::max<std::int64_t>(block, 1);
  std::vector<std::uint8_t> pixels;
  for (std::int64_t start = 0; start < num_images_; start += block) {
    const std::int64_t n = std::min(block, num_images_ - start);
    pixels.resize(std::size_t(n * shape_.size()));
    read_images(start, n, pixels.data());
    fn(rows_.middleCols(start, n), pixels.data());
  }
}

}  // namespace axial::datasets
