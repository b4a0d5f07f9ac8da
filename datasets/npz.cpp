#include "datasets/npz.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "src/core/error.hpp"
#include "src/core/paths.hpp"

namespace axial::datasets {

// Read-only mapping of a whole file; shared by every array view into it.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path) {
    refuse_directory(path, fmt::format("file '{}'", path.string()));
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(fmt::format("file '{}': cannot open ({})", path.string(), std::strerror(errno)));
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw Error(fmt::format("file '{}': not a regular file", path.string()));
    }
    size_ = std::size_t(st.st_size);
    if (size_ > 0) {
      void* p = mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
      if (p == MAP_FAILED) {
        int e = errno;
        ::close(fd);
        throw Error(fmt::format("file '{}': cannot map ({})", path.string(), std::strerror(e)));
      }
      data_ = static_cast<const std::uint8_t*>(p);
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_) munmap(const_cast<std::uint8_t*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

namespace {

std::uint16_t u16(const std::uint8_t* p) { return std::uint16_t(p[0] | (p[1] << 8)); }
std::uint32_t u32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
}
std::uint64_t u64(const std::uint8_t* p) { return std::uint64_t(u32(p)) | (std::uint64_t(u32(p + 4)) << 32); }

constexpr std::uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEocdSig = 0x06054b50,
                        kZip64EocdSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;

// Raw-deflate inflater feeding chunks to a sink; stops early once `limit` output bytes were produced.
class Inflater {
 public:
  Inflater(const std::string& where) : where_(where) {
    std::memset(&zs_, 0, sizeof(zs_));
    if (inflateInit2(&zs_, -MAX_WBITS) != Z_OK) throw Error(fmt::format("{}: zlib initialisation failed", where_));
  }
  ~Inflater() { inflateEnd(&zs_); }

  // Inflates `in` (n bytes) and calls sink(out, len) for each output chunk. Returns true at the end of the deflate
  // stream, false if sink asked to stop (by returning false). Throws for corrupt or truncated data.
  template <class Sink>
  bool run(const std::uint8_t* in, std::uint64_t n, std::size_t chunk, Sink&& sink) {
    std::vector<std::uint8_t> out(chunk);
    std::uint64_t consumed = 0;
    for (;;) {
      if (zs_.avail_in == 0 && consumed < n) {
        auto take = std::min<std::uint64_t>(n - consumed, 1u << 30);
        zs_.next_in = const_cast<Bytef*>(in + consumed);
        zs_.avail_in = uInt(take);
        consumed += take;
      }
      zs_.next_out = out.data();
      zs_.avail_out = uInt(out.size());
      int rc = inflate(&zs_, Z_NO_FLUSH);
      std::size_t produced = out.size() - zs_.avail_out;
      if (rc == Z_BUF_ERROR && produced == 0 && zs_.avail_in == 0 && consumed >= n)
        throw Error(fmt::format("{}: truncated compressed data", where_));
      if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && produced > 0))
        throw Error(fmt::format("{}: corrupt compressed data ({})", where_, zs_.msg ? zs_.msg : "zlib error"));
      if (produced > 0 && !sink(out.data(), produced)) return false;
      if (rc == Z_STREAM_END) return true;
      if (produced == 0 && zs_.avail_in == 0 && consumed >= n)
        throw Error(fmt::format("{}: truncated compressed data", where_));
    }
  }

 private:
  z_stream zs_;
  std::string where_;
};

struct OwnedBytes {
  std::vector<std::uint8_t> bytes;
};

}  // namespace

std::string NpzFile::where(const std::string& key) const {
  return fmt::format("file '{}', key '{}'", path_.string(), key);
}

