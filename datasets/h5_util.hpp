#pragma once
// A small RAII wrapper over the HDF5 C API, used by every part of axial that reads or writes .h5 files.
//
// - Keys are HDF5 paths relative to the file root ("images", "cluster_0/factors"); "/" or "" is the root group.
// - Every error throws axial::Error naming the file and the key, e.g.
//     'x.h5': dataset 'codes' not found
//     'x.h5': dataset 'factors' has 3 dimensions, expected 2
// - HDF5's own error-stack printing is silenced (H5Eset_auto) the first time a File is opened or created.
// - Data is row-major (C order), as HDF5 stores it. A K×N column-major Eigen matrix has the same memory as an
//   (N, K) row-major dataset, so `factors` (N,K) on disk reads straight into a FactorMatrix K×N.
//
// Example:
//   auto f = axial::h5::File::open_read("codes.h5");
//   auto shape = f.shape("codes");                     // {N, L}
//   if (f.type_class("factors") != axial::h5::TypeClass::Integer) throw ...;
//   std::vector<std::int64_t> y = f.read<std::int64_t>("factors");
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "src/core/error.hpp"

namespace axial::h5 {

namespace detail {
struct IoStatus;
}

// An owned HDF5 identifier, closed by the matching H5*close on destruction (file, group, dataset, dataspace,
// datatype, attribute or property list — the kind is found with H5Iget_type). Every raw id axial gets from HDF5 is
// put in one at once, so it is closed on every path. For files axial writes a close cannot fail (h5_driver.hpp): their
// write failures are reported by the File call that failed and by File::close().
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = -1; }
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();
  // Gives up ownership without closing.
  hid_t release() {
    hid_t id = id_;
    id_ = -1;
    return id;
  }

 private:
  hid_t id_ = -1;
};

// The stored element type of a dataset or attribute, so callers can reject e.g. non-integer factors.
enum class TypeClass { Integer, Float, String, Other };
const char* type_class_name(TypeClass c);  // "integer", "float", "string", "other"

// Optional chunking + gzip for written datasets. chunk empty = contiguous (gzip is then ignored).
struct WriteOptions {
  std::vector<std::int64_t> chunk;  // chunk shape, same rank as the dataset
  int gzip = 0;                     // 0 = no compression, 1..9 = deflate level (requires chunk)
};

// Files opened for writing (create, open_write) use axial's POSIX driver (datasets/h5_driver.hpp): the bytes are
// those of HDF5's default driver, but a failed write (full disk, quota, file-size limit) is reported by the call
// that failed ("... (No space left on device)") and again by close(), and closing such a file never crashes.
// Messages name the target of an AtomicOutput when the file is its temporary file.
//
// Element types supported by read/write/read_rows/write_rows: double, float, std::int64_t, std::int32_t,
// std::uint8_t. Reads convert from the stored type with HDF5's conversions (float→int truncates: check
// type_class() first when that matters).
class File {
 public:
  // Opens an existing file read-only. Throws axial::Error if it is missing or not an HDF5 file, DamagedFile if
  // libhdf5 cannot read its metadata without crashing (check_metadata_readable).
  static File open_read(const std::filesystem::path& path);
  // Opens an existing file read-write.
  static File open_write(const std::filesystem::path& path);
  // Creates a file, truncating any existing one.
  static File create(const std::filesystem::path& path);

  File(File&&) noexcept = default;
  File& operator=(File&&) noexcept = default;

  const std::filesystem::path& path() const { return path_; }
  hid_t id() const { return file_.get(); }
  // Flushes and closes the file now; throws axial::Error naming the file if anything written to it failed (the file
  // is closed either way). The destructor also closes it but reports nothing: call close() to commit a file.
  void close();

  // --- structure -------------------------------------------------------------------------------------------
  bool exists(const std::string& key) const;  // true if every link on the path exists (no error if not)
  bool is_group(const std::string& key) const;
  bool is_dataset(const std::string& key) const;
  // Names of the members of a group (sorted by name); groups_in / datasets_in filter by kind.
  std::vector<std::string> members(const std::string& group = "/") const;
  std::vector<std::string> groups_in(const std::string& group = "/") const;
  std::vector<std::string> datasets_in(const std::string& group = "/") const;
  // Creates a group (and missing parents). No-op if it exists.
  void create_group(const std::string& key);

  // --- datasets --------------------------------------------------------------------------------------------
  // Shape of a dataset (empty for a scalar). Throws if the key is missing or is not a dataset.
  std::vector<std::int64_t> shape(const std::string& key) const;
  TypeClass type_class(const std::string& key) const;
  // Size in bytes of one stored element (e.g. 4 for float32, 8 for float64/int64).
  std::size_t type_size(const std::string& key) const;
  bool is_signed(const std::string& key) const;  // for integer datasets

