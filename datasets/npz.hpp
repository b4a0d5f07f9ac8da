#pragma once
// NumPy .npz files (a zip archive of .npy members, as written by numpy.savez / savez_compressed).
//
// The file is memory-mapped once; the zip central directory is read (zip64 included, for members or archives over
// 4 GB such as the 12 GB mpi3d_real.npz). Members are "stored" (method 0) or "deflated" (method 8, zlib):
//  - stored members are returned as zero-copy views into the mapping (open a 12 GB member in microseconds);
//  - deflated members are inflated into memory by read() (CRC-32 checked) or streamed chunk by chunk by stream();
//    they cannot be mapped, map() says so (convert such files with `axial data convert FILE --out F.h5`).
// Keys are member names without the ".npy" suffix. Errors are axial::Error naming the file and the key.
//
//   NpzFile f("codes.npz");
//   if (f.has("codes")) { NpyArray a = f.read("codes"); std::vector<double> v = a.as_double(); }
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "datasets/npy.hpp"

namespace axial::datasets {

class MappedFile;  // read-only mmap of a whole file (defined in npz.cpp)

class NpzFile {
 public:
  // Maps `path` and reads its central directory. Throws axial::Error naming the file if it is missing, not a zip
  // archive, truncated, encrypted, or uses a compression method other than stored/deflated.
  explicit NpzFile(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::vector<std::string> keys() const;  // in archive order
  bool has(const std::string& key) const;
  bool is_compressed(const std::string& key) const;

  // The member's .npy header only (for a deflated member only its first bytes are inflated).
  NpyHeader header(const std::string& key) const;

  // The whole array: a mapped view for a stored member, an inflated copy for a deflated one.
  NpyArray read(const std::string& key) const;

  // A mapped view; throws axial::Error (naming file and key, suggesting `axial data convert`) for a deflated member.
  NpyArray map(const std::string& key) const;

  // Streams the element bytes (after the .npy header) of a member in order, in chunks of at most `chunk_bytes`,
  // without holding the whole member in memory. The header is passed first to `on_header`.
  void stream(const std::string& key, const std::function<void(const NpyHeader&)>& on_header,
              const std::function<void(const std::uint8_t*, std::size_t)>& sink,
              std::size_t chunk_bytes = std::size_t(1) << 22) const;

  // Checks the CRC-32 of every member (stored ones too, which read() and map() do not check) against the zip
  // directory: any changed byte of a member is an axial::Error naming the file and the member. Works for any zip
  // archive (e.g. a LibTorch checkpoint, whose reader checks no CRC).
  void verify_checksums() const;

  // "file '<path>', key '<key>'" — the prefix of every error about a member.
  std::string where(const std::string& key) const;

 private:
  struct Member {
    std::string name;  // as in the archive, e.g. "imgs.npy"
    int method = 0;    // 0 stored, 8 deflated
    std::uint64_t compressed_size = 0;
    std::uint64_t uncompressed_size = 0;
    std::uint64_t local_header_offset = 0;
    std::uint32_t crc32 = 0;
    std::uint64_t data_offset = 0;  // resolved from the local header
  };
  const Member& member(const std::string& key) const;

  std::filesystem::path path_;
  std::shared_ptr<const MappedFile> file_;
  std::vector<Member> members_;
  std::map<std::string, std::size_t> by_key_;
};

}  // namespace axial::datasets
