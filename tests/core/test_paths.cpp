// Paths of the wrong kind: a directory where a file is expected, an output directory below a regular file.
#include <filesystem>
#include <fstream>
#include <string>

#include "src/core/paths.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace axial;
namespace fs = std::filesystem;

TEST_CASE("refuse_directory: a directory is named as one, a file or a missing path passes") {
  test::TempDir tmp;
  fs::create_directories(tmp / "d.npz");
  std::ofstream(tmp / "f.npz") << "x";
  CHECK(test::error_of([&] { refuse_directory(tmp / "d.npz", "'d.npz'"); }) ==
        "'d.npz': is a directory, expected a file");
  CHECK(test::error_of([&] { refuse_directory(tmp / "f.npz", "'f.npz'"); }).empty());
  CHECK(test::error_of([&] { refuse_directory(tmp / "none", "'none'"); }).empty());
}

TEST_CASE("check_output_directory: below a regular file is refused naming the option and the file") {
  test::TempDir tmp;
  std::ofstream(tmp / "plain") << "x";
  const fs::path below = tmp / "plain" / "a" / "b";
  CHECK(test::error_of([&] { check_output_directory(below, "--out"); }) ==
        "--out '" + below.string() + "': '" + (tmp / "plain").string() + "' is a file, not a directory");
  CHECK(test::error_of([&] { check_output_directory(tmp / "plain", "--out"); }) ==
        "--out '" + (tmp / "plain").string() + "': is a file, not a directory");
  // Missing directories below an existing one, an existing directory, a relative name: fine.
  CHECK(test::error_of([&] { check_output_directory(tmp / "new" / "deeper", "--out"); }).empty());
  CHECK(test::error_of([&] { check_output_directory(tmp.path, "--out"); }).empty());
  CHECK(test::error_of([&] { check_output_directory("axial-no-such-relative-dir", "--out"); }).empty());
  CHECK_FALSE(fs::exists(tmp / "new"));  // checking creates nothing
}

TEST_CASE("create_output_directory: creates the parents, refuses below a file without creating anything") {
  test::TempDir tmp;
  create_output_directory(tmp / "x" / "y", "--out");
  CHECK(fs::is_directory(tmp / "x" / "y"));
  std::ofstream(tmp / "plain") << "x";
  CHECK(test::error_of([&] { create_output_directory(tmp / "plain" / "z", "--out"); }).find("is a file") !=
        std::string::npos);
  CHECK(fs::is_regular_file(tmp / "plain"));
}
