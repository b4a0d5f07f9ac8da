#pragma once
// axial's HDF5 file driver for the files it writes (internal to datasets/h5_util.cpp).
//
// Why: libhdf5 1.10 cannot survive a failed write. A flush that fails leaves its metadata cache inconsistent, and
// H5Fclose of such a file fails after freeing the file's memory but keeps its id, so the library's exit handler
// closes that id again — a use after free: every write to a full disk ended with a segmentation fault at exit, after
// the right error had been printed.
//
// So libhdf5 never sees a write fail. This driver is POSIX I/O like HDF5's default "sec2" driver (same feature
// flags and free-list map, so the bytes written are the same). When a write or truncate fails, it records the
// system's reason in IoStatus and from then on keeps everything HDF5 writes to that file in memory (pages over the
// file's content), so HDF5 goes on with a consistent file and every close completes and frees everything. The file
// on disk is then incomplete; h5::File checks IoStatus after each of its writes and in close() and throws naming
// the file and the reason, so a failed file is never committed and nothing is lost silently.
#include <hdf5.h>

#include <memory>
#include <string>

namespace axial::h5::detail {

struct IoStatus {
  int error = 0;          // errno of the first failed write, truncate or close (0 = none)
  std::string operation;  // "write", "truncate" or "close" (a failed close is recorded too: the data may be lost)
  int open_error = 0;     // errno of the last failed open (HDF5 probes with opens that may fail: not a write error)
};

// A file access property list selecting the driver; failures of the files opened with it go to `status`.
// Returns a negative id if HDF5 refuses (the caller reports it).
hid_t guarded_fapl(const std::shared_ptr<IoStatus>& status);

}  // namespace axial::h5::detail
