#include "datasets/h5_util.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "datasets/h5_driver.hpp"
#include "src/core/atomic_output.hpp"
#include "src/core/error.hpp"
#include "src/core/paths.hpp"

namespace axial::h5 {

namespace {

// HDF5 prints its own error stack to stderr by default; axial reports errors itself (one line).
void silence_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

std::string norm_key(const std::string& key) { return key.empty() ? std::string("/") : key; }

template <class T>
hid_t mem_type() {
  if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
  else if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
  else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
  else if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
  else if constexpr (std::is_same_v<T, std::uint8_t>) return H5T_NATIVE_UINT8;
  else static_assert(sizeof(T) == 0, "unsupported HDF5 element type");
}

template <class T>
hid_t file_type() {
  if constexpr (std::is_same_v<T, double>) return H5T_IEEE_F64LE;
  else if constexpr (std::is_same_v<T, float>) return H5T_IEEE_F32LE;
  else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_STD_I64LE;
  else if constexpr (std::is_same_v<T, std::int32_t>) return H5T_STD_I32LE;
  else if constexpr (std::is_same_v<T, std::uint8_t>) return H5T_STD_U8LE;
  else static_assert(sizeof(T) == 0, "unsupported HDF5 element type");
}

TypeClass classify(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: return TypeClass::Integer;
    case H5T_FLOAT: return TypeClass::Float;
    case H5T_STRING: return TypeClass::String;
    default: return TypeClass::Other;
  }
}

std::vector<std::int64_t> space_shape(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) return {};
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return std::vector<std::int64_t>(dims.begin(), dims.end());
}

std::vector<hsize_t> to_hsize(const std::vector<std::int64_t>& v) { return std::vector<hsize_t>(v.begin(), v.end()); }

}  // namespace

// --- Handle ------------------------------------------------------------------------------------------------------

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    other.id_ = -1;
  }
  return *this;
}

void Handle::reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: break;
  }
  id_ = -1;
}

const char* type_class_name(TypeClass c) {
  switch (c) {
    case TypeClass::Integer: return "integer";
    case TypeClass::Float: return "float";
    case TypeClass::String: return "string";
    default: return "other";
  }
}

std::int64_t element_count(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + ")";
}

bool is_hdf5_file(const std::filesystem::path& path) {
  silence_hdf5();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  return H5Fis_hdf5(path.c_str()) > 0;
}

// --- File: open / close ------------------------------------------------------------------------------------------

File File::open_read(const std::filesystem::path& path) {
  silence_hdf5();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(fmt::format("'{}': file not found", path.string()));
  refuse_directory(path, fmt::format("'{}'", path.string()));
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(fmt::format("'{}': not a regular file", path.string()));
  if (H5Fis_hdf5(path.c_str()) <= 0) throw Error(fmt::format("'{}': not an HDF5 file", path.string()));
  check_metadata_readable(path);  // a damaged file crashes libhdf5: first in a child process
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw Error(fmt::format("'{}': cannot open HDF5 file for reading", path.string()));
  return File(path, Handle(id));
}

File::File(std::filesystem::path path, Handle file, std::shared_ptr<detail::IoStatus> io)
    : path_(std::move(path)), io_(std::move(io)), file_(std::move(file)) {}

File File::open_guarded(const std::filesystem::path& path, bool create) {
  silence_hdf5();
  auto io = std::make_shared<detail::IoStatus>();
  Handle fapl(detail::guarded_fapl(io));
  if (!fapl.valid()) throw Error(fmt::format("'{}': cannot set up the HDF5 file driver", path.string()));
  File f(path, Handle(create ? H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get())
                             : H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get())),
         io);
  if (!f.file_.valid()) {
    const std::string what = create ? "cannot create HDF5 file" : "cannot open HDF5 file for writing";
    if (io->error == 0 && io->open_error != 0)
      throw Error(f.where(fmt::format("{} ({})", what, std::strerror(io->open_error))));
    f.write_failed(what);
  }
  return f;
}

File File::open_write(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(fmt::format("'{}': file not found", path.string()));
  refuse_directory(path, fmt::format("'{}'", path.string()));
  if (H5Fis_hdf5(path.c_str()) > 0) check_metadata_readable(path);
  return open_guarded(path, false);
}

File File::create(const std::filesystem::path& path) { return open_guarded(path, true); }

void File::write_failed(const std::string& what) const {
  if (io_ && io_->error != 0) throw Error(where(fmt::format("{} ({})", what, std::strerror(io_->error))));
  throw Error(where(what));
}

