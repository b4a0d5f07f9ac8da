#pragma once
// Writes an output file atomically: callers write to temp_path() (a sibling of the target, same file system),
// then commit() renames it over the target. If commit() is never reached (an error was thrown), the destructor
// removes the temporary file, so a failed run leaves no output file behind.
#include <filesystem>
#include <functional>
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

// A set of files in one directory DIR that is replaced as a whole (eval's results.json/.csv/.md, a report's tables
// and figures). The files are written into a staging directory beside DIR (same file system); commit() hard-links
// into it everything of DIR that the set does not replace (recreating subdirectories, copying symlinks) and swaps
// the two directories with one renameat2(RENAME_EXCHANGE): a reader or a kill -9 at any moment sees the whole old
// set or the whole new one. Files that another process created or replaced in DIR between the linking and the swap
// are moved into the new DIR afterwards, so nothing is lost; then the old tree is removed. A failure before the
// swap leaves DIR untouched.
// The swap is skipped, and the files are renamed into DIR one by one instead (the last one given last, so a kill
// can leave a mix only while that marker is still old), when it cannot be used: the file system refuses
// RENAME_EXCHANGE or hard links, DIR's parent is not writable, DIR holds other kinds of files (sockets, devices)
// or more than 10,000 entries, or the working directory is inside DIR (a shell there would be left in the
// removed old directory). A staging directory left by a killed process is removed by the next set in DIR's parent.
class OutputSet {
 public:
  explicit OutputSet(std::filesystem::path dir);  // DIR must exist (else axial::Error naming it)
  ~OutputSet();                                   // removes the staging directory unless committed
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;

  // Declares file `relative` (inside DIR, e.g. "figures/a.png") part of the set and returns where to write it in
  // the staging directory (its parent directories exist). The caller writes it completely before commit().
  std::filesystem::path stage(const std::filesystem::path& relative);
  // stage() + writes `contents` there, every write, fsync and close checked.
  void write(const std::filesystem::path& relative, const std::string& contents);
  // Declares the existing file DIR/relative (written there earlier, e.g. by a child process) part of the set: it is
  // hard-linked (else copied) into the staging directory, so it survives replace_subdirectory.
  void adopt(const std::filesystem::path& relative);
  // After commit, DIR/relative holds only the files the set staged there (old ones are not carried over).
  void replace_subdirectory(const std::filesystem::path& relative);
  // Replaces DIR's set (see above). Throws axial::Error naming the file on a failure; before the swap DIR is then
  // untouched.
  void commit();
  // Whether commit() swapped the directories (false: renamed file by file).
  bool swapped() const { return swapped_; }

  // Tests: called just before the swap (e.g. to create a file in DIR as another process would).
  static void set_before_swap_hook(std::function<void()> hook);

 private:
  bool link_others(const std::filesystem::path& from, const std::filesystem::path& to,
                   const std::filesystem::path& rel, std::size_t& count) const;
  void rescue(const std::filesystem::path& old_tree, const std::filesystem::path& new_tree,
              const std::filesystem::path& rel) const;
  bool is_set_file(const std::filesystem::path& rel) const;
  bool is_replaced(const std::filesystem::path& rel) const;
  void commit_by_renames();
  std::filesystem::path dir_;      // as given (messages)
  std::filesystem::path real_;     // canonical DIR
  std::filesystem::path staging_;
  bool staging_inside_ = false;    // parent not writable: staging inside DIR, renames only
  std::vector<std::filesystem::path> files_;     // relative, in the order staged
  std::vector<std::filesystem::path> replaced_;  // relative subdirectories
  bool committed_ = false, swapped_ = false;
};

// Writes a set of files that belong together (e.g. results.json, .csv, .md): files in one directory go through
// OutputSet (the swap above); otherwise every file is written and synced to a temporary sibling first and only when
// all are complete are they renamed into place back to back, the last one given (the marker) last. A failure while
// writing replaces none of the old files.
void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files);

}  // namespace axial