  // Reads the whole dataset converted to T (row-major).
  template <class T>
  std::vector<T> read(const std::string& key) const;
  // Reads rows [start, start+count) along the first dimension into `out` (count·row_size elements).
  template <class T>
  void read_rows(const std::string& key, std::int64_t start, std::int64_t count, T* out) const;

  // Writes a whole dataset of the given shape (row-major data, product(shape) elements).
  template <class T>
  void write(const std::string& key, const std::vector<std::int64_t>& shape, const T* data,
             const WriteOptions& options = {});
  template <class T>
  void write(const std::string& key, const std::vector<std::int64_t>& shape, const std::vector<T>& data,
             const WriteOptions& options = {}) {
    write(key, shape, data.data(), options);
  }
  // Creates an (uninitialised) dataset of element type T and the given shape, to be filled with write_rows.
  template <class T>
  void create_dataset(const std::string& key, const std::vector<std::int64_t>& shape,
                      const WriteOptions& options = {});
  // Writes rows [start, start+count) along the first dimension from `data` (count·row_size elements).
  template <class T>
  void write_rows(const std::string& key, std::int64_t start, std::int64_t count, const T* data);

  // --- attributes (on the root "/", a group or a dataset) ----------------------------------------------------
  bool has_attr(const std::string& object, const std::string& name) const;
  std::vector<std::string> attr_names(const std::string& object) const;
  TypeClass attr_type_class(const std::string& object, const std::string& name) const;
  // Writers replace an existing attribute of the same name. Strings are variable-length UTF-8.
  void write_attr_string(const std::string& object, const std::string& name, const std::string& value);
  void write_attr_int(const std::string& object, const std::string& name, std::int64_t value);
  void write_attr_uint(const std::string& object, const std::string& name, std::uint64_t value);
  void write_attr_double(const std::string& object, const std::string& name, double value);
  void write_attr_strings(const std::string& object, const std::string& name, const std::vector<std::string>& v);
  void write_attr_ints(const std::string& object, const std::string& name, const std::vector<std::int64_t>& v);
  void write_attr_doubles(const std::string& object, const std::string& name, const std::vector<double>& v);
  // Readers accept fixed- or variable-length strings (h5py writes both), scalar or 1-element arrays for
  // scalars, and convert numbers with HDF5's conversions. Throw axial::Error if missing or of the wrong class.
  std::string read_attr_string(const std::string& object, const std::string& name) const;
  std::int64_t read_attr_int(const std::string& object, const std::string& name) const;
  std::uint64_t read_attr_uint(const std::string& object, const std::string& name) const;
  double read_attr_double(const std::string& object, const std::string& name) const;
  std::vector<std::string> read_attr_strings(const std::string& object, const std::string& name) const;
  std::vector<std::int64_t> read_attr_ints(const std::string& object, const std::string& name) const;
  std::vector<double> read_attr_doubles(const std::string& object, const std::string& name) const;

  // "'<file>': <what>" — for callers' own error messages.
  std::string where(const std::string& what) const;
  // Throws axial::Error "'<file>': <what> (<reason>)", with the system's reason for a failed write when the driver
  // recorded one (e.g. "No space left on device").
  [[noreturn]] void write_failed(const std::string& what) const;
  // True if a write to this file has failed (HDF5 itself never sees such a failure: datasets/h5_driver.hpp).
  bool io_failed() const;
  // Throws axial::Error naming the file and the reason if io_failed().
  void check_io() const;

 private:
  File(std::filesystem::path path, Handle file, std::shared_ptr<detail::IoStatus> io = nullptr);
  Handle open_object(const std::string& key) const;
  Handle open_dataset(const std::string& key) const;
  static File open_guarded(const std::filesystem::path& path, bool create);
  std::filesystem::path path_;
  std::shared_ptr<detail::IoStatus> io_;  // declared before file_: outlives the file's close
  Handle file_;
};

// Thrown when libhdf5 crashes or does not finish reading a file's metadata: the file is damaged.
class DamagedFile : public Error {
 public:
  using Error::Error;
};

// Reads the metadata of `path` — every group, attribute value and dataset header, each dataset's chunk index — in a
// forked child process, and throws DamagedFile naming the file when libhdf5 crashes there or runs out of its CPU
// time (a damaged file can do either to libhdf5 1.10; h5_probe.cpp says why a child rather than validating the
// bytes). Each file (device, inode, size, modification time) is checked once per process; File::open_read does it
// before opening, so a damaged file is an error and never a crash. Does nothing for a missing file, and reads
// unguarded when no child can be started or it gives no answer in time without a crash.
void check_metadata_readable(const std::filesystem::path& path);

// Element count of a shape (1 for a scalar).
std::int64_t element_count(const std::vector<std::int64_t>& shape);
// "(3, 64, 64, 1)"
std::string shape_string(const std::vector<std::int64_t>& shape);
// True if the file exists and has an HDF5 signature (no exception).
bool is_hdf5_file(const std::filesystem::path& path);

}  // namespace axial::h5
