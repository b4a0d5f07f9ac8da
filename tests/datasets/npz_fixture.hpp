#pragma once
// Test fixtures in the exact layouts users bring: .npy bytes, .npz (zip) archives with stored or deflated
// members (optionally zip64), a sparse 12.7 GB MPI3D .npz, and Shapes3D-style .h5 files. Written here from the
// format definitions (numpy.lib.format, PKWARE APPNOTE 4.3/4.5), independently of the readers under test.
#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace axial::test {

template <class T>
std::string raw_bytes(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// A .npy stream: magic, version, header dict padded so data starts at a multiple of 64, then `data`.
inline std::string npy_bytes(const std::string& descr, const std::vector<std::int64_t>& shape, const std::string& data,
                             bool fortran = false, int version = 1) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) dict += (i ? ", " : "") + std::to_string(shape[i]);
  dict += shape.size() == 1 ? ",), }" : "), }";
  const std::size_t prefix = version == 1 ? 10 : 12;
  std::size_t total = prefix + dict.size() + 1;
  std::size_t padded = (total + 63) / 64 * 64;
  dict += std::string(padded - total, ' ') + "\n";
  std::string out = "\x93NUMPY";
  out += char(version);
  out += char(0);
  std::uint32_t len = std::uint32_t(dict.size());
  out += char(len & 0xff);
  out += char((len >> 8) & 0xff);
  if (version != 1) {
    out += char((len >> 16) & 0xff);
    out += char((len >> 24) & 0xff);
  }
  return out + dict + data;
}

struct ZipMember {
  std::string name;  // e.g. "imgs.npy"
  std::string bytes;
  bool deflate = false;
};

inline void put16(std::string& s, std::uint32_t v) {
  s += char(v & 0xff);
  s += char((v >> 8) & 0xff);
}
inline void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}
inline void put64(std::string& s, std::uint64_t v) {
  put32(s, std::uint32_t(v & 0xffffffffu));
  put32(s, std::uint32_t(v >> 32));
}

inline std::string raw_deflate(const std::string& in) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&zs, uLong(in.size())) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// The bytes of a zip archive holding `members`. zip64: every local and central header carries zip64 sizes and
// offsets (as numpy's savez does with force_zip64) and a zip64 end-of-central-directory record is written.
inline std::string zip_bytes(const std::vector<ZipMember>& members, bool zip64 = false) {
  std::string out, central;
  for (const auto& m : members) {
    std::string payload = m.deflate ? raw_deflate(m.bytes) : m.bytes;
    std::uint32_t crc = std::uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(m.bytes.data()), uInt(m.bytes.size())));
    std::uint64_t offset = out.size();
    std::string extra;
    if (zip64) {
      put16(extra, 1);
      put16(extra, 16);
      put64(extra, m.bytes.size());
      put64(extra, payload.size());
    }
    put32(out, 0x04034b50);
    put16(out, zip64 ? 45 : 20);
    put16(out, 0);
    put16(out, m.deflate ? 8 : 0);
    put16(out, 0);
    put16(out, 0x21);
    put32(out, crc);
    put32(out, zip64 ? 0xffffffffu : std::uint32_t(payload.size()));
    put32(out, zip64 ? 0xffffffffu : std::uint32_t(m.bytes.size()));
    put16(out, std::uint32_t(m.name.size()));
    put16(out, std::uint32_t(extra.size()));
    out += m.name + extra + payload;

    std::string cextra;
    if (zip64) {
      put16(cextra, 1);
      put16(cextra, 24);
      put64(cextra, m.bytes.size());
      put64(cextra, payload.size());
      put64(cextra, offset);
    }
    put32(central, 0x02014b50);
    put16(central, zip64 ? 45 : 20);
    put16(central, zip64 ? 45 : 20);
    put16(central, 0);
    put16(central, m.deflate ? 8 : 0);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, crc);
    put32(central, zip64 ? 0xffffffffu : std::uint32_t(payload.size()));
    put32(central, zip64 ? 0xffffffffu : std::uint32_t(m.bytes.size()));
    put16(central, std::uint32_t(m.name.size()));
    put16(central, std::uint32_t(cextra.size()));
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put32(central, 0);
    put32(central, zip64 ? 0xffffffffu : std::uint32_t(offset));
    central += m.name + cextra;
  }
  std::uint64_t cd_offset = out.size();
  out += central;
  if (zip64) {
    std::uint64_t z = out.size();
    put32(out, 0x06064b50);
    put64(out, 44);
    put16(out, 45);
    put16(out, 45);
    put32(out, 0);
    put32(out, 0);
    put64(out, members.size());
    put64(out, members.size());
    put64(out, central.size());
    put64(out, cd_offset);
    put32(out, 0x07064b50);
    put32(out, 0);
    put64(out, z);
    put32(out, 1);
  }
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, zip64 ? 0xffff : std::uint32_t(members.size()));
  put16(out, zip64 ? 0xffff : std::uint32_t(members.size()));
  put32(out, zip64 ? 0xffffffffu : std::uint32_t(central.size()));
  put32(out, zip64 ? 0xffffffffu : std::uint32_t(cd_offset));
  put16(out, 0);
  return out;
}

