// The JSON nesting guard: depth counted from the definition (brackets outside strings), deep files refused by name.
#include <fstream>
#include <string>

#include "src/core/error.hpp"
#include "src/core/json_guard.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace axial;

TEST_CASE("json_nesting_depth counts brackets and braces outside strings") {
  CHECK(json_nesting_depth("1") == 0);
  CHECK(json_nesting_depth("{\"a\": [1, {\"b\": []}]}") == 4);
  CHECK(json_nesting_depth("{\"a\": \"[[[[{{{\"}") == 1);           // brackets in a string do not count
  CHECK(json_nesting_depth("[\"\\\"[[\", [2]]") == 2);              // nor after an escaped quote
}

TEST_CASE("read_json_text refuses a file nested deeper than kMaxJsonDepth, naming it") {
  test::TempDir tmp;
  {
    std::ofstream f(tmp / "ok.json");
    f << std::string(kMaxJsonDepth, '[') << std::string(kMaxJsonDepth, ']');
  }
  CHECK(read_json_text(tmp / "ok.json").size() == 2 * kMaxJsonDepth);
  {
    std::ofstream f(tmp / "deep.json");
    f << std::string(100000, '[') << std::string(100000, ']');
  }
  const std::string msg = test::error_of([&] { read_json_text(tmp / "deep.json"); });
  CHECK(msg.find("deep.json' is not valid JSON for axial: nested 100000 levels deep") != std::string::npos);
  CHECK(test::error_of([&] { read_json_text(tmp / "missing.json"); }).find("cannot open") == 0);
}