bool File::io_failed() const { return io_ && io_->error != 0; }

void File::check_io() const {
  if (io_failed()) write_failed("cannot write file");
}

void File::close() {
  if (!file_.valid()) return;
  const bool flushed = H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) >= 0;
  const bool closed = H5Fclose(file_.release()) >= 0;
  if (!flushed || !closed) write_failed("cannot write file");
  check_io();
}

std::string File::where(const std::string& what) const {
  return fmt::format("'{}': {}", AtomicOutput::shown_path(path_).string(), what);
}

// --- structure ---------------------------------------------------------------------------------------------------

bool File::exists(const std::string& key) const {
  const std::string k = norm_key(key);
  if (k == "/") return true;
  // Check each link on the path.
  std::string partial;
  std::size_t pos = (k[0] == '/') ? 1 : 0;
  if (k[0] == '/') partial = "";
  while (pos <= k.size()) {
    std::size_t next = k.find('/', pos);
    if (next == std::string::npos) next = k.size();
    partial += "/" + k.substr(pos, next - pos);
    if (H5Lexists(id(), partial.c_str(), H5P_DEFAULT) <= 0) return false;
    if (next < k.size()) {  // intermediate: must be a group to go on
      hid_t o = H5Oopen(id(), partial.c_str(), H5P_DEFAULT);
      if (o < 0) return false;
      Handle h(o);
      if (H5Iget_type(o) != H5I_GROUP) return false;
    }
    pos = next + 1;
  }
  return true;
}

Handle File::open_object(const std::string& key) const {
  const std::string k = norm_key(key);
  if (!exists(k)) throw Error(where(fmt::format("'{}' not found", key)));
  hid_t o = H5Oopen(id(), k.c_str(), H5P_DEFAULT);
  if (o < 0) throw Error(where(fmt::format("cannot open '{}'", key)));
  return Handle(o);
}

Handle File::open_dataset(const std::string& key) const {
  if (!exists(key)) throw Error(where(fmt::format("dataset '{}' not found", key)));
  hid_t o = H5Oopen(id(), norm_key(key).c_str(), H5P_DEFAULT);
  if (o < 0) throw Error(where(fmt::format("cannot open dataset '{}'", key)));
  Handle h(o);
  if (H5Iget_type(o) != H5I_DATASET) throw Error(where(fmt::format("'{}' is not a dataset", key)));
  return h;
}

bool File::is_group(const std::string& key) const {
  if (!exists(key)) return false;
  hid_t o = H5Oopen(id(), norm_key(key).c_str(), H5P_DEFAULT);
  if (o < 0) return false;
  Handle h(o);
  return H5Iget_type(o) == H5I_GROUP;
}

bool File::is_dataset(const std::string& key) const {
  if (!exists(key)) return false;
  hid_t o = H5Oopen(id(), norm_key(key).c_str(), H5P_DEFAULT);
  if (o < 0) return false;
  Handle h(o);
  return H5Iget_type(o) == H5I_DATASET;
}

