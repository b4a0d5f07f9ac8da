#pragma once
// One writer per run directory. `axial train --out D` and `--resume D` claim D by its lock file D/.axial.lock, held
// with flock() for the life of the RunDirLock and holding the writer's PID; a second writer gets an axial::Error
// naming that PID instead of silently mixing its files with the first one's.
//
// A fresh claim is atomic: the lock file is made complete (PID written, flock held) under a private name and
// link()ed into place, which fails if another writer got there first; the directory must then hold nothing but
// lock files, so a run that started and ended in between is not overwritten either. A resume claim takes a lock
// file left by a killed run over (flock is released by the kernel when a process dies). The lock file is removed
// when the claim ends.
#include <filesystem>
#include <string>

namespace axial {

class RunDirLock {
 public:
  static constexpr const char* kFileName = ".axial.lock";

  // A new run in `dir` (`option` names it in messages, e.g. "--out"): `dir` must not exist or be an empty
  // directory; it is created (and its parents). Throws axial::Error naming the holder's PID when another writer
  // holds it, or when it is not empty ("use --resume").
  static RunDirLock claim_new(const std::filesystem::path& dir, const std::string& option);
  // claim_new's checks alone, changing nothing (to fail before any work).
  static void check_new(const std::filesystem::path& dir, const std::string& option);
  // An existing run in `dir` (e.g. "--resume"): throws axial::Error naming the holder's PID when another writer
  // holds it.
  static RunDirLock claim_existing(const std::filesystem::path& dir, const std::string& option);

  RunDirLock(RunDirLock&& other) noexcept;
  RunDirLock& operator=(RunDirLock&&) = delete;
  RunDirLock(const RunDirLock&) = delete;
  RunDirLock& operator=(const RunDirLock&) = delete;
  // Removes the lock file and releases the lock (never throws: a lock file left behind loses nothing).
  ~RunDirLock();

  const std::filesystem::path& dir() const { return dir_; }
  // True if claim_new created the directory.
  bool created_dir() const { return created_; }
  // Ends the claim now (as the destructor).
  void release();

 private:
  RunDirLock(std::filesystem::path dir, int fd, bool created) : dir_(std::move(dir)), fd_(fd), created_(created) {}
  std::filesystem::path dir_;
  int fd_ = -1;
  bool created_ = false;
};

}  // namespace axial
