// The atomic writer: the target is replaced only by a complete file, and a failed write keeps the old one.
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
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
