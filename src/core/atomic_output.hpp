#pragma once
// Writes an output file atomically: callers write to temp_path() (a sibling of the target, same file system),
// then commit() renames it over the target. If commit() is never reached (an error was thrown), the destructor
// removes the temporary file, so a failed run leaves no output file behind.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace axial {

class AtomicOutput {
 public:
  explicit AtomicOutput(std::filesystem::path target);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& temp_path() const { return temp_; }
  // Flushes the temporary file to disk (fsync), renames it to the target and syncs the directory. Throws
  // axial::Error naming the target on any failure; the old target is then untouched.
  void commit();

  // The target of the live AtomicOutput whose temporary file is `path`, else `path` itself: error messages about a
  // file being written name the file the user asked for, not its temporary name.
  static std::filesystem::path shown_path(const std::filesystem::path& path);

 private:
  friend void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files);
  void sync_temp();       // commit's first step: the temporary file reaches the disk (throws; target untouched)
  void rename_onto_target();  // its second: the rename, without the directory sync
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

// Writes `contents` to `target` atomically (temp file + rename); every write, fsync and close is checked, so a
// full disk is an error and never a short file renamed over a good one.
void write_file_atomically(const std::filesystem::path& target, const std::string& contents);

// Writes a set of files that belong together (e.g. results.json, .csv, .md): every file is written and synced to a
// temporary sibling first; only when all of them are complete are they renamed into place, back to back (no sync
// between the renames; the directories are synced after the last), results.json-like markers last (the order
// given). A failure while writing replaces none of the old files. A kill -9 can still fall between two renames
// (the process may be descheduled there): the set is then mixed, but the last file (the marker) is still the old one.
void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files);

}  // namespace axial