std::vector<std::string> File::members(const std::string& group) const {
  if (!is_group(group)) throw Error(where(fmt::format("group '{}' not found", group)));
  Handle g(H5Gopen2(id(), norm_key(group).c_str(), H5P_DEFAULT));
  if (!g.valid()) throw Error(where(fmt::format("cannot open group '{}'", group)));
  H5G_info_t info;
  if (H5Gget_info(g.get(), &info) < 0) throw Error(where(fmt::format("cannot list group '{}'", group)));
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t len = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len < 0) throw Error(where(fmt::format("cannot list group '{}'", group)));
    std::string name(static_cast<std::size_t>(len) + 1, '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
    name.resize(static_cast<std::size_t>(len));
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {
std::string join_key(const std::string& group, const std::string& name) {
  if (group.empty() || group == "/") return name;
  return group.back() == '/' ? group + name : group + "/" + name;
}
}  // namespace

std::vector<std::string> File::groups_in(const std::string& group) const {
  std::vector<std::string> out;
  for (const auto& m : members(group))
    if (is_group(join_key(group, m))) out.push_back(m);
  return out;
}

std::vector<std::string> File::datasets_in(const std::string& group) const {
  std::vector<std::string> out;
  for (const auto& m : members(group))
    if (is_dataset(join_key(group, m))) out.push_back(m);
  return out;
}

void File::create_group(const std::string& key) {
  const std::string k = norm_key(key);
  if (k == "/" || is_group(k)) return;
  if (exists(k)) throw Error(where(fmt::format("'{}' exists and is not a group", key)));
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle g(H5Gcreate2(id(), k.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT));
  const bool created = g.valid();
  g.reset();
  if (!created || io_failed()) write_failed(fmt::format("cannot create group '{}'", key));
}

// --- datasets ----------------------------------------------------------------------------------------------------

std::vector<std::int64_t> File::shape(const std::string& key) const {
  Handle d = open_dataset(key);
  Handle s(H5Dget_space(d.get()));
  return space_shape(s.get());
}

TypeClass File::type_class(const std::string& key) const {
  Handle d = open_dataset(key);
  Handle t(H5Dget_type(d.get()));
  return classify(t.get());
}

std::size_t File::type_size(const std::string& key) const {
  Handle d = open_dataset(key);
  Handle t(H5Dget_type(d.get()));
  return H5Tget_size(t.get());
}

bool File::is_signed(const std::string& key) const {
  Handle d = open_dataset(key);
  Handle t(H5Dget_type(d.get()));
  return H5Tget_class(t.get()) == H5T_INTEGER && H5Tget_sign(t.get()) == H5T_SGN_2;
}

template <class T>
std::vector<T> File::read(const std::string& key) const {
  Handle d = open_dataset(key);
  Handle t(H5Dget_type(d.get()));
  const TypeClass c = classify(t.get());
  if (c != TypeClass::Integer && c != TypeClass::Float)
    throw Error(where(fmt::format("dataset '{}' holds {} values, expected numbers", key, type_class_name(c))));
  Handle s(H5Dget_space(d.get()));
  const std::int64_t n = element_count(space_shape(s.get()));
  std::vector<T> out(static_cast<std::size_t>(n));
  if (n > 0 && H5Dread(d.get(), mem_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    throw Error(where(fmt::format("cannot read dataset '{}'", key)));
  return out;
}

template <class T>
void File::read_rows(const std::string& key, std::int64_t start, std::int64_t count, T* out) const {
  Handle d = open_dataset(key);
  Handle s(H5Dget_space(d.get()));
  auto shp = space_shape(s.get());
  if (shp.empty()) throw Error(where(fmt::format("dataset '{}' is a scalar, expected rows", key)));
  if (start < 0 || count < 0 || start + count > shp[0])
    throw Error(where(fmt::format("dataset '{}': rows {}..{} are outside its {} rows", key, start, start + count,
                                  shp[0])));
  if (count == 0) return;
  std::vector<hsize_t> off(shp.size(), 0), cnt = to_hsize(shp);
  off[0] = static_cast<hsize_t>(start);
  cnt[0] = static_cast<hsize_t>(count);
  H5Sselect_hyperslab(s.get(), H5S_SELECT_SET, off.data(), nullptr, cnt.data(), nullptr);
  Handle m(H5Screate_simple(static_cast<int>(cnt.size()), cnt.data(), nullptr));
  if (H5Dread(d.get(), mem_type<T>(), m.get(), s.get(), H5P_DEFAULT, out) < 0)
    throw Error(where(fmt::format("cannot read rows {}..{} of dataset '{}'", start, start + count, key)));
}

template <class T>
void File::create_dataset(const std::string& key, const std::vector<std::int64_t>& shape,
                          const WriteOptions& options) {
  if (exists(key)) throw Error(where(fmt::format("dataset '{}' already exists", key)));
  auto slash = key.rfind('/');
  if (slash != std::string::npos && slash > 0) create_group(key.substr(0, slash));
  auto dims = to_hsize(shape);
  Handle space(shape.empty() ? H5Screate(H5S_SCALAR)
                             : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
  const bool any_zero = std::any_of(shape.begin(), shape.end(), [](std::int64_t v) { return v == 0; });
  if (!options.chunk.empty() && !shape.empty() && !any_zero) {
    if (options.chunk.size() != shape.size())
      throw Error(where(fmt::format("dataset '{}': chunk rank {} does not match rank {}", key, options.chunk.size(),
                                    shape.size())));
    std::vector<hsize_t> chunk(shape.size());
    for (std::size_t i = 0; i < shape.size(); ++i)
      chunk[i] = static_cast<hsize_t>(std::max<std::int64_t>(1, std::min(options.chunk[i], shape[i])));
    H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
    if (options.gzip > 0) H5Pset_deflate(dcpl.get(), static_cast<unsigned>(std::min(options.gzip, 9)));
  }
  Handle d(H5Dcreate2(id(), key.c_str(), file_type<T>(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  const bool created = d.valid();
  d.reset();
  if (!created || io_failed()) write_failed(fmt::format("cannot create dataset '{}'", key));
}

template <class T>
void File::write_rows(const std::string& key, std::int64_t start, std::int64_t count, const T* data) {
  Handle d = open_dataset(key);
  Handle s(H5Dget_space(d.get()));
  auto shp = space_shape(s.get());
  if (shp.empty()) throw Error(where(fmt::format("dataset '{}' is a scalar, expected rows", key)));
  if (start < 0 || count < 0 || start + count > shp[0])
    throw Error(where(fmt::format("dataset '{}': rows {}..{} are outside its {} rows", key, start, start + count,
                                  shp[0])));
  if (count == 0) return;
  std::vector<hsize_t> off(shp.size(), 0), cnt = to_hsize(shp);
  off[0] = static_cast<hsize_t>(start);
  cnt[0] = static_cast<hsize_t>(count);
  H5Sselect_hyperslab(s.get(), H5S_SELECT_SET, off.data(), nullptr, cnt.data(), nullptr);
  Handle m(H5Screate_simple(static_cast<int>(cnt.size()), cnt.data(), nullptr));
  if (H5Dwrite(d.get(), mem_type<T>(), m.get(), s.get(), H5P_DEFAULT, data) < 0 || io_failed())
    write_failed(fmt::format("cannot write rows {}..{} of dataset '{}'", start, start + count, key));
}

template <class T>
void File::write(const std::string& key, const std::vector<std::int64_t>& shape, const T* data,
                 const WriteOptions& options) {
  create_dataset<T>(key, shape, options);
  if (element_count(shape) == 0) return;
  Handle d = open_dataset(key);
  if (H5Dwrite(d.get(), mem_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 || io_failed())
    write_failed(fmt::format("cannot write dataset '{}'", key));
}

#define AXIAL_H5_INSTANTIATE(T)                                                                                  \
  template std::vector<T> File::read<T>(const std::string&) const;                                              \
  template void File::read_rows<T>(const std::string&, std::int64_t, std::int64_t, T*) const;                   \
  template void File::write<T>(const std::string&, const std::vector<std::int64_t>&, const T*,                  \
                               const WriteOptions&);                                                            \
  template void File::create_dataset<T>(const std::string&, const std::vector<std::int64_t>&,                   \
                                        const WriteOptions&);                                                   \
  template void File::write_rows<T>(const std::string&, std::int64_t, std::int64_t, const T*);
AXIAL_H5_INSTANTIATE(double)
AXIAL_H5_INSTANTIATE(float)
AXIAL_H5_INSTANTIATE(std::int64_t)
AXIAL_H5_INSTANTIATE(std::int32_t)
AXIAL_H5_INSTANTIATE(std::uint8_t)
#undef AXIAL_H5_INSTANTIATE

// --- attributes --------------------------------------------------------------------------------------------------

namespace {
std::string obj_name(const std::string& object) { return object.empty() || object == "/" ? "/" : object; }
}  // namespace

bool File::has_attr(const std::string& object, const std::string& name) const {
  if (!exists(object)) return false;
  Handle o = open_object(object);
  return H5Aexists(o.get(), name.c_str()) > 0;
}

namespace {
herr_t collect_attr_name(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> File::attr_names(const std::string& object) const {
  Handle o = open_object(object);
  std::vector<std::string> names;
  hsize_t idx = 0;
  if (H5Aiterate2(o.get(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr_name, &names) < 0)
    throw Error(where(fmt::format("cannot list attributes of '{}'", obj_name(object))));
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

struct AttrRef {
  Handle obj, attr, type, space;
  std::int64_t count = 0;
};

}  // namespace

TypeClass File::attr_type_class(const std::string& object, const std::string& name) const {
  if (!has_attr(object, name))
    throw Error(where(fmt::format("attribute '{}' not found on '{}'", name, obj_name(object))));
  Handle o = open_object(object);
  Handle a(H5Aopen(o.get(), name.c_str(), H5P_DEFAULT));
  Handle t(H5Aget_type(a.get()));
  return classify(t.get());
}

namespace {

// Opens attribute `name` of `o`; returns handles and element count.
AttrRef open_attr(const File& f, Handle o, const std::string& object, const std::string& name) {
  AttrRef r;
  r.obj = std::move(o);
  if (H5Aexists(r.obj.get(), name.c_str()) <= 0)
    throw Error(f.where(fmt::format("attribute '{}' not found on '{}'", name, obj_name(object))));
  r.attr = Handle(H5Aopen(r.obj.get(), name.c_str(), H5P_DEFAULT));
  if (!r.attr.valid()) throw Error(f.where(fmt::format("cannot open attribute '{}' on '{}'", name, obj_name(object))));
  r.type = Handle(H5Aget_type(r.attr.get()));
  r.space = Handle(H5Aget_space(r.attr.get()));
  r.count = H5Sget_simple_extent_npoints(r.space.get());
  return r;
}

void replace_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
}

Handle vlen_string_type() {
  Handle t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

template <class T>
void write_numeric_attr(const File& f, hid_t obj, const std::string& object, const std::string& name,
                        const std::vector<T>& v, bool scalar, hid_t ftype, hid_t mtype) {
  replace_attr(obj, name);
  hsize_t dims = v.size();
  Handle space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nullptr));
  Handle a(H5Acreate2(obj, name.c_str(), ftype, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!a.valid() || (!v.empty() && H5Awrite(a.get(), mtype, v.data()) < 0))
    f.write_failed(fmt::format("cannot write attribute '{}' on '{}'", name, obj_name(object)));
  a.reset();
  if (f.io_failed()) f.write_failed(fmt::format("cannot write attribute '{}' on '{}'", name, obj_name(object)));
}

template <class T>
std::vector<T> read_numeric_attr(const File& f, AttrRef r, const std::string& object, const std::string& name,
                                 hid_t mtype) {
  const TypeClass c = classify(r.type.get());
  if (c != TypeClass::Integer && c != TypeClass::Float)
    throw Error(f.where(fmt::format("attribute '{}' on '{}' holds {} values, expected numbers", name,
                                    obj_name(object), type_class_name(c))));
  std::vector<T> out(static_cast<std::size_t>(r.count));
  if (r.count > 0 && H5Aread(r.attr.get(), mtype, out.data()) < 0)
    throw Error(f.where(fmt::format("cannot read attribute '{}' on '{}'", name, obj_name(object))));
  return out;
}

}  // namespace

void File::write_attr_string(const std::string& object, const std::string& name, const std::string& value) {
  Handle o = open_object(object);
  replace_attr(o.get(), name);
  Handle t = vlen_string_type();
  Handle space(H5Screate(H5S_SCALAR));
  Handle a(H5Acreate2(o.get(), name.c_str(), t.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  const char* p = value.c_str();
  if (!a.valid() || H5Awrite(a.get(), t.get(), &p) < 0)
    write_failed(fmt::format("cannot write attribute '{}' on '{}'", name, obj_name(object)));
  a.reset();
  if (io_failed()) write_failed(fmt::format("cannot write attribute '{}' on '{}'", name, obj_name(object)));
}

void File::write_attr_strings(const std::string& object, const std::string& name, const std::vector<std::string>& v) {
  Handle o = open_object(object);
  replace_attr(o.get(), name);
  Handle t = vlen_string_type();
  hsize_t dims = v.size();
  Handle space(H5Screate_simple(1, &dims, nullptr));
  Handle a(H5Acreate2(o.get(), name.c_str(), t.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  std::vector<const char*> ptrs;
  for (const auto& s : v) ptrs.push_back(s.c_str());
  if (!a.valid() || (!v.empty() && H5Awrite(a.get(), t.get(), ptrs.data()) < 0))
    write_failed(fmt::format("cannot write attribute '{}' on '{}'", name, obj_name(object)));
  a.reset();
  if (io_failed()) write_failed(fmt::format("cannot write attribute '{}' on '{}'", name, obj_name(object)));
}

void File::write_attr_int(const std::string& object, const std::string& name, std::int64_t value) {
  Handle o = open_object(object);
  write_numeric_attr<std::int64_t>(*this, o.get(), object, name, {value}, true, H5T_STD_I64LE, H5T_NATIVE_INT64);
}

void File::write_attr_uint(const std::string& object, const std::string& name, std::uint64_t value) {
  Handle o = open_object(object);
  write_numeric_attr<std::uint64_t>(*this, o.get(), object, name, {value}, true, H5T_STD_U64LE, H5T_NATIVE_UINT64);
}

void File::write_attr_double(const std::string& object, const std::string& name, double value) {
  Handle o = open_object(object);
  write_numeric_attr<double>(*this, o.get(), object, name, {value}, true, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}

void File::write_attr_ints(const std::string& object, const std::string& name, const std::vector<std::int64_t>& v) {
  Handle o = open_object(object);
  write_numeric_attr<std::int64_t>(*this, o.get(), object, name, v, false, H5T_STD_I64LE, H5T_NATIVE_INT64);
}

void File::write_attr_doubles(const std::string& object, const std::string& name, const std::vector<double>& v) {
  Handle o = open_object(object);
  write_numeric_attr<double>(*this, o.get(), object, name, v, false, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}

std::vector<std::string> File::read_attr_strings(const std::string& object, const std::string& name) const {
  AttrRef r = open_attr(*this, open_object(object), object, name);
  if (H5Tget_class(r.type.get()) != H5T_STRING)
    throw Error(where(fmt::format("attribute '{}' on '{}' is not a string", name, obj_name(object))));
  std::vector<std::string> out;
  const auto n = static_cast<std::size_t>(r.count);
  if (n == 0) return out;
  if (H5Tis_variable_str(r.type.get()) > 0) {
    Handle mt(H5Tcopy(H5T_C_S1));
    H5Tset_size(mt.get(), H5T_VARIABLE);
    H5Tset_cset(mt.get(), H5Tget_cset(r.type.get()));
    std::vector<char*> ptrs(n, nullptr);
    if (H5Aread(r.attr.get(), mt.get(), ptrs.data()) < 0)
      throw Error(where(fmt::format("cannot read attribute '{}' on '{}'", name, obj_name(object))));
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mt.get(), r.space.get(), H5P_DEFAULT, ptrs.data());
  } else {
    const std::size_t size = H5Tget_size(r.type.get());
    std::vector<char> buf(size * n + 1, '\0');
    Handle mt(H5Tcopy(r.type.get()));
    if (H5Aread(r.attr.get(), mt.get(), buf.data()) < 0)
      throw Error(where(fmt::format("cannot read attribute '{}' on '{}'", name, obj_name(object))));
    for (std::size_t i = 0; i < n; ++i) {
      std::string s(buf.data() + i * size, size);
      auto z = s.find('\0');
      if (z != std::string::npos) s.resize(z);
      while (!s.empty() && s.back() == ' ' && H5Tget_strpad(r.type.get()) == H5T_STR_SPACEPAD) s.pop_back();
      out.push_back(s);
    }
  }
  return out;
}

std::string File::read_attr_string(const std::string& object, const std::string& name) const {
  auto v = read_attr_strings(object, name);
  if (v.size() != 1)
    throw Error(where(fmt::format("attribute '{}' on '{}' holds {} strings, expected one", name, obj_name(object),
                                  v.size())));
  return v[0];
}

std::vector<std::int64_t> File::read_attr_ints(const std::string& object, const std::string& name) const {
  return read_numeric_attr<std::int64_t>(*this, open_attr(*this, open_object(object), object, name), object, name,
                                         H5T_NATIVE_INT64);
}

std::vector<double> File::read_attr_doubles(const std::string& object, const std::string& name) const {
  return read_numeric_attr<double>(*this, open_attr(*this, open_object(object), object, name), object, name,
                                   H5T_NATIVE_DOUBLE);
}

std::int64_t File::read_attr_int(const std::string& object, const std::string& name) const {
  auto v = read_attr_ints(object, name);
  if (v.size() != 1)
    throw Error(where(fmt::format("attribute '{}' on '{}' holds {} values, expected one", name, obj_name(object),
                                  v.size())));
  return v[0];
}

std::uint64_t File::read_attr_uint(const std::string& object, const std::string& name) const {
  auto v = read_numeric_attr<std::uint64_t>(*this, open_attr(*this, open_object(object), object, name), object, name,
                                            H5T_NATIVE_UINT64);
  if (v.size() != 1)
    throw Error(where(fmt::format("attribute '{}' on '{}' holds {} values, expected one", name, obj_name(object),
                                  v.size())));
  return v[0];
}

double File::read_attr_double(const std::string& object, const std::string& name) const {
  auto v = read_attr_doubles(object, name);
  if (v.size() != 1)
    throw Error(where(fmt::format("attribute '{}' on '{}' holds {} values, expected one", name, obj_name(object),
                                  v.size())));
  return v[0];
}

}  // namespace axial::h5