NpzFile::NpzFile(const std::filesystem::path& path) : path_(path) {
  file_ = std::make_shared<MappedFile>(path);
  const std::uint8_t* base = file_->data();
  const std::uint64_t size = file_->size();
  const std::string fname = fmt::format("file '{}'", path.string());

  // End of central directory: 22 bytes + a comment of up to 65535 bytes at the end of the file.
  if (size < 22) throw Error(fmt::format("{}: not a .npz (zip) archive, or truncated ({} bytes)", fname, size));
  std::int64_t eocd = -1;
  std::uint64_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
  for (std::uint64_t p = size - 22 + 1; p-- > lowest;) {
    if (u32(base + p) == kEocdSig && p + 22 + u16(base + p + 20) == size) {
      eocd = std::int64_t(p);
      break;
    }
  }
  if (eocd < 0)
    throw Error(fmt::format("{}: not a .npz (zip) archive, or truncated (no end-of-central-directory record)", fname));
  const std::uint8_t* e = base + eocd;
  std::uint64_t entries = u16(e + 10), cd_size = u32(e + 12), cd_offset = u32(e + 16);
  if (u16(e + 4) != 0 || u16(e + 6) != 0) throw Error(fmt::format("{}: multi-disk zip archives are not supported", fname));
  if (entries == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_offset == 0xFFFFFFFFu) {
    // zip64: a locator sits just before the EOCD and points to the zip64 EOCD record.
    if (eocd < 20 || u32(base + eocd - 20) != kZip64LocatorSig)
      throw Error(fmt::format("{}: zip64 archive without a zip64 locator (truncated or corrupt)", fname));
    std::uint64_t z = u64(base + eocd - 20 + 8);
    if (z + 56 > size || u32(base + z) != kZip64EocdSig)
      throw Error(fmt::format("{}: corrupt zip64 end-of-central-directory record", fname));
    entries = u64(base + z + 32);
    cd_size = u64(base + z + 40);
    cd_offset = u64(base + z + 48);
  }
  if (cd_offset > size || cd_size > size - cd_offset)
    throw Error(fmt::format("{}: truncated or corrupt (central directory beyond the end of the file)", fname));

  std::uint64_t p = cd_offset;
  for (std::uint64_t i = 0; i < entries; ++i) {
    if (p + 46 > cd_offset + cd_size || u32(base + p) != kCentralSig)
      throw Error(fmt::format("{}: corrupt central directory (entry {})", fname, i));
    const std::uint8_t* c = base + p;
    Member m;
    std::uint16_t flags = u16(c + 8);
    m.method = u16(c + 10);
    m.crc32 = u32(c + 16);
    m.compressed_size = u32(c + 20);
    m.uncompressed_size = u32(c + 24);
    std::uint16_t name_len = u16(c + 28), extra_len = u16(c + 30), comment_len = u16(c + 32);
    m.local_header_offset = u32(c + 42);
    if (p + 46 + name_len + extra_len + comment_len > cd_offset + cd_size)
      throw Error(fmt::format("{}: corrupt central directory (entry {})", fname, i));
    m.name.assign(reinterpret_cast<const char*>(c + 46), name_len);
    // zip64 extended information: only the fields whose 32-bit value is 0xFFFFFFFF, in this order.
    const std::uint8_t* x = c + 46 + name_len;
    for (std::uint32_t q = 0; q + 4 <= extra_len;) {
      std::uint16_t id = u16(x + q), len = u16(x + q + 2);
      if (q + 4 + len > extra_len) break;
      if (id == 0x0001) {
        const std::uint8_t* f = x + q + 4;
        std::uint32_t left = len;
        auto take = [&](std::uint64_t& field) {
          if (left >= 8) {
            field = u64(f);
            f += 8;
            left -= 8;
          }
        };
        if (m.uncompressed_size == 0xFFFFFFFFu) take(m.uncompressed_size);
        if (m.compressed_size == 0xFFFFFFFFu) take(m.compressed_size);
        if (m.local_header_offset == 0xFFFFFFFFu) take(m.local_header_offset);
      }
      q += 4 + len;
    }
    p += 46 + std::uint64_t(name_len) + extra_len + comment_len;

    std::string key = m.name;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0) key.resize(key.size() - 4);
    if (flags & 1u) throw Error(fmt::format("{}: member is encrypted", where(key)));
    if (m.method != 0 && m.method != 8)
      throw Error(fmt::format("{}: unsupported zip compression method {} (only stored and deflated)", where(key), m.method));
    if (m.local_header_offset + 30 > size || u32(base + m.local_header_offset) != kLocalSig)
      throw Error(fmt::format("{}: truncated or corrupt (bad local header)", where(key)));
    const std::uint8_t* l = base + m.local_header_offset;
    m.data_offset = m.local_header_offset + 30 + u16(l + 26) + u16(l + 28);
    if (m.data_offset > size || m.compressed_size > size - m.data_offset)
      throw Error(fmt::format("{}: truncated ({} of {} bytes present)", where(key),
                              m.data_offset > size ? 0 : size - m.data_offset, m.compressed_size));
    if (m.method == 0 && m.compressed_size != m.uncompressed_size)
      throw Error(fmt::format("{}: corrupt (stored member with different sizes)", where(key)));
    // Deflate expands at most 1032:1 (RFC 1951: a 258-byte match per 2 bits at best): a larger declared size is a
    // damaged directory, refused before read() reserves it.
    if (m.method == 8 && m.uncompressed_size / 1032 > m.compressed_size + 64)
      throw Error(fmt::format("{}: corrupt (declares {} bytes inflated from {} compressed; deflate cannot expand that much)",
                              where(key), m.uncompressed_size, m.compressed_size));
    if (by_key_.count(key)) throw Error(fmt::format("{}: duplicate member", where(key)));
    by_key_[key] = members_.size();
    members_.push_back(std::move(m));
  }
}