inline std::string slurp_file(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

// A pickled-object member as numpy writes one (dtype '|O'); the payload is a pickle a reader must never run.
inline std::string npy_object_bytes() { return npy_bytes("|O", {}, std::string("\x80\x03}q\x00.", 6)); }

// dSprites-style .npz: imgs (N,H,W) uint8, latents_classes (N,C) int64, latents_values (N,C) float64, metadata
// (pickled object), every member stored or every member deflated.
inline void write_dsprites_npz(const std::filesystem::path& path, const std::vector<std::uint8_t>& imgs, std::int64_t n,
                               std::int64_t h, std::int64_t w, const std::vector<std::int64_t>& classes,
                               std::int64_t columns, bool deflate, bool zip64 = false) {
  std::vector<double> values(classes.begin(), classes.end());
  std::vector<ZipMember> m = {
      {"metadata.npy", npy_object_bytes(), deflate},
      {"imgs.npy", npy_bytes("|u1", {n, h, w}, raw_bytes(imgs)), deflate},
      {"latents_classes.npy", npy_bytes("<i8", {n, columns}, raw_bytes(classes)), deflate},
      {"latents_values.npy", npy_bytes("<f8", {n, columns}, raw_bytes(values)), deflate},
  };
  write_bytes(path, zip_bytes(m, zip64));
}

// A sparse MPI3D .npz: one stored member images.npy (1036800, 64, 64, 3) uint8, zip64, 12.7 GB logical size but
// only the images in `written` take disk space; the rest read as zeros. Image i is filled with bytes
// pattern(i, p) for p in 0..12287. (The stored member's CRC-32 is left 0: readers that map do not check it.)
template <class Pattern>
void write_sparse_mpi3d(const std::filesystem::path& path, const std::vector<std::int64_t>& written, Pattern pattern) {
  const std::int64_t n = 1036800, size = 64 * 64 * 3;
  const std::string name = "images.npy";
  std::string header = npy_bytes("|u1", {n, 64, 64, 3}, "");
  const std::uint64_t member = header.size() + std::uint64_t(n) * size;
  std::string local;
  put32(local, 0x04034b50);
  put16(local, 45);
  put16(local, 0);
  put16(local, 0);
  put16(local, 0);
  put16(local, 0x21);
  put32(local, 0);
  put32(local, 0xffffffffu);
  put32(local, 0xffffffffu);
  put16(local, std::uint32_t(name.size()));
  put16(local, 20);
  local += name;
  put16(local, 1);
  put16(local, 16);
  put64(local, member);
  put64(local, member);
  local += header;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + path.string());
  auto pw = [&](const std::string& s, std::uint64_t at) {
    if (::pwrite(fd, s.data(), s.size(), off_t(at)) != ssize_t(s.size())) throw std::runtime_error("pwrite");
  };
  pw(local, 0);
  const std::uint64_t data0 = local.size();
  for (auto i : written) {
    std::string img(std::size_t(size), '\0');
    for (std::int64_t p = 0; p < size; ++p) img[std::size_t(p)] = char(pattern(i, p));
    pw(img, data0 + std::uint64_t(i) * size);
  }
  std::uint64_t cd = data0 + std::uint64_t(n) * size;
  std::string tail, central;
  put32(central, 0x02014b50);
  put16(central, 45);
  put16(central, 45);
  put16(central, 0);
  put16(central, 0);
  put16(central, 0);
  put16(central, 0x21);
  put32(central, 0);
  put32(central, 0xffffffffu);
  put32(central, 0xffffffffu);
  put16(central, std::uint32_t(name.size()));
  put16(central, 28);
  put16(central, 0);
  put16(central, 0);
  put16(central, 0);
  put32(central, 0);
  put32(central, 0xffffffffu);
  central += name;
  put16(central, 1);
  put16(central, 24);
  put64(central, member);
  put64(central, member);
  put64(central, 0);
  tail = central;
  std::uint64_t z = cd + tail.size();
  put32(tail, 0x06064b50);
  put64(tail, 44);
  put16(tail, 45);
  put16(tail, 45);
  put32(tail, 0);
  put32(tail, 0);
  put64(tail, 1);
  put64(tail, 1);
  put64(tail, central.size());
  put64(tail, cd);
  put32(tail, 0x07064b50);
  put32(tail, 0);
  put64(tail, z);
  put32(tail, 1);
  put32(tail, 0x06054b50);
  put16(tail, 0);
  put16(tail, 0);
  put16(tail, 0xffff);
  put16(tail, 0xffff);
  put32(tail, 0xffffffffu);
  put32(tail, 0xffffffffu);
  put16(tail, 0);
  pw(tail, cd);
  ::close(fd);
}

