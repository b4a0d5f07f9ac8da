#include "datasets/h5_driver.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace axial::h5::detail {

namespace {

// After a failed write: the pages written since, over the file's content (page index → bytes).
constexpr std::size_t kPage = 4096;
using Overlay = std::unordered_map<haddr_t, std::vector<unsigned char>>;

// The driver's file: HDF5's H5FD_t first (HDF5 casts between the two), then what sec2 keeps.
struct GuardedFile {
  H5FD_t pub;
  int fd;
  haddr_t eoa, eof;
  dev_t device;
  ino_t inode;
  std::shared_ptr<IoStatus>* status;  // owned (pointers keep this struct standard-layout)
  Overlay* overlay;                   // null until a write fails
};

// Driver info stored in the file access property list.
struct FaplInfo {
  std::shared_ptr<IoStatus> status;
};

// The largest address sec2 supports: the largest off_t.
constexpr haddr_t kMaxAddr = (haddr_t(1) << (8 * sizeof(off_t) - 1)) - 1;

bool addr_overflow(haddr_t a) { return a == HADDR_UNDEF || (a & ~kMaxAddr) != 0; }
bool region_overflow(haddr_t a, size_t z) {
  return addr_overflow(a) || z > kMaxAddr || addr_overflow(a + z) || static_cast<off_t>(a + z) < static_cast<off_t>(a);
}

// Records the first failure and switches the file to memory (see the header).
void degrade(GuardedFile* f, const char* operation, int err) {
  IoStatus& s = **f->status;
  if (s.error == 0) {
    s.error = err != 0 ? err : EIO;
    s.operation = operation;
  }
  if (f->overlay == nullptr) f->overlay = new Overlay();
}

// Reads [addr, addr+size) of the file on disk; zeros past its end (as sec2). False on a read error.
bool read_disk(int fd, haddr_t addr, size_t size, unsigned char* p) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, p, size, static_cast<off_t>(addr));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) {
      std::memset(p, 0, size);
      break;
    }
    size -= static_cast<size_t>(n);
    addr += static_cast<haddr_t>(n);
    p += n;
  }
  return true;
}

// The overlay page holding `page`, created from the disk's content when new.
std::vector<unsigned char>& overlay_page(GuardedFile* f, haddr_t page) {
  auto [it, inserted] = f->overlay->try_emplace(page);
  if (inserted) {
    it->second.resize(kPage);
    if (!read_disk(f->fd, page * kPage, kPage, it->second.data())) std::fill(it->second.begin(), it->second.end(), 0);
  }
  return it->second;
}

void* fapl_copy(const void* info) { return new FaplInfo(*static_cast<const FaplInfo*>(info)); }
herr_t fapl_free(void* info) {
  delete static_cast<FaplInfo*>(info);
  return 0;
}
void* fapl_get(H5FD_t* file) { return new FaplInfo{*reinterpret_cast<GuardedFile*>(file)->status}; }

H5FD_t* open_file(const char* name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
  if (name == nullptr || *name == '\0' || maxaddr == 0 || addr_overflow(maxaddr)) return nullptr;
  const auto* info = static_cast<const FaplInfo*>(H5Pget_driver_info(fapl));
  if (info == nullptr) return nullptr;
  int o = (flags & H5F_ACC_RDWR) ? O_RDWR : O_RDONLY;
  if (flags & H5F_ACC_TRUNC) o |= O_TRUNC;
  if (flags & H5F_ACC_CREAT) o |= O_CREAT;
  if (flags & H5F_ACC_EXCL) o |= O_EXCL;
  int fd;
  do fd = ::open(name, o | O_CLOEXEC, 0666);
  while (fd < 0 && errno == EINTR);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    info->status->open_error = errno != 0 ? errno : EIO;
    if (fd >= 0) ::close(fd);
    return nullptr;
  }
  auto* f = new GuardedFile{};
  f->fd = fd;
  f->eoa = 0;
  f->eof = static_cast<haddr_t>(st.st_size);
  f->device = st.st_dev;
  f->inode = st.st_ino;
  f->status = new std::shared_ptr<IoStatus>(info->status);
  f->overlay = nullptr;
  return &f->pub;
}

herr_t close_file(H5FD_t* file) {
  auto* f = reinterpret_cast<GuardedFile*>(file);
  if (::close(f->fd) != 0 && errno != EINTR && (*f->status)->error == 0) {
    // A failed close (NFS, quota) can lose data: recorded, and reported as success — HDF5 must not keep a file it
    // has already freed (see the header).
    (*f->status)->error = errno;
    (*f->status)->operation = "close";
  }
  delete f->overlay;
  delete f->status;
  delete f;
  return 0;
}

int compare(const H5FD_t* a, const H5FD_t* b) {
  const auto* x = reinterpret_cast<const GuardedFile*>(a);
  const auto* y = reinterpret_cast<const GuardedFile*>(b);
  if (x->device != y->device) return x->device < y->device ? -1 : 1;
  if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
  return 0;
}

herr_t query(const H5FD_t*, unsigned long* flags) {
  // sec2's flags: the same allocation and caching decisions, hence the same file layout.
  if (flags)
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
             H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_POSIX_COMPAT_HANDLE | H5FD_FEAT_SUPPORTS_SWMR_IO |
             H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  return 0;
}