std::vector<std::string> NpzFile::keys() const {
  std::vector<std::string> out(members_.size());
  for (auto& [k, i] : by_key_) out[i] = k;
  return out;
}

bool NpzFile::has(const std::string& key) const { return by_key_.count(key) != 0; }

const NpzFile::Member& NpzFile::member(const std::string& key) const {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) {
    std::string valid;
    for (auto& k : keys()) valid += (valid.empty() ? "" : ", ") + k;
    throw Error(fmt::format("{}: no such key (keys: {})", where(key), valid.empty() ? "none" : valid));
  }
  return members_[it->second];
}

bool NpzFile::is_compressed(const std::string& key) const { return member(key).method != 0; }

NpyHeader NpzFile::header(const std::string& key) const {
  const Member& m = member(key);
  const std::uint8_t* src = file_->data() + m.data_offset;
  if (m.method == 0) return parse_npy_header(src, std::size_t(m.compressed_size), where(key));
  // Deflated: inflate just enough bytes for the header.
  std::vector<std::uint8_t> head;
  std::size_t need = kNpyPrefixBytes;
  Inflater inf(where(key));
  inf.run(src, m.compressed_size, 4096, [&](const std::uint8_t* b, std::size_t n) {
    head.insert(head.end(), b, b + n);
    if (head.size() >= kNpyPrefixBytes && need == kNpyPrefixBytes)
      need = std::max(need, npy_header_size(head.data(), head.size(), where(key)));
    return head.size() < need;
  });
  return parse_npy_header(head.data(), head.size(), where(key));
}

NpyArray NpzFile::map(const std::string& key) const {
  const Member& m = member(key);
  if (m.method != 0)
    throw Error(fmt::format("{}: the member is compressed (deflated) and cannot be memory-mapped; convert the file once "
                            "with `axial data convert {} --out FILE.h5` and use the .h5 file",
                            where(key), path_.string()));
  const std::uint8_t* src = file_->data() + m.data_offset;
  NpyHeader h = parse_npy_header(src, std::size_t(m.compressed_size), where(key));
  if (h.data_offset + h.data_bytes() > m.uncompressed_size)
    throw Error(fmt::format("{}: truncated ({} bytes, the header {} {} needs {})", where(key), m.uncompressed_size,
                            h.descr, h.shape_string(), h.data_offset + h.data_bytes()));
  return NpyArray(h, file_, src + h.data_offset, where(key));
}

NpyArray NpzFile::read(const std::string& key) const {
  const Member& m = member(key);
  if (m.method == 0) return map(key);
  auto owned = std::make_shared<OwnedBytes>();
  NpyHeader h;
  bool have_header = false;
  stream(
      key, [&](const NpyHeader& hh) {
        h = hh;
        have_header = true;
        owned->bytes.reserve(std::size_t(h.data_bytes()));
      },
      [&](const std::uint8_t* b, std::size_t n) { owned->bytes.insert(owned->bytes.end(), b, b + n); });
  if (!have_header) throw Error(fmt::format("{}: empty member", where(key)));
  const std::uint8_t* data = owned->bytes.data();
  return NpyArray(h, owned, data, where(key));
}

