// read_json_file: every malformed file is an axial::Error naming it (the JSON fuzz target's findings stay fixed).
#include <fstream>
#include <string>

#include "reports/json_io.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using axial::test::error_of;

TEST_CASE("read_json_file: a number beyond double is an error naming the file (nlohmann throws out_of_range)") {
  axial::test::TempDir dir;
  const auto file = dir / "results.json";
  std::ofstream(file) << "{\"metrics\": {\"mig\": 866257e046188}}";
  const std::string e = error_of([&] { axial::reports::read_json_file(file); });
  CHECK(e.find(file.string()) != std::string::npos);
  CHECK(e.find("not valid JSON") != std::string::npos);
  CHECK(e.find("number overflow") != std::string::npos);
}

TEST_CASE("read_json_file: malformed, deep and missing files name the file") {
  axial::test::TempDir dir;
  const auto bad = dir / "bad.json";
  std::ofstream(bad) << "{\"a\": ";
  CHECK(error_of([&] { axial::reports::read_json_file(bad); }).find("bad.json' is not valid JSON") != std::string::npos);
  const auto deep = dir / "deep.json";
  std::ofstream(deep) << std::string(300, '[') + std::string(300, ']');
  CHECK(error_of([&] { axial::reports::read_json_file(deep); }).find("nested 300 levels") != std::string::npos);
  CHECK(error_of([&] { axial::reports::read_json_file(dir / "none.json"); }).find("none.json") != std::string::npos);
}