haddr_t get_eoa(const H5FD_t* file, H5FD_mem_t) { return reinterpret_cast<const GuardedFile*>(file)->eoa; }
herr_t set_eoa(H5FD_t* file, H5FD_mem_t, haddr_t addr) {
  if (addr_overflow(addr)) return -1;
  reinterpret_cast<GuardedFile*>(file)->eoa = addr;
  return 0;
}
haddr_t get_eof(const H5FD_t* file, H5FD_mem_t) { return reinterpret_cast<const GuardedFile*>(file)->eof; }

herr_t get_handle(H5FD_t* file, hid_t, void** handle) {
  if (handle == nullptr) return -1;
  *handle = &reinterpret_cast<GuardedFile*>(file)->fd;
  return 0;
}

herr_t read_file(H5FD_t* file, H5FD_mem_t, hid_t, haddr_t addr, size_t size, void* buf) {
  auto* f = reinterpret_cast<GuardedFile*>(file);
  if (region_overflow(addr, size)) return -1;
  auto* p = static_cast<unsigned char*>(buf);
  if (f->overlay == nullptr) return read_disk(f->fd, addr, size, p) ? 0 : -1;
  while (size > 0) {
    const haddr_t page = addr / kPage;
    const size_t off = static_cast<size_t>(addr % kPage), n = std::min(size, kPage - off);
    auto it = f->overlay->find(page);
    if (it != f->overlay->end()) std::memcpy(p, it->second.data() + off, n);
    else if (!read_disk(f->fd, addr, n, p)) return -1;
    size -= n;
    addr += n;
    p += n;
  }
  return 0;
}

herr_t write_file(H5FD_t* file, H5FD_mem_t, hid_t, haddr_t addr, size_t size, const void* buf) {
  auto* f = reinterpret_cast<GuardedFile*>(file);
  if (region_overflow(addr, size)) return -1;  // an HDF5 bug, not a full disk: nothing was written
  const auto* p = static_cast<const unsigned char*>(buf);
  while (size > 0 && f->overlay == nullptr) {
    const ssize_t n = ::pwrite(f->fd, p, size, static_cast<off_t>(addr));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      degrade(f, "write", n < 0 ? errno : ENOSPC);
      break;
    }
    size -= static_cast<size_t>(n);
    addr += static_cast<haddr_t>(n);
    p += n;
  }
  while (size > 0) {  // in memory, after a failure
    const haddr_t page = addr / kPage;
    const size_t off = static_cast<size_t>(addr % kPage), n = std::min(size, kPage - off);
    std::memcpy(overlay_page(f, page).data() + off, p, n);
    size -= n;
    addr += n;
    p += n;
  }
  if (addr > f->eof) f->eof = addr;
  return 0;
}

herr_t truncate_file(H5FD_t* file, hid_t, hbool_t) {
  auto* f = reinterpret_cast<GuardedFile*>(file);
  if (f->eoa != f->eof) {
    if (f->overlay == nullptr && ::ftruncate(f->fd, static_cast<off_t>(f->eoa)) != 0) degrade(f, "truncate", errno);
    if (f->overlay != nullptr && f->eoa < f->eof) {
      // Past the new end the file reads as zeros again.
      for (auto& [page, bytes] : *f->overlay) {
        const haddr_t start = page * kPage;
        if (start + kPage <= f->eoa) continue;
        const size_t keep = start >= f->eoa ? 0 : static_cast<size_t>(f->eoa - start);
        std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(keep), bytes.end(), 0);
      }
    }
    f->eof = f->eoa;
  }
  return 0;
}

hid_t driver_id() {
  static const hid_t id = [] {
    static H5FD_class_t cls{};  // assigned by name: the layout of H5FD_class_t differs between HDF5 versions
#if H5_VERSION_GE(1, 13, 2)
    cls.version = H5FD_CLASS_VERSION;
    cls.value = static_cast<H5FD_class_value_t>(613);  // any value >= 256 (user-defined drivers)
#endif
    cls.name = "axial_posix";
    cls.maxaddr = kMaxAddr;
    cls.fc_degree = H5F_CLOSE_WEAK;
    cls.fapl_size = sizeof(FaplInfo);
    cls.fapl_get = fapl_get;
    cls.fapl_copy = fapl_copy;
    cls.fapl_free = fapl_free;
    cls.open = open_file;
    cls.close = close_file;
    cls.cmp = compare;
    cls.query = query;
    cls.get_eoa = get_eoa;
    cls.set_eoa = set_eoa;
    cls.get_eof = get_eof;
    cls.get_handle = get_handle;
    cls.read = read_file;
    cls.write = write_file;
    cls.truncate = truncate_file;
    const H5FD_mem_t map[] = H5FD_FLMAP_DICHOTOMY;  // sec2's free-list map
    for (int i = 0; i < H5FD_MEM_NTYPES; ++i) cls.fl_map[i] = map[i];
    return H5FDregister(&cls);
  }();
  return id;
}

}  // namespace

hid_t guarded_fapl(const std::shared_ptr<IoStatus>& status) {
  const hid_t driver = driver_id();
  if (driver < 0) return -1;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return -1;
  FaplInfo info{status};
  if (H5Pset_driver(fapl, driver, &info) < 0) {
    H5Pclose(fapl);
    return -1;
  }
  return fapl;
}

}  // namespace axial::h5::detail