void NpzFile::stream(const std::string& key, const std::function<void(const NpyHeader&)>& on_header,
                     const std::function<void(const std::uint8_t*, std::size_t)>& sink, std::size_t chunk_bytes) const {
  const Member& m = member(key);
  const std::uint8_t* src = file_->data() + m.data_offset;
  const std::string w = where(key);
  if (m.method == 0) {
    NpyArray a = map(key);
    on_header(a.header());
    std::uint64_t left = a.header().data_bytes();
    const std::uint8_t* p = a.bytes();
    while (left > 0) {
      std::size_t n = std::size_t(std::min<std::uint64_t>(left, chunk_bytes));
      sink(p, n);
      p += n;
      left -= n;
    }
    return;
  }
  // Deflated: collect the header, then pass element bytes through, checking the CRC and the declared size.
  std::vector<std::uint8_t> head;
  std::size_t need = kNpyPrefixBytes;
  NpyHeader h;
  bool header_done = false;
  std::uint64_t want = 0, got = 0, total = 0;
  uLong crc = crc32(0L, Z_NULL, 0);
  Inflater inf(w);
  inf.run(src, m.compressed_size, std::max<std::size_t>(chunk_bytes, 4096), [&](const std::uint8_t* b, std::size_t n) {
    crc = crc32_z(crc, b, n);
    total += n;
    if (!header_done) {
      std::size_t take = 0;
      while (take < n && head.size() < need) {
        head.push_back(b[take++]);
        if (head.size() == kNpyPrefixBytes) need = std::max(need, npy_header_size(head.data(), head.size(), w));
      }
      if (head.size() < need) return true;
      h = parse_npy_header(head.data(), head.size(), w);
      header_done = true;
      want = h.data_bytes();
      if (h.data_offset + want > m.uncompressed_size)
        throw Error(fmt::format("{}: truncated ({} bytes, the header {} {} needs {})", w, m.uncompressed_size, h.descr,
                                h.shape_string(), h.data_offset + want));
      on_header(h);
      b += take;
      n -= take;
    }
    std::size_t pass = std::size_t(std::min<std::uint64_t>(n, want - got));
    if (pass > 0) sink(b, pass);
    got += pass;
    return true;
  });
  if (!header_done) throw Error(fmt::format("{}: truncated .npy header", w));
  if (got < want || total != m.uncompressed_size)
    throw Error(fmt::format("{}: truncated ({} of {} bytes inflated)", w, total, m.uncompressed_size));
  if (std::uint32_t(crc) != m.crc32) throw Error(fmt::format("{}: CRC-32 mismatch (corrupt member)", w));
}

void NpzFile::verify_checksums() const {
  for (const Member& m : members_) {
    const std::string key = m.name.size() > 4 && m.name.compare(m.name.size() - 4, 4, ".npy") == 0
                                ? m.name.substr(0, m.name.size() - 4)
                                : m.name;
    const std::uint8_t* src = file_->data() + m.data_offset;
    uLong crc = crc32(0L, Z_NULL, 0);
    std::uint64_t total = 0;
    if (m.method == 0) {
      crc = crc32_z(crc, src, std::size_t(m.compressed_size));
      total = m.compressed_size;
    } else {
      Inflater inf(where(key));
      inf.run(src, m.compressed_size, std::size_t(1) << 20, [&](const std::uint8_t* b, std::size_t n) {
        crc = crc32_z(crc, b, n);
        total += n;
        return true;
      });
    }
    if (total != m.uncompressed_size)
      throw Error(fmt::format("{}: truncated ({} of {} bytes)", where(key), total, m.uncompressed_size));
    if (std::uint32_t(crc) != m.crc32) throw Error(fmt::format("{}: CRC-32 mismatch (corrupt member)", where(key)));
  }
}

}  // namespace axial::datasets
