// The atomic writer: the target is replaced only by a complete file, and a failed write keeps the old one.
#include <sys/resource.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "src/core/atomic_output.hpp"
#include "src/core/error.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/file_size_limit.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace axial;

namespace {
// Regular files in `dir` (a leftover temporary file would be one more).
int regular_files(const std::filesystem::path& dir) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}
}  // namespace

TEST_CASE("write_file_atomically replaces the target and leaves no temporary file") {
  test::TempDir tmp;
  write_file_atomically(tmp / "out.txt", "old contents\n");
  write_file_atomically(tmp / "out.txt", "new\n");
  CHECK(test::slurp(tmp / "out.txt") == "new\n");
  const int files = regular_files(tmp.path);
  CHECK(files == 1);
}

TEST_CASE("a write that cannot complete keeps the old file (file size limit stands in for a full disk)") {
  test::TempDir tmp;
  write_file_atomically(tmp / "out.txt", "good\n");
  // A file-size limit in a child process stands in for a full disk; the child exits 0 if the error named the target.
  const int status = test::in_limited_child(1024, [&] {
    const std::string m = test::error_of([&] { write_file_atomically(tmp / "out.txt", std::string(4096, 'x')); });
    return m.find("cannot write '" + (tmp / "out.txt").string() + "'") == 0 ? 0 : 1;
  });
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(test::slurp(tmp / "out.txt") == "good\n");
  const int files = regular_files(tmp.path);
  CHECK(files == 1);
}

TEST_CASE("a missing output directory is named") {
  test::TempDir tmp;
  const std::string msg = test::error_of([&] { write_file_atomically(tmp / "no" / "out.txt", "x"); });
  CHECK(msg.find("output directory '" + (tmp / "no").string() + "' does not exist") == 0);
}

TEST_CASE("write_files_atomically replaces none of a set when one file of it cannot be written") {
  test::TempDir tmp;
  write_files_atomically({{tmp / "a.csv", "old a\n"}, {tmp / "b.json", "old b\n"}});
  // a.csv fits the limit, b.json does not: neither may change.
  const int status = test::in_limited_child(1024, [&] {
    const std::string m = test::error_of(
        [&] { write_files_atomically({{tmp / "a.csv", "new a\n"}, {tmp / "b.json", std::string(4096, 'x')}}); });
    return m.find("cannot write '" + (tmp / "b.json").string() + "'") == 0 ? 0 : 1;
  });
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(test::slurp(tmp / "a.csv") == "old a\n");
  CHECK(test::slurp(tmp / "b.json") == "old b\n");
  const int files = regular_files(tmp.path);
  CHECK(files == 2);  // no temporary file left
}

TEST_CASE("shown_path names the target of a live temporary file, any other path as it is") {
  test::TempDir tmp;
  {
    AtomicOutput out(tmp / "x.h5");
    CHECK(AtomicOutput::shown_path(out.temp_path()) == tmp / "x.h5");
    CHECK(AtomicOutput::shown_path(tmp / "other") == tmp / "other");
  }
  CHECK(AtomicOutput::shown_path(tmp / ".x.h5.tmp-1") == tmp / ".x.h5.tmp-1");
}

TEST_CASE("an output below a regular file names the file that is not a directory") {
  test::TempDir tmp;
  std::ofstream(tmp / "plain") << "x";
  const std::string msg = test::error_of([&] { write_file_atomically(tmp / "plain" / "out.txt", "x"); });
  CHECK(msg.find("output directory '" + (tmp / "plain").string() + "' is a file, not a directory") == 0);
  const std::string deeper = test::error_of([&] { write_file_atomically(tmp / "plain" / "a" / "out.txt", "x"); });
  CHECK(deeper.find("output directory '" + (tmp / "plain" / "a").string() + "': '" + (tmp / "plain").string() +
                    "' is a file, not a directory") == 0);
}

namespace {
namespace fs = std::filesystem;
ino_t inode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_ino;
}
// Whether the file system of `dir` swaps directories (renameat2 RENAME_EXCHANGE: ext4, xfs, btrfs, tmpfs do; some
// network file systems do not). Where it does not, OutputSet renames file by file and the tests check that path.
bool exchange_supported(const fs::path& dir) {
  const fs::path a = dir / "probe-a", b = dir / "probe-b";
  fs::create_directories(a);
  fs::create_directories(b);
  const bool ok = ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0;
  fs::remove_all(a);
  fs::remove_all(b);
  if (!ok) MESSAGE("RENAME_EXCHANGE is not supported under " << dir.string() << ": the file-by-file path is tested");
  return ok;
}
// Entries of `dir` whose name holds the staging tag (a staging directory left behind).
int staging_dirs(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().find(".axial-set-") != std::string::npos;
  return n;
}
}  // namespace