// A Shapes3D-style .h5: images (N,H,W,C) uint8 (chunked, gzip) and labels (N,6) float64.
inline void write_shapes3d_h5(const std::filesystem::path& path, const std::vector<std::uint8_t>& images, std::int64_t n,
                              std::int64_t h, std::int64_t w, std::int64_t c, const std::vector<double>& labels,
                              std::int64_t label_columns = 6, bool float_images = false) {
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("H5Fcreate");
  hsize_t idims[4] = {hsize_t(n), hsize_t(h), hsize_t(w), hsize_t(c)};
  hid_t is = H5Screate_simple(4, idims, nullptr);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hsize_t chunk[4] = {hsize_t(std::min<std::int64_t>(n, 8)), hsize_t(h), hsize_t(w), hsize_t(c)};
  H5Pset_chunk(dcpl, 4, chunk);
  H5Pset_deflate(dcpl, 4);
  if (float_images) {
    std::vector<float> fl(images.begin(), images.end());
    hid_t d = H5Dcreate2(f, "images", H5T_IEEE_F32LE, is, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, fl.data());
    H5Dclose(d);
  } else {
    hid_t d = H5Dcreate2(f, "images", H5T_STD_U8LE, is, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, images.data());
    H5Dclose(d);
  }
  H5Pclose(dcpl);
  H5Sclose(is);
  hsize_t ldims[2] = {hsize_t(n), hsize_t(label_columns)};
  hid_t ls = H5Screate_simple(2, ldims, nullptr);
  hid_t l = H5Dcreate2(f, "labels", H5T_IEEE_F64LE, ls, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(l, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels.data());
  H5Dclose(l);
  H5Sclose(ls);
  H5Fclose(f);
}

// A temp directory for tests (removed at scope exit).
struct FixtureDir {
  std::filesystem::path path;
  FixtureDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "axial-realdata-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp");
    path = tmpl;
  }
  ~FixtureDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path operator/(const std::string& name) const { return path / name; }
};

}  // namespace axial::test
