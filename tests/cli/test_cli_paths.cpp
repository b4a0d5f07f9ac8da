// Paths of the wrong kind get one error line, exit 2, before any work: a directory where a file is expected is
// named as a directory (not "no such file"), an output below a regular file names that file (not exit 1 from an
// uncaught filesystem exception after the whole evaluation).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/run_axial.hpp"

#include <doctest/doctest.h>

using axial::test::q;
using axial::test::run_axial;
using axial::test::TempDir;
namespace fs = std::filesystem;

namespace {
void check_one_line(const std::string& args, const std::string& needle) {
  CAPTURE(args);
  const auto r = run_axial(args);
  CAPTURE(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("axial: error: ", 0) == 0);
  CHECK(r.err.find(needle) != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}
}  // namespace

TEST_CASE("a directory given where a file is expected is named as a directory") {
  TempDir tmp;
  for (const char* name : {"d.npz", "d.h5", "d.csv", "d.json"}) fs::create_directories(tmp / name);
  check_one_line("score --codes " + q(tmp / "d.npz"), "d.npz': is a directory, expected a file");
  check_one_line("score --codes " + q(tmp / "d.h5"), "d.h5': is a directory, expected a file");
  check_one_line("score --codes " + q(tmp / "d.csv"), "d.csv': is a directory, expected a file");
  check_one_line("data info " + q(tmp / "d.h5"), "d.h5': is a directory, expected a file");
  check_one_line("data convert " + q(tmp / "d.npz") + " --out " + q(tmp / "x.h5"), "is a directory, expected a file");
  check_one_line("data generate " + q(tmp / "d.h5") + " --num 2 --out " + q(tmp / "x.h5"), "is a directory");
}

TEST_CASE("an output below a regular file: exit 2 naming the file, before any work, nothing written") {
  TempDir tmp;
  std::ofstream(tmp / "plain") << "keep\n";
  const fs::path below = tmp / "plain" / "sub";
  check_one_line("data generate three-dots --num 2 --quiet --out " + q(below / "x.h5"), "is a file, not a directory");
  const fs::path codes = fs::path(AXIAL_SOURCE_DIR) / "tests/fuzz/corpus/npz/codes_stored.npz";
  check_one_line("score --codes " + q(codes) + " --out " + q(below / "s.csv"),
                 "'" + (tmp / "plain").string() + "' is a file, not a directory");
  fs::create_directories(tmp / "ev");
  fs::copy_file(fs::path(AXIAL_SOURCE_DIR) / "tests/fuzz/corpus/json/results_eval.json", tmp / "ev" / "results.json");
  check_one_line("report " + q(tmp / "ev") + " --out " + q(below), "plain");
  check_one_line("train --steps 1 --quiet --out " + q(below / "run"), "plain");
  // eval checks --out and --dump-samples before it opens the model (which does not exist here).
  check_one_line("eval --model " + q(tmp / "no-model") + " --out " + q(below), "--out '" + below.string() + "': '" +
                 (tmp / "plain").string() + "' is a file, not a directory");
  check_one_line("eval --model " + q(tmp / "no-model") + " --out " + q(tmp / "ev2") + " --dump-samples " +
                     q(below / "s.h5"),
                 "--dump-samples");
  check_one_line("eval --model " + q(tmp / "no-model") + " --out " + q(tmp / "ev2") + " --dump-samples " +
                     q(tmp.path),
                 "is a directory, expected a file");
  CHECK(axial::test::slurp(tmp / "plain") == "keep\n");
  CHECK_FALSE(fs::exists(tmp / "ev2"));
}