TEST_CASE("OutputSet swaps the whole set in at once and carries every other entry of the directory over") {
  test::TempDir tmp;
  const fs::path out = tmp / "out";
  fs::create_directories(out / "sub" / "deeper");
  std::ofstream(out / "notes.txt") << "mine\n";
  std::ofstream(out / "sub" / "deeper" / "data.bin") << "bytes";
  fs::create_symlink("notes.txt", out / "link");
  write_files_atomically({{out / "results.csv", "old csv\n"}, {out / "results.json", "old json\n"}});
  const ino_t notes = inode_of(out / "notes.txt"), data = inode_of(out / "sub" / "deeper" / "data.bin");
  const ino_t dir_before = inode_of(out);

  OutputSet set(out);
  set.write("results.csv", "new csv\n");
  set.write("results.json", "new json\n");
  // Before the commit nothing in the directory has changed.
  CHECK(test::slurp(out / "results.csv") == "old csv\n");
  set.commit();
  const bool swaps = exchange_supported(tmp.path);
  CHECK(set.swapped() == swaps);
  if (swaps) CHECK(inode_of(out) != dir_before);  // a new directory took the name in one rename
  CHECK(test::slurp(out / "results.csv") == "new csv\n");
  CHECK(test::slurp(out / "results.json") == "new json\n");
  CHECK(test::slurp(out / "notes.txt") == "mine\n");
  CHECK(inode_of(out / "notes.txt") == notes);  // the same file (a hard link), not a copy
  CHECK(inode_of(out / "sub" / "deeper" / "data.bin") == data);
  CHECK(fs::is_symlink(out / "link"));
  CHECK(fs::read_symlink(out / "link") == "notes.txt");
  CHECK(staging_dirs(tmp.path) == 0);
  CHECK(staging_dirs(out) == 0);
}

TEST_CASE("OutputSet: a replaced subdirectory holds only the new set's files") {
  test::TempDir tmp;
  const fs::path out = tmp / "report";
  fs::create_directories(out / "figures");
  std::ofstream(out / "figures" / "stale.png") << "old figure";
  std::ofstream(out / "figures" / "kept.png") << "old kept";
  std::ofstream(out / "figures" / "drawn_before.svg") << "by a child";  // written into DIR first, then adopted
  OutputSet set(out);
  set.replace_subdirectory("figures");
  set.adopt("figures/drawn_before.svg");
  std::ofstream(set.stage("figures/kept.png")) << "new kept";
  set.write("report.md", "# new\n");
  set.commit();
  CHECK(set.swapped() == exchange_supported(tmp.path));
  CHECK(!fs::exists(out / "figures" / "stale.png"));
  CHECK(test::slurp(out / "figures" / "kept.png") == "new kept");
  CHECK(test::slurp(out / "figures" / "drawn_before.svg") == "by a child");
  CHECK(test::slurp(out / "report.md") == "# new\n");
}

TEST_CASE("OutputSet: files another process creates or replaces in the directory just before the swap survive") {
  test::TempDir tmp;
  const fs::path out = tmp / "out";
  fs::create_directories(out);
  std::ofstream(out / "log.csv") << "v1\n";
  OutputSet set(out);
  set.write("results.json", "{}\n");
  OutputSet::set_before_swap_hook([&] {
    std::ofstream(out / "created.txt") << "late\n";
    std::ofstream(out / ".log.csv.tmp") << "v2\n";
    fs::rename(out / ".log.csv.tmp", out / "log.csv");  // an atomic replace by someone else
  });
  set.commit();
  OutputSet::set_before_swap_hook({});
  CHECK(set.swapped() == exchange_supported(tmp.path));
  CHECK(test::slurp(out / "created.txt") == "late\n");
  CHECK(test::slurp(out / "log.csv") == "v2\n");
  CHECK(test::slurp(out / "results.json") == "{}\n");
  CHECK(staging_dirs(tmp.path) == 0);
}

TEST_CASE("OutputSet renames file by file where a swap would surprise: working directory inside, a fifo, a symlinked directory stays a link") {
  test::TempDir tmp;
  const fs::path out = tmp / "out";
  fs::create_directories(out / "sub");
  {
    const fs::path before = fs::current_path();
    fs::current_path(out / "sub");
    OutputSet set(out);
    set.write("a.txt", "1\n");
    set.commit();
    fs::current_path(before);
    CHECK(!set.swapped());
    CHECK(test::slurp(out / "a.txt") == "1\n");
  }
  REQUIRE(::mkfifo((out / "pipe").c_str(), 0600) == 0);
  {
    OutputSet set(out);
    set.write("a.txt", "2\n");
    set.commit();
    CHECK(!set.swapped());
    CHECK(test::slurp(out / "a.txt") == "2\n");
    CHECK(fs::is_fifo(out / "pipe"));
  }
  fs::remove(out / "pipe");
  fs::create_directory_symlink(out, tmp / "alias");
  {
    OutputSet set(tmp / "alias");
    set.write("a.txt", "3\n");
    set.commit();
    CHECK(set.swapped() == exchange_supported(tmp.path));
    CHECK(fs::is_symlink(tmp / "alias"));
    CHECK(test::slurp(out / "a.txt") == "3\n");
  }
  CHECK(staging_dirs(tmp.path) == 0);
  CHECK(staging_dirs(out) == 0);
}

TEST_CASE("OutputSet: a failure before the commit leaves the directory as it was; a dead process's staging is removed") {
  test::TempDir tmp;
  const fs::path out = tmp / "out";
  fs::create_directories(out);
  std::ofstream(out / "results.json") << "old\n";
  {
    OutputSet set(out);
    set.write("results.json", "new\n");
    set.stage("figure.png");  // declared, never written
    CHECK_THROWS_WITH_AS(set.commit(), doctest::Contains("figure.png"), Error);
  }
  CHECK(test::slurp(out / "results.json") == "old\n");
  CHECK(staging_dirs(tmp.path) == 0);
  // A staging directory of a process that no longer exists (killed mid-commit) goes with the next set.
  const pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  fs::create_directories(tmp / (".out.axial-set-" + std::to_string(child) + "-0") / "x");
  OutputSet set(out);
  CHECK(staging_dirs(tmp.path) == 1);  // its own
  set.write("results.json", "newer\n");
  set.commit();
  CHECK(staging_dirs(tmp.path) == 0);
  CHECK(test::slurp(out / "results.json") == "newer\n");
}
